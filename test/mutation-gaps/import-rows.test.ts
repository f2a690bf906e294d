import { describe, expect, it } from 'vitest';
import { type CsvRecord, parseRecord } from '../../server/offers/import/rows.js';
import { Gazetteer } from '../../server/territories/gazetteer.js';

/** A few real communes (values of the gazetteer reference data), enough for every lookup path. */
const gazetteer = new Gazetteer([
  {
    codeInsee: '69388',
    name: 'Lyon 8e Arrondissement',
    searchName: 'lyon 8e arrondissement',
    postcodes: ['69008'],
    lat: 45.7342,
    lng: 4.8695,
    population: 86_000,
  },
  { codeInsee: '2A004', name: 'Ajaccio', searchName: 'ajaccio', postcodes: ['20000', '20090'], lat: 41.9267, lng: 8.7369, population: 72_000 },
  { codeInsee: '33063', name: 'Bordeaux', searchName: 'bordeaux', postcodes: ['33000', '33100'], lat: 44.8624, lng: -0.5848, population: 260_000 },
  { codeInsee: '33318', name: 'Pessac', searchName: 'pessac', postcodes: ['33600'], lat: 44.7915, lng: -0.6764, population: 65_000 },
  { codeInsee: '33999', name: 'Petit Bourg', searchName: 'petit bourg', postcodes: ['33100'], lat: 44.85, lng: -0.55, population: 900 },
]);

function good(overrides: CsvRecord = {}): CsvRecord {
  return {
    external_id: 'EXT-1',
    org_external_id: 'ORG-A',
    org_name: 'Compagnie du Rebond',
    org_type: 'theatre-spectacle',
    org_email: 'contact@rebond.fr',
    title: 'Atelier clown',
    summary: 'Découvrir le clown.',
    description: 'Trois séances.',
    themes: 'culture',
    subthemes: '',
    formats: 'atelier',
    venue: 'dans-l-accueil',
    travel_km: '25',
    age_min: '6',
    age_max: '11',
    group_min: '8',
    group_max: '16',
    price: 'payant',
    price_eur: '80',
    accessibility: 'moteur',
    natures: 'intervention',
    slots: 'mercredi-apres-midi',
    periodicity: 'cycle',
    code_insee: '69388',
    start_date: '2026-09-02',
    end_date: '2027-06-30',
    contact_email: 'ateliers@rebond.fr',
    ...overrides,
  };
}

function reasonsOf(overrides: CsvRecord): string[] {
  const result = parseRecord(good(overrides), 7, gazetteer);
  return 'reasons' in result ? result.reasons : [];
}

function rowOf(overrides: CsvRecord) {
  const result = parseRecord(good(overrides), 7, gazetteer);
  if (!('row' in result)) throw new Error(`rejected: ${result.reasons.join('; ')}`);
  return result.row;
}

