// node --import tsx scripts/generate-offers-csv.ts FILE.csv [N=100000]
// Writes N realistic offers in the import format (PRODUCT.md, "Bulk import"), deterministic: real
// communes, every taxonomy value, locations given by lat/lng, code INSEE or postcode in turn.
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';
import { prng } from '../server/kernel/prng.js';
import { schoolYearBounds, schoolYearOf } from '../server/kernel/school-year.js';
import { slugs, subthemes } from '../server/kernel/taxonomy.js';
import { CSV_COLUMNS } from '../server/offers/import/rows.js';

const words = {
  activities: [
    'Atelier théâtre',
    'Initiation au judo',
    'Éveil musical',
    'Jardin partagé',
    'Robots et code',
    'Cycle cirque',
    'Visite contée',
    'Lecture d’albums',
    'Mini-basket',
    'Sortie nature',
    'Danse hip-hop',
    'Jeux de société',
    'Cuisine des saisons',
    'Yoga des enfants',
    'Anglais en jeux',
  ],
  qualifiers: [
    'du mercredi',
    'pour les petits',
    'en six séances',
    'découverte',
    'au fil des saisons',
    'et réalisation finale',
    'inter-accueils',
    'en plein air',
  ],
};

export async function generateOffersCsv(file: string, n: number): Promise<void> {
  const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'db', 'data');
  const communes = (parse(readFileSync(join(dataDir, 'communes.csv')), { columns: true }) as Record<string, string>[]).filter((c) => c.lat && c.codes_postaux);
  const random = prng(100_000);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const some = (list: readonly string[], max: number) => [...new Set(Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(list)))];
  const period = schoolYearBounds(schoolYearOf(new Date()));
  const orgCount = Math.max(1, Math.round(n / 40));
  const out = createWriteStream(file);
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
  csv.pipe(out);
  for (let i = 1; i <= n; i++) {
    const org = 1 + Math.floor(random() * orgCount);
    const commune = communes[(org * 7919) % communes.length]!;
    const subtheme = pick(subthemes);
    const ageMin = 3 + Math.floor(random() * 12);
    const ageMax = Math.min(17, ageMin + 1 + Math.floor(random() * 6));
    const venue = pick(slugs.venue);
    const price = pick(slugs.price);
    const locate = i % 3;
    const title = `${pick(words.activities)} ${pick(words.qualifiers)}`;
    const record = {
      external_id: `GEN-${String(i).padStart(7, '0')}`,
      org_external_id: `GEN-ORG-${org}`,
      org_name: `Association ${commune.nom} ${org}`,
      org_type: pick(slugs.org_type),
      org_email: `contact${org}@exemple.org`,
      org_siret: '',
      org_rna: `W${String(100_000_000 + org).slice(-9)}`,
      title,
      summary: `${title} : une activité proposée aux accueils de loisirs de ${commune.nom} et des environs.`,
      description: `Déroulé de l’activité « ${title} » pour les ${ageMin}-${ageMax} ans.\nMatériel fourni ; l’accueil prévoit une salle et un animateur.`,
      themes: subtheme.theme,
      subthemes: subtheme.value,
      formats: some(slugs.format, 2).join('|'),
      venue,
      travel_km: venue === 'dans-l-accueil' ? String(5 + Math.floor(random() * 40)) : '',
      age_min: String(ageMin),
      age_max: String(ageMax),
      group_min: '6',
      group_max: String(10 + Math.floor(random() * 20)),
      price,
      price_eur: price === 'payant' ? String(5 + Math.floor(random() * 150)) : '',
      accessibility: random() < 0.4 ? some(slugs.accessibility, 2).join('|') : '',
      natures: some(slugs.nature, 2).join('|'),
      slots: some(slugs.slot, 2).join('|'),
      periodicity: pick(slugs.periodicity),
      address: venue === 'dans-l-accueil' ? '' : `${1 + Math.floor(random() * 100)} rue de la République`,
      postcode: locate === 2 ? commune.codes_postaux!.split(' ')[0]! : '',
      code_insee: locate === 1 ? commune.code_insee! : '',
      lat: locate === 0 ? (Number(commune.lat) + (random() - 0.5) * 0.01).toFixed(5) : '',
      lng: locate === 0 ? (Number(commune.lng) + (random() - 0.5) * 0.01).toFixed(5) : '',
      start_date: period.start,
      end_date: period.end,
      contact_email: `offre${i}@exemple.org`,
    };
    if (!csv.write(record)) await new Promise((resolve) => csv.once('drain', resolve));
  }
  csv.end();
  await finished(out);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    console.error('Usage : node --import tsx scripts/generate-offers-csv.ts FICHIER.csv [N]');
    process.exit(2);
  }
  await generateOffersCsv(file, Number(count ?? 100_000));
  console.error(`${count ?? 100_000} offres écrites dans ${file}`);
}
