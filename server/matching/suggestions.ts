import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { AGE_MIN } from '../kernel/taxonomy.js';
import {
  type AcmCandidate,
  acmCandidates,
  boxAround,
  type NeedCandidate,
  needCandidates,
  type OfferCandidate,
  offerCandidates,
  openNeedsOfAcms,
  publishedOffersOf,
  unionBox,
} from './matching.repository.js';
import { responsivenessOf } from './responsiveness.js';
import {
  DEFAULT_MAX_TRAVEL_KM,
  hasRequiredTheme,
  type MatchResult,
  type OfferFacts,
  type Ranked,
  type Responsiveness,
  rankMatches,
  requiredThemes,
  SUGGESTION_THRESHOLD,
  scoreMatch,
  type Wish,
} from './score.js';
import { cachedSuggestions } from './suggestion-cache.js';

/** Largest travel distance a need may state (the form's limit): the widest box needs are looked for in. */
const WIDEST_TRIP_KM = 200;

/** Today in Paris: an offer that ended yesterday stops matching at midnight there, not at midnight UTC. */
export function today(deps: Pick<Deps, 'clock'>): string {
  return parisToday(deps.clock.now());
}

const num = (value: string | number | null) => (value === null || value === '' ? null : Number(value));
const point = (lat: number | null, lng: number | null) => (lat === null || lng === null ? null : { lat: Number(lat), lng: Number(lng) });

/** The wish of a need (what the scorer compares offers to). */
export function wishOfNeed(need: Omit<NeedCandidate, 'acmName' | 'acmSlug' | 'communeName' | 'createdAt' | 'acmId' | 'id' | 'title'>): Wish {
  return {
    themes: need.themes,
    subthemes: need.subthemes,
    ageMin: need.ageMin,
    ageMax: need.ageMax,
    groupSize: need.groupSize,
    slots: need.slots,
    startDate: need.startDate,
    endDate: need.endDate,
    budgetEur: num(need.budgetEur),
    venuePreference: need.venuePreference,
    maxTravelKm: need.maxTravelKm,
    accessibilityRequired: need.accessibilityRequired,
    location: point(need.lat, need.lng),
    departmentCode: need.departmentCode,
  };
}

/** The wish of an ACM without a need: its themes of interest, ages and place. */
export function wishOfAcm(acm: AcmCandidate): Wish {
  return {
    themes: acm.themes,
    subthemes: [],
    ageMin: acm.ageMin ?? AGE_MIN,
    ageMax: acm.ageMax ?? Math.max(acm.ageMin ?? AGE_MIN, 11),
    groupSize: null,
    slots: [],
    startDate: null,
    endDate: null,
    budgetEur: null,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
    location: point(acm.lat, acm.lng),
    departmentCode: acm.departmentCode,
  };
}

export function factsOfOffer(offer: OfferCandidate, responsiveness: Map<number, Responsiveness>): OfferFacts {
  const place = point(offer.lat, offer.lng) ?? point(offer.partnerLat, offer.partnerLng);
  return {
    themes: offer.themes,
    subthemes: offer.subthemes,
    ageMin: offer.ageMin,
    ageMax: offer.ageMax,
    venue: offer.venue,
    travelKm: offer.travelKm,
    departmentsServed: offer.departmentsServed,
    location: place,
    base: place,
    groupMin: offer.groupMin,
    groupMax: offer.groupMax,
    slots: offer.slots,
    startDate: offer.startDate,
    endDate: offer.endDate,
    price: offer.price,
    priceEur: num(offer.priceEur),
    accessibility: offer.accessibility,
    partnerVerified: offer.partnerStatus === 'verified',
    responsiveness: responsiveness.get(offer.partnerId) ?? null,
  };
}

/**
 * Ranked offers for a wish: candidates from the database (cheap prefilters, the wish's themes
 * when the threshold needs them), then exact scoring; kept in the suggestion cache.
 */
export async function suggestOffers(
  deps: Pick<Deps, 'db' | 'clock'>,
  wish: Wish,
  options: { limit?: number; threshold?: number } = {},
): Promise<Ranked<OfferCandidate>[]> {
  const question = JSON.stringify(['offers', wish, options.limit ?? 10, options.threshold ?? null]);
  return cachedSuggestions(deps, question, () => rankOffers(deps, wish, options));
}

/** suggestOffers without the cache. */
export async function rankOffers(
  deps: Pick<Deps, 'db' | 'clock'>,
  wish: Wish,
  options: { limit?: number; threshold?: number } = {},
): Promise<Ranked<OfferCandidate>[]> {
  const threshold = options.threshold ?? SUGGESTION_THRESHOLD;
  const candidates = await offerCandidates(
    deps.db,
    {
      ageMin: wish.ageMin,
      ageMax: wish.ageMax,
      location: wish.location,
      departmentCode: wish.departmentCode,
      tripKm: wish.maxTravelKm ?? DEFAULT_MAX_TRAVEL_KM,
    },
    { today: today(deps), themes: requiredThemes(wish, threshold) ?? undefined },
  );
  const responsiveness = await responsivenessOf(deps.db, [...new Set(candidates.map((c) => c.partnerId))], deps.clock.now());
  return rankMatches(wish, candidates, (offer) => factsOfOffer(offer, responsiveness), { limit: options.limit ?? 10, threshold });
}

