import type { Deps } from '../deps.js';
import { AGE_MAX, AGE_MIN, subthemes as allSubthemes, slugs, type Venue } from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { locationValues, readLocation } from '../territories/location.js';
import { listDepartments } from '../territories/territories.repository.js';
import type { Offer, Partner } from './offers.repository.js';

export const LIMITS = { title: 120, summary: 280, description: 5000, priceDetails: 300, photoAlt: 250, travelKm: 300, group: 500, adults: 50, sessions: 100 };

/** What the editor writes on an offer (the rest — status, dates of moderation — is set by the use cases). */
export interface OfferFields {
  title: string;
  summary: string;
  description: string;
  themes: string[];
  subthemes: string[];
  formats: string[];
  venue: Venue;
  travelKm: number | null;
  departmentsServed: string[];
  address: string;
  postcode: string | null;
  codeInsee: string | null;
  lat: number | null;
  lng: number | null;
  ageMin: number;
  ageMax: number;
  groupMin: number | null;
  groupMax: number | null;
  adultsRequired: number | null;
  slots: string[];
  periodicity: Offer['periodicity'];
  sessionsCount: number | null;
  startDate: string | null;
  endDate: string | null;
  price: Offer['price'];
  priceEur: string | null;
  priceDetails: string | null;
  accessibility: string[];
  natures: string[];
  regulated: boolean;
  contactEmail: string | null;
}

const subthemeTheme = new Map(allSubthemes.map((s) => [s.value, s.theme as string]));

/** Slugs in taxonomy order, each once: the stored order does not depend on who typed them. */
export function canonical(values: string[], order: readonly string[]): string[] {
  const set = new Set(values);
  return order.filter((v) => set.has(v));
}

/** The themes with the theme of every chosen sub-theme added. */
export function withParentThemes(themes: string[], subthemes: string[]): string[] {
  const all = new Set(themes);
  for (const s of subthemes) {
    const theme = subthemeTheme.get(s);
    if (theme) all.add(theme);
  }
  return canonical([...all], slugs.theme);
}

const offerMessages = {
  agesOrder: 'L’âge maximum doit être supérieur ou égal à l’âge minimum.',
  groupOrder: 'L’effectif maximum doit être supérieur ou égal à l’effectif minimum.',
  datesOrder: 'La date de fin doit être postérieure à la date de début.',
  endPassed: 'La date de fin est déjà passée : choisissez une période à venir.',
  priceAmount: 'Indiquez le montant en euros d’une offre payante.',
  sessions: 'Indiquez le nombre de séances du cycle.',
  travel: 'Indiquez un rayon de déplacement ou les départements où vous intervenez.',
  departments: 'Départements inconnus : saisissez des numéros séparés par des virgules (exemple : 69, 01, 38).',
  themes: 'Choisissez au moins un thème.',
  formats: 'Choisissez au moins un format.',
  slots: 'Choisissez au moins un créneau du mercredi.',
  natures: 'Choisissez au moins une nature de partenariat.',
};

let departmentCodes: Set<string> | null = null;

async function knownDepartments(deps: Pick<Deps, 'db'>): Promise<Set<string>> {
  departmentCodes ??= new Set((await listDepartments(deps.db)).map((d) => d.code));
  return departmentCodes;
}

/**
 * Reads the editor form. A draft needs a title, ages, a venue type and a price type (the form
 * pre-fills them); `complete` (submission) requires everything an ACM director needs to decide.
 * Title, summary and description may contain "<" or HTML: they are stored as typed and escaped
 * wherever they are shown.
 */
