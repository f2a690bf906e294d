import { distanceKm } from '../kernel/distance.js';
import { labelOf, slots as slotOptions, subthemes as subthemeOptions, themes as themeOptions, venues } from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';

/**
 * The match score between what an ACM looks for (a need, or its profile) and an offer: the one
 * place where matching rules live. Each criterion is explicit and weighted, says met / partial /
 * not met with a French explanation; hard criteria (ages, distance, accessibility required)
 * exclude the offer, the others rank it.
 */

export interface Point {
  lat: number;
  lng: number;
}

/** What the ACM looks for (a need, or the ACM profile turned into one). */
export interface Wish {
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  groupSize: number | null;
  slots: string[];
  startDate: string | null;
  endDate: string | null;
  budgetEur: number | null;
  venuePreference: string[];
  /** How far the group can travel to the partner; null → DEFAULT_MAX_TRAVEL_KM. */
  maxTravelKm: number | null;
  accessibilityRequired: string[];
  /** The ACM's place. */
  location: Point | null;
  departmentCode: string | null;
}

export interface OfferFacts {
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  venue: 'dans-l-accueil' | 'chez-le-partenaire' | 'autre-lieu';
  travelKm: number | null;
  departmentsServed: string[];
  /** Where the activity takes place (chez-le-partenaire / autre-lieu). */
  location: Point | null;
  /** The partner's base, from where it travels (dans-l-accueil). */
  base: Point | null;
  groupMin: number | null;
  groupMax: number | null;
  slots: string[];
  startDate: string | null;
  endDate: string | null;
  price: 'gratuit' | 'payant' | 'sur-devis';
  priceEur: number | null;
  accessibility: string[];
  partnerVerified: boolean;
  /** From the requests domain; null when the partner has not received enough requests yet. */
  responsiveness: Responsiveness | null;
}

export interface Responsiveness {
  /** Share of requests answered (0..1). */
  answeredRate: number;
  /** Median hours before the first reply, when known. */
  medianHours: number | null;
}

export type CriterionKey = 'theme' | 'ages' | 'distance' | 'venue' | 'slots' | 'period' | 'group' | 'price' | 'accessibility' | 'verified' | 'responsiveness';
type CriterionStatus = 'met' | 'partial' | 'not_met';

export interface Criterion {
  key: CriterionKey;
  label: string;
  weight: number;
  status: CriterionStatus;
  /** 0..1, the share of the weight earned. */
  value: number;
  /** A hard criterion not met excludes the offer. */
  excludes: boolean;
  explanation: string;
}

export interface MatchResult {
  /** 0..100. */
  score: number;
  excluded: boolean;
  criteria: Criterion[];
  /** Straight-line distance between the ACM and where the activity happens or the partner's base, when known. */
  distanceKm: number | null;
}

/** Weights sum to 100; criteria that do not apply (nothing asked) drop out of the total. */
export const WEIGHTS: Record<CriterionKey, number> = {
  theme: 30,
  ages: 14,
  distance: 12,
  venue: 8,
  slots: 10,
  period: 5,
  group: 6,
  price: 8,
  accessibility: 3,
  verified: 2,
  responsiveness: 2,
};

const LABELS: Record<CriterionKey, string> = {
  theme: 'Thème',
  ages: 'Âges',
  distance: 'Distance',
  venue: 'Lieu',
  slots: 'Créneau',
  period: 'Période',
  group: 'Taille du groupe',
  price: 'Tarif',
  accessibility: 'Accessibilité',
  verified: 'Structure vérifiée',
  responsiveness: 'Réactivité',
};

/** How far a group goes to a partner when the ACM did not say. */
export const DEFAULT_MAX_TRAVEL_KM = 25;
/**
 * Suggestions keep offers from this score up. The theme weighs 30: an offer of another theme than
 * the one asked for scores 70 at most and is never suggested, however close and cheap it is.
 */
export const SUGGESTION_THRESHOLD = 72;

/**
 * The best score of an offer whose theme criterion is not met: the theme weighs 30 of at most 100,
 * so round(100 × (total − 30) / total) ≤ 70 whatever criteria apply.
 */