describe('one CSV row of the bulk import', () => {
  it('turns a good row into exactly the offer and organisation it describes', () => {
    expect(parseRecord(good(), 7, gazetteer)).toEqual({
      row: {
        line: 7,
        externalId: 'EXT-1',
        org: { externalId: 'ORG-A', name: 'Compagnie du Rebond', type: 'theatre-spectacle', email: 'contact@rebond.fr', siret: null, rna: null },
        offer: {
          externalId: 'EXT-1',
          slug: 'atelier-clown',
          title: 'Atelier clown',
          summary: 'Découvrir le clown.',
          description: 'Trois séances.',
          themes: ['culture'],
          subthemes: [],
          formats: ['atelier'],
          venue: 'dans-l-accueil',
          travelKm: 25,
          ageMin: 6,
          ageMax: 11,
          groupMin: 8,
          groupMax: 16,
          price: 'payant',
          priceEur: '80',
          accessibility: ['moteur'],
          natures: ['intervention'],
          slots: ['mercredi-apres-midi'],
          periodicity: 'cycle',
          address: '',
          postcode: '69008',
          codeInsee: '69388',
          lat: 45.7342,
          lng: 4.8695,
          startDate: '2026-09-02',
          endDate: '2027-06-30',
          contactEmail: 'ateliers@rebond.fr',
        },
      },
    });
  });

  it('trims cells, lowercases slugs and emails, and collapses spaces except in the description', () => {
    const row = rowOf({
      external_id: '  EXT-2 ',
      org_external_id: ' ORG-B ',
      org_name: '  Les   Amis \t du Livre ',
      org_type: ' ASSOCIATION ',
      org_email: 'Contact@Amis.FR',
      title: '  Lire   à voix\nhaute ',
      summary: 'Une\nséance  par mois',
      description: 'Ligne 1\r\nLigne 2\rLigne 3',
      venue: 'CHEZ-LE-PARTENAIRE',
      price: 'Gratuit',
      price_eur: '',
      periodicity: 'Mensuel',
      contact_email: 'Lire@Amis.FR',
    });
    expect(row.externalId).toBe('EXT-2');
    expect(row.org).toEqual({ externalId: 'ORG-B', name: 'Les Amis du Livre', type: 'association', email: 'contact@amis.fr', siret: null, rna: null });
    expect(row.offer.title).toBe('Lire à voix haute');
    expect(row.offer.slug).toBe('lire-a-voix-haute');
    expect(row.offer.summary).toBe('Une séance par mois');
    expect(row.offer.description).toBe('Ligne 1\nLigne 2\nLigne 3');
    expect(row.offer.venue).toBe('chez-le-partenaire');
    expect(row.offer.price).toBe('gratuit');
    expect(row.offer.priceEur).toBeNull();
    expect(row.offer.periodicity).toBe('mensuel');
    expect(row.offer.contactEmail).toBe('lire@amis.fr');
  });

  it('reads multi-valued cells separated by "|" in taxonomy order, and adds the theme of each sub-theme', () => {
    const row = rowOf({
      themes: ' Sport | culture ',
      subthemes: 'jardinage||danse',
      formats: 'visite|atelier',
      accessibility: 'visuel| MOTEUR',
      natures: 'formation|intervention',
      slots: 'mercredi-journee|mercredi-matin',
    });
    expect(row.offer.themes).toEqual(['culture', 'sport', 'environnement']);
    expect(row.offer.subthemes).toEqual(['danse', 'jardinage']);
    expect(row.offer.formats).toEqual(['atelier', 'visite']);
    expect(row.offer.accessibility).toEqual(['moteur', 'visuel']);
    expect(row.offer.natures).toEqual(['intervention', 'formation']);
    expect(row.offer.slots).toEqual(['mercredi-matin', 'mercredi-journee']);
    expect(rowOf({ themes: '', subthemes: 'danse' }).offer.themes).toEqual(['culture']);
  });

  it('names each unknown value, in the singular or the plural', () => {
    expect(reasonsOf({ subthemes: 'danse|valse' })).toEqual(['sous-thème inconnu : « valse »']);
    expect(reasonsOf({ themes: 'culture|peche|chasse' })).toEqual(['thème inconnus : « peche », « chasse »']);
    expect(reasonsOf({ formats: 'atelier|stage' })).toEqual(['format inconnu : « stage »']);
    expect(reasonsOf({ accessibility: 'cognitif' })).toEqual(['accessibilité inconnu : « cognitif »']);
    expect(reasonsOf({ natures: 'don' })).toEqual(['nature de partenariat inconnu : « don »']);
    expect(reasonsOf({ slots: 'samedi' })).toEqual(['créneau inconnu : « samedi »']);
    expect(reasonsOf({ org_type: 'secte' })).toEqual(['type de structure inconnu : « secte »']);
    expect(reasonsOf({ venue: 'lune' })).toEqual(['lieu (venue) inconnu : « lune »']);
    expect(reasonsOf({ price: 'troc' })).toEqual(['tarif (price) inconnu : « troc »']);
    expect(reasonsOf({ periodicity: 'annuel' })).toEqual(['périodicité inconnu : « annuel »']);
  });

  it('requires a theme, unless the only theme given is unknown (said once)', () => {
    expect(reasonsOf({ themes: '' })).toEqual(['au moins un thème est requis (themes)']);
    expect(reasonsOf({ themes: ' | ' })).toEqual(['au moins un thème est requis (themes)']);
    expect(reasonsOf({ themes: 'peche' })).toEqual(['thème inconnu : « peche »']);
    // An earlier column's fault does not hide the missing theme.
    expect(reasonsOf({ title: '', themes: '' })).toEqual(['titre manquant (title)', 'au moins un thème est requis (themes)']);
  });

  it('names every missing required cell', () => {
    expect(reasonsOf({ external_id: ' ' })).toEqual(['external_id manquant']);
    expect(reasonsOf({ org_external_id: '' })).toEqual(['org_external_id manquant']);
    expect(reasonsOf({ title: '   ' })).toEqual(['titre manquant (title)']);
    expect(reasonsOf({ venue: '' })).toEqual(['lieu (venue) manquant (venue)']);
    expect(reasonsOf({ age_min: '' })).toEqual(['age_min manquant']);
    expect(reasonsOf({ age_max: undefined })).toEqual(['age_max manquant']);
    expect(reasonsOf({ price: '' })).toEqual(['tarif (price) manquant (price)']);
  });

  it('leaves optional cells empty without complaint', () => {
    const row = rowOf({
      org_type: '',
      org_email: '',
      org_name: '',
      summary: '',
      description: '',
      formats: '',
      travel_km: '',
      group_min: '',
      group_max: '',
      accessibility: '',
      natures: '',
      slots: '',
      periodicity: '',
      start_date: '',
      end_date: '',
      contact_email: '',
    });
    expect(row.org).toEqual({ externalId: 'ORG-A', name: '', type: null, email: null, siret: null, rna: null });
    expect(row.offer).toMatchObject({
      summary: '',
      description: '',
      formats: [],
      travelKm: null,
      groupMin: null,
      groupMax: null,
      accessibility: [],
      natures: [],
      slots: [],
      periodicity: null,
      startDate: null,
      endDate: null,
      contactEmail: null,
    });
  });

  it('bounds the lengths of the external id, the names and the texts', () => {
    expect(rowOf({ external_id: 'x'.repeat(100) }).externalId).toHaveLength(100);
    expect(reasonsOf({ external_id: 'x'.repeat(101) })).toEqual(['external_id trop long (100 caractères au maximum)']);
    expect(rowOf({ org_name: 'n'.repeat(200) }).org.name).toHaveLength(200);
    expect(reasonsOf({ org_name: 'n'.repeat(201) })).toEqual(['org_name trop long (200 caractères au maximum)']);
    expect(rowOf({ title: 't'.repeat(120) }).offer.title).toHaveLength(120);
    expect(reasonsOf({ title: 't'.repeat(121) })).toEqual(['titre trop long (121 caractères, 120 au maximum)']);
    expect(reasonsOf({ summary: 's'.repeat(281) })).toEqual(['résumé trop long (281 caractères, 280 au maximum)']);
    expect(reasonsOf({ description: 'd'.repeat(5001) })).toEqual(['description trop long (5001 caractères, 5000 au maximum)']);
    expect(rowOf({ address: 'a'.repeat(200) }).offer.address).toHaveLength(200);
    expect(reasonsOf({ address: 'a'.repeat(201) })).toEqual(['adresse trop long (201 caractères, 200 au maximum)']);
  });

  it('accepts whole numbers within their bounds only', () => {
    expect(rowOf({ travel_km: '1' }).offer.travelKm).toBe(1);
    expect(rowOf({ travel_km: '300' }).offer.travelKm).toBe(300);
    expect(reasonsOf({ travel_km: '0' })).toEqual(['travel_km invalide : « 0 » (entier de 1 à 300 attendu)']);
    expect(reasonsOf({ travel_km: '301' })).toEqual(['travel_km invalide : « 301 » (entier de 1 à 300 attendu)']);
    expect(reasonsOf({ travel_km: '2.5' })).toEqual(['travel_km invalide : « 2.5 » (entier de 1 à 300 attendu)']);
    expect(reasonsOf({ travel_km: '12 km' })).toEqual(['travel_km invalide : « 12 km » (entier de 1 à 300 attendu)']);
    expect(reasonsOf({ travel_km: 'x12' })).toEqual(['travel_km invalide : « x12 » (entier de 1 à 300 attendu)']);
    expect(reasonsOf({ travel_km: '1234567890' })).toEqual(['travel_km invalide : « 1234567890 » (entier de 1 à 300 attendu)']);
    expect(rowOf({ group_min: '1', group_max: '500' }).offer).toMatchObject({ groupMin: 1, groupMax: 500 });
    expect(reasonsOf({ group_min: '0' })).toEqual(['group_min invalide : « 0 » (entier de 1 à 500 attendu)']);
    expect(reasonsOf({ group_max: '501' })).toEqual(['group_max invalide : « 501 » (entier de 1 à 500 attendu)']);
  });

  it('accepts ages from 3 to 17, the minimum not above the maximum', () => {
    expect(rowOf({ age_min: '3', age_max: '17' }).offer).toMatchObject({ ageMin: 3, ageMax: 17 });
    expect(rowOf({ age_min: '9', age_max: '9' }).offer).toMatchObject({ ageMin: 9, ageMax: 9 });
    expect(reasonsOf({ age_min: '2' })).toEqual(['age_min invalide : « 2 » (entier de 3 à 17 attendu)']);
    expect(reasonsOf({ age_max: '18' })).toEqual(['age_max invalide : « 18 » (entier de 3 à 17 attendu)']);
    expect(reasonsOf({ age_min: '12', age_max: '8' })).toEqual(['age_min supérieur à age_max (12 > 8)']);
    expect(reasonsOf({ age_min: '12', age_max: '' })).toEqual(['age_max manquant']);
  });

  it('accepts a group whose minimum is not above its maximum', () => {
    expect(rowOf({ group_min: '10', group_max: '10' }).offer).toMatchObject({ groupMin: 10, groupMax: 10 });
    expect(rowOf({ group_min: '10', group_max: '' }).offer).toMatchObject({ groupMin: 10, groupMax: null });
    expect(reasonsOf({ group_min: '20', group_max: '10' })).toEqual(['group_min supérieur à group_max (20 > 10)']);
  });

  it('reads a price in euros with a comma or spaces, and requires it for a paying offer only', () => {
    expect(rowOf({ price_eur: '12,50' }).offer.priceEur).toBe('12.50');
    expect(rowOf({ price_eur: ' 1 200 ' }).offer.priceEur).toBe('1200');
    expect(rowOf({ price_eur: '999999.9' }).offer.priceEur).toBe('999999.9');
    expect(rowOf({ price: 'sur-devis', price_eur: '' }).offer.priceEur).toBeNull();
    expect(rowOf({ price: 'sur-devis', price_eur: '40' }).offer.priceEur).toBe('40');
    expect(rowOf({ price: 'gratuit', price_eur: '5' }).offer.priceEur).toBeNull();
    expect(reasonsOf({ price_eur: '' })).toEqual(['price_eur manquant pour une offre payante']);
    expect(reasonsOf({ price_eur: '12.505' })).toEqual(['price_eur invalide : « 12.505 » (montant en euros attendu, par exemple 12.50)']);
    expect(reasonsOf({ price_eur: '1234567' })).toEqual(['price_eur invalide : « 1234567 » (montant en euros attendu, par exemple 12.50)']);
    expect(reasonsOf({ price_eur: 'x80' })).toEqual(['price_eur invalide : « x80 » (montant en euros attendu, par exemple 12.50)']);
    expect(reasonsOf({ price_eur: '80€' })).toEqual(['price_eur invalide : « 80€ » (montant en euros attendu, par exemple 12.50)']);
  });

  it('checks dates: real calendar days, the end not before the start', () => {
    expect(rowOf({ start_date: '2026-09-02', end_date: '2026-09-02' }).offer).toMatchObject({ startDate: '2026-09-02', endDate: '2026-09-02' });
    expect(reasonsOf({ start_date: '2026-02-30' })).toEqual(['start_date invalide : « 2026-02-30 » (format AAAA-MM-JJ attendu)']);
    expect(reasonsOf({ end_date: '2027-6-30' })).toEqual(['end_date invalide : « 2027-6-30 » (format AAAA-MM-JJ attendu)']);
    expect(reasonsOf({ end_date: '2027-13-01' })).toEqual(['end_date invalide : « 2027-13-01 » (format AAAA-MM-JJ attendu)']);
    expect(reasonsOf({ start_date: 'x2026-09-02' })).toEqual(['start_date invalide : « x2026-09-02 » (format AAAA-MM-JJ attendu)']);
    expect(reasonsOf({ start_date: '2026-09-02x' })).toEqual(['start_date invalide : « 2026-09-02x » (format AAAA-MM-JJ attendu)']);
    expect(reasonsOf({ start_date: '2026-09-02', end_date: '2026-09-01' })).toEqual(['end_date antérieure à start_date']);
    expect(rowOf({ start_date: '', end_date: '2026-09-01' }).offer.endDate).toBe('2026-09-01');
  });

  it('checks emails, lowercased, 254 characters at most', () => {
    expect(reasonsOf({ org_email: 'pas-un-email' })).toEqual(['org_email invalide : « pas-un-email »']);
    expect(reasonsOf({ contact_email: 'a b@exemple.fr' })).toEqual(['contact_email invalide : « a b@exemple.fr »']);
    expect(reasonsOf({ contact_email: 'x@exemple.f' })).toEqual(['contact_email invalide : « x@exemple.f »']);
    expect(reasonsOf({ contact_email: 'x@exemple.fr ; y@exemple.fr' })).toEqual(['contact_email invalide : « x@exemple.fr ; y@exemple.fr »']);
    const long = `${'a'.repeat(64)}@${'b'.repeat(185)}.fr`;
    expect(long).toHaveLength(253);
    expect(rowOf({ contact_email: long }).offer.contactEmail).toBe(long);
    expect(rowOf({ contact_email: `a${long}` }).offer.contactEmail).toHaveLength(254);
    expect(reasonsOf({ contact_email: `aa${long}` })).toEqual([`contact_email invalide : « aa${long} »`]);
  });

  it('checks the SIRET key and the RNA number of the organisation', () => {
    expect(rowOf({ org_siret: '732 829 320 00074', org_rna: ' w691234567 ' }).org).toMatchObject({ siret: '73282932000074', rna: 'W691234567' });
    expect(rowOf({ org_rna: 'W 691 234 567' }).org.rna).toBe('W691234567');
    expect(reasonsOf({ org_siret: '73282932000075' })).toEqual(['org_siret invalide : « 73282932000075 » (14 chiffres avec une clé de contrôle correcte)']);
    expect(reasonsOf({ org_rna: 'W69123456' })).toEqual(['org_rna invalide : « W69123456 » (W suivi de 9 chiffres)']);
    expect(reasonsOf({ org_rna: 'XW691234567' })).toEqual(['org_rna invalide : « XW691234567 » (W suivi de 9 chiffres)']);
    expect(reasonsOf({ org_rna: 'W6912345678' })).toEqual(['org_rna invalide : « W6912345678 » (W suivi de 9 chiffres)']);
  });

  it('places the offer from its coordinates, its INSEE code or its postcode', () => {
    // Coordinates with a known INSEE code: the commune's postcode, the row's coordinates.
    expect(rowOf({ lat: '45,75', lng: '4,85' }).offer).toMatchObject({ codeInsee: '69388', postcode: '69008', lat: 45.75, lng: 4.85 });
    expect(rowOf({ lat: '45.75', lng: '4.85', postcode: '69007' }).offer).toMatchObject({ codeInsee: '69388', postcode: '69007' });
    // Coordinates alone: the nearest commune.
    expect(rowOf({ code_insee: '', lat: '44.86', lng: '-0.58' }).offer).toMatchObject({ codeInsee: '33063', postcode: '33000', lat: 44.86, lng: -0.58 });
    expect(rowOf({ code_insee: '', lat: '44.79', lng: '-0.67', postcode: '33608' }).offer).toMatchObject({ codeInsee: '33318', postcode: '33608' });
    // An INSEE code alone (any case): the commune's centre.
    expect(rowOf({ code_insee: '2a004' }).offer).toMatchObject({ codeInsee: '2A004', postcode: '20000', lat: 41.9267, lng: 8.7369 });
    expect(rowOf({ code_insee: '2a004', postcode: '20090' }).offer).toMatchObject({ codeInsee: '2A004', postcode: '20090' });
    // A postcode alone: its commune, the one named in the address when several share it.
    expect(rowOf({ code_insee: '', postcode: '33600' }).offer).toMatchObject({ codeInsee: '33318', postcode: '33600', lat: 44.7915, lng: -0.6764 });
    expect(rowOf({ code_insee: '', postcode: '33100', address: '3 rue Haute, Petit-Bourg' }).offer).toMatchObject({ codeInsee: '33999', postcode: '33100' });
  });

  it('names what is wrong with a place', () => {
    const bad = (lat: string, lng: string) => reasonsOf({ lat, lng });
    expect(bad('45.75', '')).toEqual(['coordonnées invalides (lat « 45.75 », lng «  »)']);
    expect(bad('', '4.85')).toEqual(['coordonnées invalides (lat «  », lng « 4.85 »)']);
    expect(bad('nord', '4.85')).toEqual(['coordonnées invalides (lat « nord », lng « 4.85 »)']);
    expect(bad('45.75', 'est')).toEqual(['coordonnées invalides (lat « 45.75 », lng « est »)']);
    expect(bad('90.5', '4.85')).toEqual(['coordonnées invalides (lat « 90.5 », lng « 4.85 »)']);
    expect(bad('-90.5', '4.85')).toEqual(['coordonnées invalides (lat « -90.5 », lng « 4.85 »)']);
    expect(bad('45.75', '180.5')).toEqual(['coordonnées invalides (lat « 45.75 », lng « 180.5 »)']);
    expect(bad('45.75', '-180.5')).toEqual(['coordonnées invalides (lat « 45.75 », lng « -180.5 »)']);
    expect(reasonsOf({ code_insee: '', lat: '90', lng: '180' })).toEqual(['commune introuvable autour de ces coordonnées']);
    expect(reasonsOf({ code_insee: '99999', lat: '45.75', lng: '4.85' })).toEqual(['commune inconnue : code INSEE « 99999 »']);
    expect(reasonsOf({ code_insee: '99999' })).toEqual(['commune inconnue : code INSEE « 99999 »']);
    expect(reasonsOf({ code_insee: '2b999' })).toEqual(['commune inconnue : code INSEE « 2B999 »']);
    expect(reasonsOf({ code_insee: '', postcode: '00000' })).toEqual(['commune inconnue : code postal « 00000 »']);
    expect(reasonsOf({ code_insee: '', postcode: '6900' })).toEqual(['postcode invalide : « 6900 » (5 chiffres)']);
    expect(reasonsOf({ code_insee: '', postcode: 'x69008' })).toEqual(['postcode invalide : « x69008 » (5 chiffres)']);
    expect(reasonsOf({ postcode: '690088' })).toEqual(['postcode invalide : « 690088 » (5 chiffres)']);
    expect(reasonsOf({ code_insee: '', postcode: '690088' })).toEqual(['postcode invalide : « 690088 » (5 chiffres)']);
    expect(reasonsOf({ code_insee: '' })).toEqual(['localisation manquante : lat/lng, code_insee ou postcode']);
  });

  it('lists every fault of a row at once, in the order of its columns', () => {
    expect(reasonsOf({ external_id: '', title: '', age_min: '15', age_max: '4', price_eur: '', code_insee: '' })).toEqual([
      'external_id manquant',
      'titre manquant (title)',
      'age_min supérieur à age_max (15 > 4)',
      'price_eur manquant pour une offre payante',
      'localisation manquante : lat/lng, code_insee ou postcode',
    ]);
  });
});