export async function readOfferForm(
  deps: Pick<Deps, 'db'>,
  body: Record<string, unknown>,
  options: { complete: boolean; partner: Partner; today: string },
): Promise<OfferFields> {
  const { complete, partner } = options;
  const form = new FormReader(body);
  const title = form.text('title', { required: true, max: LIMITS.title, noMarkup: false });
  const summary = form.text('summary', { required: complete, max: LIMITS.summary, noMarkup: false });
  const description = form.text('description', { required: complete, max: LIMITS.description, noMarkup: false, multiline: true });
  const chosenSubthemes = canonical(form.someOf('subthemes', slugs.subtheme), slugs.subtheme);
  const themes = withParentThemes(form.someOf('themes', slugs.theme, { min: complete ? 1 : 0, requiredMessage: offerMessages.themes }), chosenSubthemes);
  const formats = canonical(form.someOf('formats', slugs.format, { min: complete ? 1 : 0, requiredMessage: offerMessages.formats }), slugs.format);

  const ageMin = form.int('ageMin', { required: true, min: AGE_MIN, max: AGE_MAX });
  const ageMax = form.int('ageMax', { required: true, min: AGE_MIN, max: AGE_MAX });
  if (ageMin !== null && ageMax !== null && !form.errors.ageMin && ageMax < ageMin) form.fail('ageMax', offerMessages.agesOrder);
  const groupMin = form.int('groupMin', { min: 1, max: LIMITS.group });
  const groupMax = form.int('groupMax', { min: 1, max: LIMITS.group });
  if (groupMin !== null && groupMax !== null && groupMax < groupMin) form.fail('groupMax', offerMessages.groupOrder);
  const adultsRequired = form.int('adultsRequired', { min: 0, max: LIMITS.adults });

  const slots = canonical(form.someOf('slots', slugs.slot, { min: complete ? 1 : 0, requiredMessage: offerMessages.slots }), slugs.slot);
  const periodicity = form.oneOf('periodicity', slugs.periodicity, { required: complete });
  const sessionsCount = form.int('sessionsCount', { min: 1, max: LIMITS.sessions });
  if (periodicity === 'cycle' && sessionsCount === null && complete && !form.errors.sessionsCount) form.fail('sessionsCount', offerMessages.sessions);
  const startDate = form.date('startDate', { required: complete });
  const endDate = form.date('endDate', { required: complete });
  if (startDate && endDate && endDate < startDate) form.fail('endDate', offerMessages.datesOrder);
  else if (complete && endDate && endDate < options.today) form.fail('endDate', offerMessages.endPassed);

  const venue = form.oneOf('venue', slugs.venue, { required: true }) as Venue | null;
  let travelKm: number | null = null;
  let departmentsServed: string[] = [];
  let place: Pick<OfferFields, 'address' | 'postcode' | 'codeInsee' | 'lat' | 'lng'> = {
    address: '',
    postcode: partner.postcode,
    codeInsee: partner.codeInsee,
    lat: partner.lat,
    lng: partner.lng,
  };
  if (venue === 'dans-l-accueil') {
    travelKm = form.int('travelKm', { min: 1, max: LIMITS.travelKm });
    const codes = form
      .text('departmentsServed', { max: 400 })
      .split(/[\s,;]+/)
      .map((c) => c.toUpperCase())
      .filter(Boolean);
    const known = await knownDepartments(deps);
    if (codes.some((c) => !known.has(c.padStart(2, '0')))) form.fail('departmentsServed', offerMessages.departments);
    departmentsServed = [...new Set(codes.map((c) => c.padStart(2, '0')))].sort();
    if (complete && travelKm === null && departmentsServed.length === 0 && !form.errors.travelKm && !form.errors.departmentsServed) {
      form.fail('travelKm', offerMessages.travel);
    }
  } else if (venue) {
    const location = await readLocation(deps, form, '', { required: complete });
    if (location) place = { address: location.address, postcode: location.postcode, codeInsee: location.codeInsee, lat: location.lat, lng: location.lng };
  }

  const price = form.oneOf('price', slugs.price, { required: true });
  let priceEur = form.money('priceEur', { min: 0, max: 100_000 });
  if (price === 'payant' && priceEur === null && !form.errors.priceEur) form.fail('priceEur', offerMessages.priceAmount);
  if (price === 'gratuit') priceEur = null;
  const priceDetails = form.optionalText('priceDetails', { max: LIMITS.priceDetails, noMarkup: false });
  const accessibility = canonical(form.someOf('accessibility', slugs.accessibility), slugs.accessibility);
  const natures = canonical(form.someOf('natures', slugs.nature, { min: complete ? 1 : 0, requiredMessage: offerMessages.natures }), slugs.nature);
  const regulated = form.bool('regulated');
  const contactEmail = form.email('contactEmail');

  form.assertValid();
  return {
    title,
    summary,
    description,
    themes,
    subthemes: chosenSubthemes,
    formats,
    venue: venue!,
    travelKm,
    departmentsServed,
    ...place,
    ageMin: ageMin!,
    ageMax: ageMax!,
    groupMin,
    groupMax,
    adultsRequired,
    slots,
    periodicity,
    sessionsCount,
    startDate,
    endDate,
    price: price!,
    priceEur,
    priceDetails,
    accessibility,
    natures,
    regulated,
    contactEmail,
  };
}

const str = (value: number | string | null | undefined) => (value === null || value === undefined ? '' : String(value));

/** The editor's field values for a stored offer (or the defaults of a new one). */
export function offerFormValues(offer: Partial<Offer>, commune: { name: string; postcodes: string[] } | null): Record<string, unknown> {
  return {
    title: offer.title ?? '',
    summary: offer.summary ?? '',
    description: offer.description ?? '',
    themes: offer.themes ?? [],
    subthemes: offer.subthemes ?? [],
    formats: offer.formats ?? [],
    venue: offer.venue ?? '',
    travelKm: str(offer.travelKm),
    departmentsServed: (offer.departmentsServed ?? []).join(', '),
    ...locationValues(offer, commune),
    ageMin: str(offer.ageMin),
    ageMax: str(offer.ageMax),
    groupMin: str(offer.groupMin),
    groupMax: str(offer.groupMax),
    adultsRequired: str(offer.adultsRequired),
    slots: offer.slots ?? [],
    periodicity: offer.periodicity ?? '',
    sessionsCount: str(offer.sessionsCount),
    startDate: offer.startDate ?? '',
    endDate: offer.endDate ?? '',
    price: offer.price ?? '',
    priceEur: formatters.amountInput(offer.priceEur),
    priceDetails: offer.priceDetails ?? '',
    accessibility: offer.accessibility ?? [],
    natures: offer.natures ?? [],
    regulated: offer.regulated ? 'on' : '',
    contactEmail: offer.contactEmail ?? '',
  };
}