/** The box where an offer may meet a need: its travel radius, or the widest trip a group accepts. */
function reachBox(offer: OfferCandidate) {
  const place = point(offer.lat, offer.lng) ?? point(offer.partnerLat, offer.partnerLng);
  if (!place) return null;
  return boxAround(place, offer.venue === 'dans-l-accueil' ? (offer.travelKm ?? 0) : WIDEST_TRIP_KM);
}

export interface NeedSuggestion {
  need: NeedCandidate;
  offer: OfferCandidate;
  match: MatchResult;
}

/** Open needs that a partner's offers answer well: the best offer for each need, best first. */
export async function suggestNeedsForOffers(deps: Pick<Deps, 'db' | 'clock'>, offers: OfferCandidate[], options: { limit?: number; threshold?: number } = {}) {
  if (offers.length === 0) return [];
  const box = unionBox(offers.map(reachBox).filter((b): b is NonNullable<typeof b> => b !== null));
  const departments = [...new Set(offers.flatMap((o) => (o.venue === 'dans-l-accueil' ? o.departmentsServed : [])))];
  const needs = await needCandidates(
    deps.db,
    { box, departments, ageMin: Math.min(...offers.map((o) => o.ageMin)), ageMax: Math.max(...offers.map((o) => o.ageMax)) },
    { today: today(deps) },
  );
  const responsiveness = await responsivenessOf(deps.db, [...new Set(offers.map((o) => o.partnerId))], deps.clock.now());
  return bestNeedsFor(needs, offers, responsiveness, options);
}

/** For each need, the best of the offers when it reaches the threshold; best first (needs in needCandidates' order). */
export function bestNeedsFor(
  needs: NeedCandidate[],
  offers: OfferCandidate[],
  responsiveness: Map<number, Responsiveness>,
  options: { limit?: number; threshold?: number } = {},
): NeedSuggestion[] {
  const threshold = options.threshold ?? SUGGESTION_THRESHOLD;
  const best: NeedSuggestion[] = [];
  for (const need of needs) {
    const wish = wishOfNeed(need);
    // Offers of another theme never reach the threshold: not scored.
    const required = requiredThemes(wish, threshold);
    const fitting = required ? offers.filter((offer) => hasRequiredTheme(required, offer)) : offers;
    if (fitting.length === 0) continue;
    const ranked = rankMatches(wish, fitting, (offer) => factsOfOffer(offer, responsiveness), { limit: 1, threshold });
    if (ranked[0]) best.push({ need, offer: ranked[0].item, match: ranked[0].match });
  }
  best.sort((a, b) => b.match.score - a.match.score || (a.match.distanceKm ?? 1e9) - (b.match.distanceKm ?? 1e9));
  return best.slice(0, options.limit ?? 10);
}

/** The partner dashboard's needs, kept in the suggestion cache (the partner's offers and the needs are in its key). */
export async function suggestNeedsForPartner(deps: Pick<Deps, 'db' | 'clock'>, partnerId: number, options: { limit?: number } = {}) {
  return cachedSuggestions(deps, JSON.stringify(['needs-for-partner', partnerId, options.limit ?? 10]), async () =>
    suggestNeedsForOffers(deps, await publishedOffersOf(deps.db, [partnerId]), options),
  );
}

interface AcmSuggestion {
  acm: AcmCandidate;
  /** The ACM's open needs this offer answers (best first). */
  needs: { need: NeedCandidate; match: MatchResult }[];
  /** The best match: a need's, or the ACM profile's. */
  match: MatchResult;
}

/** ACMs an offer may interest: scored against each ACM's open needs and its profile; best first. */
export async function suggestAcmsForOffer(deps: Pick<Deps, 'db' | 'clock'>, offer: OfferCandidate, options: { limit?: number; threshold?: number } = {}) {
  const box = reachBox(offer);
  const acms = await acmCandidates(deps.db, { box, departments: offer.venue === 'dans-l-accueil' ? offer.departmentsServed : [] });
  const needs = await openNeedsOfAcms(
    deps.db,
    acms.map((a) => a.id),
    today(deps),
  );
  const responsiveness = await responsivenessOf(deps.db, [offer.partnerId], deps.clock.now());
  const facts = factsOfOffer(offer, responsiveness);
  const threshold = options.threshold ?? SUGGESTION_THRESHOLD;
  const suggestions: AcmSuggestion[] = [];
  for (const acm of acms) {
    const needMatches = needs
      .filter((n) => n.acmId === acm.id)
      .map((need) => ({ need, match: scoreMatch(wishOfNeed(need), facts) }))
      .filter((m) => !m.match.excluded && m.match.score >= threshold)
      .sort((a, b) => b.match.score - a.match.score);
    const profile = scoreMatch(wishOfAcm(acm), facts);
    const best = needMatches[0]?.match ?? profile;
    if (best.excluded || best.score < threshold) continue;
    suggestions.push({ acm, needs: needMatches, match: best });
  }
  suggestions.sort((a, b) => b.needs.length - a.needs.length || b.match.score - a.match.score || (a.match.distanceKm ?? 1e9) - (b.match.distanceKm ?? 1e9));
  return suggestions.slice(0, options.limit ?? 8);
}
