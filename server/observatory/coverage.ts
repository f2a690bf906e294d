import { distanceKm } from '../kernel/distance.js';

/** The radius of the coverage figures: the distance an ACM group can reasonably travel on a Wednesday. */
export const COVERAGE_RADIUS_KM = 15;

export interface CoverageOffer {
  themes: string[];
  lat: number;
  lng: number;
  /** Travel radius of an offer that comes to the ACM; null otherwise. */
  travelKm: number | null;
}

interface CoveragePlace {
  code: string;
  lat: number;
  lng: number;
}

/**
 * The search's distance rule (search/snapshot.ts): an offer serves a point when its base is within
 * the radius, or when it comes to the ACM and the point is inside its travel radius.
 */
export function servesPoint(offer: CoverageOffer, lat: number, lng: number, radiusKm: number): boolean {
  const d = distanceKm(lat, lng, offer.lat, offer.lng);
  return d <= radiusKm || (offer.travelKm !== null && offer.travelKm > 0 && d <= offer.travelKm);
}

/** For each place: how many offers serve it, in all and per theme. */
export function coverageOf(
  places: CoveragePlace[],
  offers: CoverageOffer[],
  radiusKm = COVERAGE_RADIUS_KM,
): Map<string, { offers: number; byTheme: Record<string, number> }> {
  const result = new Map<string, { offers: number; byTheme: Record<string, number> }>();
  for (const place of places) {
    const byTheme: Record<string, number> = {};
    let count = 0;
    for (const offer of offers) {
      if (!servesPoint(offer, place.lat, place.lng, radiusKm)) continue;
      count++;
      for (const theme of offer.themes) byTheme[theme] = (byTheme[theme] ?? 0) + 1;
    }
    result.set(place.code, { offers: count, byTheme });
  }
  return result;
}
