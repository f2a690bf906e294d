import { AGE_MAX, AGE_MIN, subthemes as allSubthemes, slugs } from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import type { Need } from './needs.repository.js';

const NEED_LIMITS = { title: 120, description: 3000, group: 500, travelKm: 200, budget: 100_000 };

export const needMessages = {
  themes: 'Choisissez au moins un thème ou un domaine d’activité.',
  agesOrder: 'L’âge maximum doit être supérieur ou égal à l’âge minimum.',
  datesOrder: 'La date de fin doit être postérieure à la date de début.',
  endPassed: 'La date de fin est déjà passée : choisissez une période à venir.',
  acm: 'Choisissez l’accueil concerné.',
};

/** Labels of the need form's fields, for the error summary. */
export const needLabels: Record<string, string> = {
  acmId: 'Accueil',
  title: 'Intitulé',
  description: 'Votre projet',
  themes: 'Thèmes',
  subthemes: 'Domaines d’activité',
  ageMin: 'Âge minimum',
  ageMax: 'Âge maximum',
  groupSize: 'Nombre d’enfants',
  slots: 'Créneaux',
  periodicity: 'Rythme',
  startDate: 'Début',
  endDate: 'Fin',
  budgetEur: 'Budget',
  venuePreference: 'Lieu',
  maxTravelKm: 'Distance de trajet',
  accessibilityRequired: 'Accessibilité',
};

interface NeedFields {
  title: string;
  description: string;
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  groupSize: number | null;
  slots: string[];
  periodicity: Need['periodicity'];
  startDate: string | null;
  endDate: string | null;
  budgetEur: string | null;
  venuePreference: string[];
  maxTravelKm: number | null;
  accessibilityRequired: string[];
}

const parent = new Map(allSubthemes.map((s) => [s.value, s.theme as string]));

function ordered(values: string[], order: readonly string[]): string[] {
  const set = new Set(values);
  return order.filter((v) => set.has(v));
}

/** Reads the need form (new and edit) with a French message next to each bad field. */
export function readNeedForm(body: Record<string, unknown>, options: { today: string }): NeedFields {
  const form = new FormReader(body);
  const title = form.text('title', { required: true, max: NEED_LIMITS.title });
  const description = form.text('description', { max: NEED_LIMITS.description, multiline: true, noMarkup: false });
  const subthemes = ordered(form.someOf('subthemes', slugs.subtheme), slugs.subtheme);
  const chosenThemes = form.someOf('themes', slugs.theme);
  const themes = ordered([...chosenThemes, ...subthemes.map((s) => parent.get(s)!)], slugs.theme);
  if (themes.length === 0 && !form.errors.themes && !form.errors.subthemes) form.fail('themes', needMessages.themes);

  const ageMin = form.int('ageMin', { required: true, min: AGE_MIN, max: AGE_MAX });
  const ageMax = form.int('ageMax', { required: true, min: AGE_MIN, max: AGE_MAX });
  if (ageMin !== null && ageMax !== null && !form.errors.ageMin && !form.errors.ageMax && ageMax < ageMin) form.fail('ageMax', needMessages.agesOrder);
  const groupSize = form.int('groupSize', { min: 1, max: NEED_LIMITS.group });

  const slots = ordered(form.someOf('slots', slugs.slot), slugs.slot);
  const periodicity = form.oneOf('periodicity', slugs.periodicity) as Need['periodicity'];
  const startDate = form.date('startDate');
  const endDate = form.date('endDate');
  if (startDate && endDate && endDate < startDate) form.fail('endDate', needMessages.datesOrder);
  else if (endDate && endDate < options.today) form.fail('endDate', needMessages.endPassed);

  const budgetEur = form.money('budgetEur', { min: 0, max: NEED_LIMITS.budget });
  const venuePreference = ordered(form.someOf('venuePreference', slugs.venue), slugs.venue);
  const maxTravelKm = form.int('maxTravelKm', { min: 1, max: NEED_LIMITS.travelKm });
  const accessibilityRequired = ordered(form.someOf('accessibilityRequired', slugs.accessibility), slugs.accessibility);

  form.assertValid();
  return {
    title,
    description,
    themes,
    subthemes,
    ageMin: ageMin!,
    ageMax: ageMax!,
    groupSize,
    slots,
    periodicity,
    startDate,
    endDate,
    budgetEur,
    venuePreference,
    maxTravelKm,
    accessibilityRequired,
  };
}

const str = (value: number | string | null | undefined) => (value === null || value === undefined ? '' : String(value));

/** The form's values for a stored need, or the defaults of a new one (the ACM's ages). */
export function needFormValues(need: Partial<Need>): Record<string, unknown> {
  return {
    title: need.title ?? '',
    description: need.description ?? '',
    themes: need.themes ?? [],
    subthemes: need.subthemes ?? [],
    ageMin: str(need.ageMin),
    ageMax: str(need.ageMax),
    groupSize: str(need.groupSize),
    slots: need.slots ?? [],
    periodicity: need.periodicity ?? '',
    startDate: need.startDate ?? '',
    endDate: need.endDate ?? '',
    budgetEur: formatters.amountInput(need.budgetEur),
    venuePreference: need.venuePreference ?? [],
    maxTravelKm: str(need.maxTravelKm),
    accessibilityRequired: need.accessibilityRequired ?? [],
  };
}
