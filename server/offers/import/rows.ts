import { AGE_MAX, AGE_MIN, slugs } from '../../kernel/taxonomy.js';
import { slugify } from '../../kernel/text.js';
import { isValidSiret } from '../../lib/validation.js';
import type { Gazetteer } from '../../territories/gazetteer.js';
import { canonical, LIMITS, withParentThemes } from '../offers.form.js';
import type { OfferInsert } from '../offers.repository.js';

/** The CSV contract of PRODUCT.md ("Bulk import"), in this order for exports. */
export const CSV_COLUMNS = [
  'external_id',
  'org_external_id',
  'org_name',
  'org_type',
  'org_email',
  'org_siret',
  'org_rna',
  'title',
  'summary',
  'description',
  'themes',
  'subthemes',
  'formats',
  'venue',
  'travel_km',
  'age_min',
  'age_max',
  'group_min',
  'group_max',
  'price',
  'price_eur',
  'accessibility',
  'natures',
  'slots',
  'periodicity',
  'address',
  'postcode',
  'code_insee',
  'lat',
  'lng',
  'start_date',
  'end_date',
  'contact_email',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];
export type CsvRecord = Partial<Record<CsvColumn, string>>;

/** Without these a file cannot describe an offer: it is refused as a whole. */
export const REQUIRED_COLUMNS: CsvColumn[] = ['external_id', 'org_external_id', 'title', 'themes', 'venue', 'age_min', 'age_max', 'price'];

/** Keys the export writes for records created in the app (they have no external id of their own). */
export const OWN_OFFER_KEY = /^passerelle-offre-(\d{1,9})$/;
export const OWN_ORG_KEY = /^passerelle-structure-(\d{1,9})$/;

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[a-z]{2,}$/i;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

interface OrgRef {
  externalId: string;
  name: string;
  type: string | null;
  email: string | null;
  siret: string | null;
  rna: string | null;
}

/** A valid row: the offer's columns (without organisation id) and the organisation it belongs to. */
export interface ParsedRow {
  line: number;
  externalId: string;
  org: OrgRef;
  offer: Omit<OfferInsert, 'organisationId'>;
}

function cell(record: CsvRecord, column: CsvColumn): string {
  return (record[column] ?? '').trim();
}

/**
 * Checks one record and turns it into database values, or lists what is wrong with it (French,
 * for the report and the rejects file). Multi-valued cells are separated by "|".
 */