const BEST_SCORE_OFF_THEME = 100 - WEIGHTS.theme;

/**
 * The themes and sub-themes one of which an offer must have to reach `threshold` for this wish,
 * or null when any offer may (the wish names no theme, or the threshold is within reach without it).
 */
export function requiredThemes(wish: Pick<Wish, 'themes' | 'subthemes'>, threshold: number): { themes: string[]; subthemes: string[] } | null {
  if (threshold <= BEST_SCORE_OFF_THEME) return null;
  const themes = [...new Set([...wish.themes, ...wish.subthemes.map(parentTheme).filter((t): t is NonNullable<typeof t> => Boolean(t))])];
  if (themes.length === 0) return null;
  return { themes, subthemes: wish.subthemes };
}

/** Whether an offer with these themes and sub-themes may reach the threshold for a wish with these requirements. */
export function hasRequiredTheme(required: { themes: string[]; subthemes: string[] } | null, offer: Pick<OfferFacts, 'themes' | 'subthemes'>): boolean {
  if (!required) return true;
  return required.themes.some((t) => offer.themes.includes(t)) || required.subthemes.some((s) => offer.subthemes.includes(s));
}

type Partial_ = Omit<Criterion, 'key' | 'label' | 'weight' | 'excludes'> & { excludes?: boolean };

