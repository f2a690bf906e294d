import { createHash } from 'node:crypto';
import { type OfferFacts, rankMatches, type Wish } from '../../../server/matching/score.js';
import { generateCatalogue } from './catalogue.js';
import { relevantOffers } from './labels.js';
import { evalNeeds } from './needs.js';
import type { EvalNeed, EvalOffer } from './types.js';

/** Runs the app's ranking (server/matching/score.ts) on the evaluation set and measures it against the labels. */

export function wishOf(need: EvalNeed): Wish {
  return {
    themes: need.themes,
    subthemes: need.subthemes,
    ageMin: need.ageMin,
    ageMax: need.ageMax,
    groupSize: need.groupSize,
    slots: need.slots,
    startDate: need.startDate,
    endDate: need.endDate,
    budgetEur: need.budgetEur,
    venuePreference: need.venuePreference,
    maxTravelKm: need.maxTravelKm,
    accessibilityRequired: need.accessibilityRequired,
    location: { lat: need.acm.lat, lng: need.acm.lng },
    departmentCode: need.acm.department,
  };
}

export function factsOf(offer: EvalOffer): OfferFacts {
  return {
    themes: offer.themes,
    subthemes: offer.subthemes,
    ageMin: offer.ageMin,
    ageMax: offer.ageMax,
    venue: offer.venue,
    travelKm: offer.travelKm,
    departmentsServed: offer.departmentsServed,
    location: offer.place,
    base: offer.base,
    groupMin: offer.groupMin,
    groupMax: offer.groupMax,
    slots: offer.slots,
    startDate: offer.startDate,
    endDate: offer.endDate,
    price: offer.price,
    priceEur: offer.priceEur,
    accessibility: offer.accessibility,
    partnerVerified: offer.verified,
    responsiveness: offer.answeredRate === null ? null : { answeredRate: offer.answeredRate, medianHours: null },
  };
}

export interface NeedResult {
  need: EvalNeed;
  relevant: number[];
  suggested: number[];
  precisionAt5: number;
  recallAt10: number;
}

export interface EvalReport {
  needs: NeedResult[];
  precisionAt5: number;
  /** The best precision@5 any ranking could reach with these labels (needs with fewer than 5 relevant offers). */
  idealPrecisionAt5: number;
  recallAt10: number;
  catalogueSize: number;
  /** Changes when the catalogue, the needs or the labelling rules change. */
  fingerprint: string;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

export function evaluate(): EvalReport {
  const catalogue = generateCatalogue();
  const results: NeedResult[] = evalNeeds.map((need) => {
    const relevant = relevantOffers(need, catalogue);
    const suggested = rankMatches(wishOf(need), catalogue, factsOf, { limit: 10 }).map((r) => r.item.id);
    const hits = (k: number) => suggested.slice(0, k).filter((id) => relevant.includes(id)).length;
    return { need, relevant, suggested, precisionAt5: hits(5) / 5, recallAt10: relevant.length === 0 ? 1 : hits(10) / relevant.length };
  });
  const scored = results.filter((r) => r.relevant.length > 0);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ catalogue, needs: evalNeeds, labels: results.map((r) => r.relevant) }))
    .digest('hex')
    .slice(0, 16);
  return {
    needs: results,
    precisionAt5: mean(scored.map((r) => r.precisionAt5)),
    idealPrecisionAt5: mean(scored.map((r) => Math.min(5, r.relevant.length) / 5)),
    recallAt10: mean(scored.map((r) => r.recallAt10)),
    catalogueSize: catalogue.length,
    fingerprint,
  };
}