export function parseRecord(record: CsvRecord, line: number, gazetteer: Gazetteer): { row: ParsedRow } | { reasons: string[] } {
  const reasons: string[] = [];
  const fail = (reason: string) => reasons.push(reason);

  const list = (column: CsvColumn, allowed: readonly string[], label: string): string[] => {
    const values = cell(record, column)
      .split('|')
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean);
    const unknown = values.filter((v) => !allowed.includes(v));
    if (unknown.length) fail(`${label} inconnu${unknown.length > 1 ? 's' : ''} : ${unknown.map((v) => `« ${v} »`).join(', ')}`);
    return canonical(values, allowed);
  };
  const one = (column: CsvColumn, allowed: readonly string[], label: string, required: boolean): string | null => {
    const value = cell(record, column).toLowerCase();
    if (!value) {
      if (required) fail(`${label} manquant (${column})`);
      return null;
    }
    if (!allowed.includes(value)) {
      fail(`${label} inconnu : « ${value} »`);
      return null;
    }
    return value;
  };
  const int = (column: CsvColumn, min: number, max: number, required = false): number | null => {
    const value = cell(record, column);
    if (!value) {
      if (required) fail(`${column} manquant`);
      return null;
    }
    if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
      fail(`${column} invalide : « ${value} » (entier de ${min} à ${max} attendu)`);
      return null;
    }
    return Number(value);
  };
  const text = (column: CsvColumn, max: number, label: string, required = false): string => {
    const value = column === 'description' ? cell(record, column).replace(/\r\n?/g, '\n') : cell(record, column).replace(/\s+/g, ' ');
    if (!value && required) fail(`${label} manquant (${column})`);
    if (value.length > max) fail(`${label} trop long (${value.length} caractères, ${max} au maximum)`);
    return value;
  };
  const date = (column: CsvColumn): string | null => {
    const value = cell(record, column);
    if (!value) return null;
    if (!datePattern.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      fail(`${column} invalide : « ${value} » (format AAAA-MM-JJ attendu)`);
      return null;
    }
    return value;
  };
  const email = (column: CsvColumn): string | null => {
    const value = cell(record, column).toLowerCase();
    if (!value) return null;
    if (value.length > 254 || !emailPattern.test(value)) {
      fail(`${column} invalide : « ${value} »`);
      return null;
    }
    return value;
  };

  const externalId = cell(record, 'external_id');
  if (!externalId) fail('external_id manquant');
  else if (externalId.length > 100) fail('external_id trop long (100 caractères au maximum)');

  const orgExternalId = cell(record, 'org_external_id');
  if (!orgExternalId) fail('org_external_id manquant');
  const orgType = one('org_type', slugs.org_type, 'type de structure', false);
  const orgSiret = cell(record, 'org_siret').replace(/\s/g, '') || null;
  if (orgSiret && !isValidSiret(orgSiret)) fail(`org_siret invalide : « ${orgSiret} » (14 chiffres avec une clé de contrôle correcte)`);
  const orgRna = cell(record, 'org_rna').replace(/\s/g, '').toUpperCase() || null;
  if (orgRna && !/^W\d{9}$/.test(orgRna)) fail(`org_rna invalide : « ${orgRna} » (W suivi de 9 chiffres)`);
  const orgName = cell(record, 'org_name').replace(/\s+/g, ' ');
  if (orgName.length > 200) fail('org_name trop long (200 caractères au maximum)');
  const orgEmail = email('org_email');

  const title = text('title', LIMITS.title, 'titre', true);
  const summary = text('summary', LIMITS.summary, 'résumé');
  const description = text('description', LIMITS.description, 'description');
  const subthemes = list('subthemes', slugs.subtheme, 'sous-thème');
  const themes = withParentThemes(list('themes', slugs.theme, 'thème'), subthemes);
  if (themes.length === 0 && !reasons.some((r) => r.startsWith('thème'))) fail('au moins un thème est requis (themes)');
  const formats = list('formats', slugs.format, 'format');
  const venue = one('venue', slugs.venue, 'lieu (venue)', true);
  const travelKm = int('travel_km', 1, LIMITS.travelKm);
  const ageMin = int('age_min', AGE_MIN, AGE_MAX, true);
  const ageMax = int('age_max', AGE_MIN, AGE_MAX, true);
  if (ageMin !== null && ageMax !== null && ageMin > ageMax) fail(`age_min supérieur à age_max (${ageMin} > ${ageMax})`);
  const groupMin = int('group_min', 1, LIMITS.group);
  const groupMax = int('group_max', 1, LIMITS.group);
  if (groupMin !== null && groupMax !== null && groupMin > groupMax) fail(`group_min supérieur à group_max (${groupMin} > ${groupMax})`);

  const price = one('price', slugs.price, 'tarif (price)', true);
  const rawAmount = cell(record, 'price_eur').replace(/\s/g, '').replace(',', '.');
  let priceEur: string | null = null;
  if (rawAmount) {
    if (!/^\d{1,6}(\.\d{1,2})?$/.test(rawAmount)) fail(`price_eur invalide : « ${cell(record, 'price_eur')} » (montant en euros attendu, par exemple 12.50)`);
    else priceEur = rawAmount;
  }
  if (price === 'payant' && !rawAmount) fail('price_eur manquant pour une offre payante');
  if (price === 'gratuit') priceEur = null;

  const accessibility = list('accessibility', slugs.accessibility, 'accessibilité');
  const natures = list('natures', slugs.nature, 'nature de partenariat');
  const slots = list('slots', slugs.slot, 'créneau');
  const periodicity = one('periodicity', slugs.periodicity, 'périodicité', false) as OfferInsert['periodicity'];
  const startDate = date('start_date');
  const endDate = date('end_date');
  if (startDate && endDate && endDate < startDate) fail('end_date antérieure à start_date');
  const contactEmail = email('contact_email');

  const address = text('address', 200, 'adresse');
  const postcode = cell(record, 'postcode');
  if (postcode && !/^\d{5}$/.test(postcode)) fail(`postcode invalide : « ${postcode} » (5 chiffres)`);
  const codeInsee = cell(record, 'code_insee').toUpperCase();
  const latText = cell(record, 'lat').replace(',', '.');
  const lngText = cell(record, 'lng').replace(',', '.');
  let place: { codeInsee: string; postcode: string | null; lat: number; lng: number } | null = null;
  if (latText || lngText) {
    const lat = Number(latText);
    const lng = Number(lngText);
    if (!latText || !lngText || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      fail(`coordonnées invalides (lat « ${latText} », lng « ${lngText} »)`);
    } else {
      const commune = codeInsee ? gazetteer.byInsee(codeInsee) : gazetteer.nearest(lat, lng);
      if (!commune) fail(codeInsee ? `commune inconnue : code INSEE « ${codeInsee} »` : 'commune introuvable autour de ces coordonnées');
      else place = { codeInsee: commune.codeInsee, postcode: postcode || commune.postcodes[0] || null, lat, lng };
    }
  } else if (codeInsee) {
    const commune = gazetteer.byInsee(codeInsee);
    if (!commune) fail(`commune inconnue : code INSEE « ${codeInsee} »`);
    else place = { codeInsee: commune.codeInsee, postcode: postcode || commune.postcodes[0] || null, lat: commune.lat, lng: commune.lng };
  } else if (postcode) {
    const commune = /^\d{5}$/.test(postcode) ? gazetteer.byPostcodeAndAddress(postcode, address) : null;
    if (!commune && /^\d{5}$/.test(postcode)) fail(`commune inconnue : code postal « ${postcode} »`);
    else if (commune) place = { codeInsee: commune.codeInsee, postcode, lat: commune.lat, lng: commune.lng };
  } else {
    fail('localisation manquante : lat/lng, code_insee ou postcode');
  }

  if (reasons.length > 0) return { reasons };
  return {
    row: {
      line,
      externalId,
      org: { externalId: orgExternalId, name: orgName, type: orgType, email: orgEmail, siret: orgSiret, rna: orgRna },
      offer: {
        externalId,
        slug: slugify(title),
        title,
        summary,
        description,
        themes,
        subthemes,
        formats,
        venue: venue as OfferInsert['venue'],
        travelKm,
        ageMin: ageMin!,
        ageMax: ageMax!,
        groupMin,
        groupMax,
        price: price as OfferInsert['price'],
        priceEur,
        accessibility,
        natures,
        slots,
        periodicity,
        address,
        postcode: place!.postcode,
        codeInsee: place!.codeInsee,
        lat: place!.lat,
        lng: place!.lng,
        startDate,
        endDate,
        contactEmail,
      },
    },
  };
}