const km = (value: number) => `${value < 10 ? value.toFixed(1).replace('.', ',') : Math.round(value)} km`;
const list = (values: string[]) => (values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} et ${values.at(-1)}`);
const themeLabel = (slug: string) => labelOf(themeOptions, slug);
const subthemeLabel = (slug: string) => labelOf(subthemeOptions, slug);
const ages = (min: number, max: number) => (min === max ? `${min} ans` : `${min}–${max} ans`);
const euros = (value: number) => formatters.euros(value);
const parentTheme = (subtheme: string) => subthemeOptions.find((s) => s.value === subtheme)?.theme;

function theme(wish: Wish, offer: OfferFacts): Partial_ | null {
  const wantedThemes = new Set([...wish.themes, ...wish.subthemes.map(parentTheme).filter((t): t is NonNullable<typeof t> => Boolean(t))]);
  if (wantedThemes.size === 0) return null;
  const sharedSub = wish.subthemes.filter((s) => offer.subthemes.includes(s));
  if (sharedSub.length > 0) return { status: 'met', value: 1, explanation: `Correspond à votre demande : ${list(sharedSub.map(subthemeLabel))}.` };
  const sharedThemes = [...wantedThemes].filter((t) => offer.themes.includes(t));
  if (sharedThemes.length > 0) {
    if (wish.subthemes.length === 0) return { status: 'met', value: 1, explanation: `Thème recherché : ${list(sharedThemes.map(themeLabel))}.` };
    return {
      status: 'partial',
      value: 0.45,
      explanation: `Même thème (${list(sharedThemes.map(themeLabel))}), mais pas ${wish.subthemes.length > 1 ? 'les domaines demandés' : 'le domaine demandé'} (${list(wish.subthemes.map(subthemeLabel))}).`,
    };
  }
  return { status: 'not_met', value: 0, explanation: `Thème différent de celui recherché (${list([...wantedThemes].map(themeLabel))}).` };
}

function ageCriterion(wish: Wish, offer: OfferFacts): Partial_ {
  const low = Math.max(wish.ageMin, offer.ageMin);
  const high = Math.min(wish.ageMax, offer.ageMax);
  if (low > high) {
    return {
      status: 'not_met',
      value: 0,
      excludes: true,
      explanation: `L’offre s’adresse aux ${ages(offer.ageMin, offer.ageMax)}, votre groupe a ${ages(wish.ageMin, wish.ageMax)}.`,
    };
  }
  if (low === wish.ageMin && high === wish.ageMax) return { status: 'met', value: 1, explanation: `Convient aux ${ages(wish.ageMin, wish.ageMax)}.` };
  const covered = (high - low + 1) / (wish.ageMax - wish.ageMin + 1);
  return {
    status: 'partial',
    value: covered >= 0.5 ? covered * 0.8 : covered * 0.4,
    explanation: `Convient à une partie de votre groupe : ${ages(low, high)} (l’offre s’adresse aux ${ages(offer.ageMin, offer.ageMax)}).`,
  };
}

function distance(wish: Wish, offer: OfferFacts): { criterion: Partial_ | null; km: number | null } {
  if (!wish.location) return { criterion: null, km: null };
  if (offer.venue === 'dans-l-accueil') {
    const served = wish.departmentCode !== null && offer.departmentsServed.includes(wish.departmentCode);
    const fromBase = offer.base ? distanceKm(offer.base.lat, offer.base.lng, wish.location.lat, wish.location.lng) : null;
    if (fromBase !== null && offer.travelKm !== null && fromBase <= offer.travelKm) {
      return {
        criterion: { status: 'met', value: 1, explanation: `Le partenaire se déplace dans votre accueil (à ${km(fromBase)}, rayon de ${offer.travelKm} km).` },
        km: fromBase,
      };
    }
    if (served)
      return { criterion: { status: 'met', value: 1, explanation: `Le partenaire se déplace dans votre département (${wish.departmentCode}).` }, km: fromBase };
    if (fromBase === null || (offer.travelKm === null && offer.departmentsServed.length === 0)) {
      return {
        criterion: { status: 'partial', value: 0.5, explanation: 'Le partenaire se déplace, mais sa zone d’intervention n’est pas précisée.' },
        km: fromBase,
      };
    }
    const zone =
      offer.travelKm !== null
        ? `jusqu’à ${offer.travelKm} km`
        : `dans ${offer.departmentsServed.length > 1 ? 'les départements' : 'le département'} ${list(offer.departmentsServed)}`;
    return {
      criterion: { status: 'not_met', value: 0, excludes: true, explanation: `Le partenaire se déplace ${zone} ; votre accueil est à ${km(fromBase)}.` },
      km: fromBase,
    };
  }
  const place = offer.location ?? offer.base;
  if (!place) return { criterion: { status: 'partial', value: 0.5, explanation: 'Le lieu de l’activité n’est pas précisé.' }, km: null };
  const d = distanceKm(wish.location.lat, wish.location.lng, place.lat, place.lng);
  const max = wish.maxTravelKm ?? DEFAULT_MAX_TRAVEL_KM;
  const where = offer.venue === 'chez-le-partenaire' ? 'chez le partenaire' : 'dans un autre lieu';
  if (d > max)
    return { criterion: { status: 'not_met', value: 0, excludes: true, explanation: `L’activité a lieu ${where}, à ${km(d)} : au-delà de ${max} km.` }, km: d };
  if (d <= max / 2)
    return { criterion: { status: 'met', value: 1 - 0.3 * (d / max), explanation: `L’activité a lieu ${where}, à ${km(d)} de votre accueil.` }, km: d };
  return { criterion: { status: 'partial', value: 1 - 0.6 * (d / max), explanation: `L’activité a lieu ${where}, à ${km(d)} : un trajet à prévoir.` }, km: d };
}

function venue(wish: Wish, offer: OfferFacts): Partial_ | null {
  if (wish.venuePreference.length === 0) return null;
  if (wish.venuePreference.includes(offer.venue))
    return { status: 'met', value: 1, explanation: `Lieu souhaité : ${labelOf(venues, offer.venue).toLowerCase()}.` };
  return {
    status: 'not_met',
    value: 0,
    explanation: `Vous préférez : ${list(wish.venuePreference.map((v) => labelOf(venues, v).toLowerCase()))} ; cette offre : ${labelOf(venues, offer.venue).toLowerCase()}.`,
  };
}

/** A half-day offer fits an ACM open all day; a full-day offer does not fit a half-day slot. */
function slotFits(wanted: string, offered: string): boolean {
  return wanted === offered || (wanted === 'mercredi-journee' && offered !== 'mercredi-journee');
}

function slotCriterion(wish: Wish, offer: OfferFacts): Partial_ | null {
  if (wish.slots.length === 0) return null;
  if (offer.slots.length === 0) return { status: 'partial', value: 0.6, explanation: 'Les créneaux du partenaire ne sont pas précisés.' };
  const fitting = offer.slots.filter((o) => wish.slots.some((w) => slotFits(w, o)));
  if (fitting.length > 0)
    return { status: 'met', value: 1, explanation: `Disponible sur votre créneau : ${list(fitting.map((s) => labelOf(slotOptions, s).toLowerCase()))}.` };
  return {
    status: 'not_met',
    value: 0,
    explanation: `Créneaux proposés : ${list(offer.slots.map((s) => labelOf(slotOptions, s).toLowerCase()))} ; vous cherchez : ${list(wish.slots.map((s) => labelOf(slotOptions, s).toLowerCase()))}.`,
  };
}

const dayMs = 86_400_000;
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / dayMs) + 1;

function period(wish: Wish, offer: OfferFacts): Partial_ | null {
  if (!wish.startDate && !wish.endDate) return null;
  if (!offer.startDate && !offer.endDate) return { status: 'met', value: 1, explanation: 'Disponible toute l’année.' };
  const wishStart = wish.startDate ?? '0000-01-01';
  const wishEnd = wish.endDate ?? '9999-12-31';
  const start = [wishStart, offer.startDate ?? wishStart].sort().at(-1)!;
  const end = [wishEnd, offer.endDate ?? wishEnd].sort()[0]!;
  if (start > end) return { status: 'not_met', value: 0, explanation: 'Pas disponible pendant la période souhaitée.' };
  if (start === wishStart && end === wishEnd) return { status: 'met', value: 1, explanation: 'Disponible pendant toute la période souhaitée.' };
  const share = wish.startDate && wish.endDate ? days(start, end) / days(wishStart, wishEnd) : 0.5;
  return { status: 'partial', value: 0.3 + 0.6 * share, explanation: 'Disponible pendant une partie de la période souhaitée.' };
}

function group(wish: Wish, offer: OfferFacts): Partial_ | null {
  const size = wish.groupSize;
  if (size === null) return null;
  const { groupMin: min, groupMax: max } = offer;
  if (min === null && max === null) return { status: 'partial', value: 0.7, explanation: 'Taille de groupe non précisée par le partenaire.' };
  if (max !== null && size > max) {
    if (size <= 2 * max)
      return { status: 'partial', value: 0.4, explanation: `Groupes de ${max} enfants au plus : votre groupe de ${size} devra être partagé.` };
    return { status: 'not_met', value: 0, explanation: `Groupes de ${max} enfants au plus, votre groupe en compte ${size}.` };
  }
  if (min !== null && size < min) return { status: 'partial', value: 0.5, explanation: `Au moins ${min} enfants demandés, votre groupe en compte ${size}.` };
  return { status: 'met', value: 1, explanation: `Adapté à un groupe de ${size} enfants.` };
}

function price(wish: Wish, offer: OfferFacts): Partial_ {
  if (offer.price === 'gratuit') return { status: 'met', value: 1, explanation: 'Gratuit.' };
  if (offer.price === 'sur-devis') return { status: 'partial', value: 0.6, explanation: 'Tarif sur devis.' };
  if (offer.priceEur === null) return { status: 'partial', value: 0.5, explanation: 'Payant, montant non précisé.' };
  if (wish.budgetEur === null) return { status: 'partial', value: 0.7, explanation: `Payant : ${euros(offer.priceEur)}.` };
  if (offer.priceEur <= wish.budgetEur)
    return { status: 'met', value: 1, explanation: `${euros(offer.priceEur)}, dans votre budget (${euros(wish.budgetEur)}).` };
  if (offer.priceEur <= wish.budgetEur * 1.25) {
    return { status: 'partial', value: 0.4, explanation: `${euros(offer.priceEur)}, un peu au-dessus de votre budget (${euros(wish.budgetEur)}).` };
  }
  return { status: 'not_met', value: 0, explanation: `${euros(offer.priceEur)}, au-dessus de votre budget (${euros(wish.budgetEur)}).` };
}

function accessibilityCriterion(wish: Wish, offer: OfferFacts): Partial_ | null {
  if (wish.accessibilityRequired.length === 0) return null;
  const missing = wish.accessibilityRequired.filter((a) => !offer.accessibility.includes(a));
  // Slugs are the adjectives: "handicap moteur et visuel".
  const label = (values: string[]) => `handicap ${list(values)}`;
  if (missing.length === 0) return { status: 'met', value: 1, explanation: `Adapté aux enfants en situation de ${label(wish.accessibilityRequired)}.` };
  return { status: 'not_met', value: 0, excludes: true, explanation: `N’indique pas d’adaptation au ${label(missing)}.` };
}

function verified(offer: OfferFacts): Partial_ {
  return offer.partnerVerified
    ? { status: 'met', value: 1, explanation: 'Structure vérifiée par l’équipe Passerelle.' }
    : { status: 'not_met', value: 0, explanation: 'Structure pas encore vérifiée.' };
}

function responsiveness(offer: OfferFacts): Partial_ | null {
  const r = offer.responsiveness;
  if (!r) return null;
  const rate = `${Math.round(r.answeredRate * 100)} % des demandes reçoivent une réponse`;
  const delay = r.medianHours === null ? '' : r.medianHours < 48 ? ', en général sous 48 h' : `, en ${Math.round(r.medianHours / 24)} jours en général`;
  if (r.answeredRate >= 0.8 && (r.medianHours === null || r.medianHours <= 72))
    return { status: 'met', value: 1, explanation: `Répond vite : ${rate}${delay}.` };
  if (r.answeredRate >= 0.5) return { status: 'partial', value: 0.5, explanation: `${rate}${delay}.` };
  return { status: 'not_met', value: 0, explanation: `${rate}.` };
}

/** Scores one offer for one wish. */
export function scoreMatch(wish: Wish, offer: OfferFacts): MatchResult {
  const place = distance(wish, offer);
  const parts: [CriterionKey, Partial_ | null][] = [
    ['theme', theme(wish, offer)],
    ['ages', ageCriterion(wish, offer)],
    ['distance', place.criterion],
    ['venue', venue(wish, offer)],
    ['slots', slotCriterion(wish, offer)],
    ['period', period(wish, offer)],
    ['group', group(wish, offer)],
    ['price', price(wish, offer)],
    ['accessibility', accessibilityCriterion(wish, offer)],
    ['verified', verified(offer)],
    ['responsiveness', responsiveness(offer)],
  ];
  const criteria: Criterion[] = parts
    .filter((p): p is [CriterionKey, Partial_] => p[1] !== null)
    .map(([key, c]) => ({
      key,
      label: LABELS[key],
      weight: WEIGHTS[key],
      excludes: c.excludes ?? false,
      status: c.status,
      value: c.value,
      explanation: c.explanation,
    }));
  const total = criteria.reduce((sum, c) => sum + c.weight, 0);
  const earned = criteria.reduce((sum, c) => sum + c.weight * c.value, 0);
  const excluded = criteria.some((c) => c.excludes);
  return { score: total === 0 ? 0 : Math.round((100 * earned) / total), excluded, criteria, distanceKm: place.km };
}

export interface Ranked<T> {
  item: T;
  match: MatchResult;
}

/** Exact ranking of prefiltered candidates: excluded ones dropped, best score first, then nearest. */
export function rankMatches<T>(wish: Wish, candidates: T[], facts: (item: T) => OfferFacts, options: { threshold?: number; limit?: number } = {}): Ranked<T>[] {
  const threshold = options.threshold ?? SUGGESTION_THRESHOLD;
  return candidates
    .map((item) => ({ item, match: scoreMatch(wish, facts(item)) }))
    .filter((r) => !r.match.excluded && r.match.score >= threshold)
    .sort((a, b) => b.match.score - a.match.score || (a.match.distanceKm ?? 1e9) - (b.match.distanceKm ?? 1e9))
    .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
}
