import { wordsOf } from '../../search/facets.js';
import { dayOf, OfferSnapshot, type SnapshotRow } from '../../search/snapshot.js';
import { type FacetName, facetNames } from '../../search/types.js';
import { ageBandsFor } from '../../server/kernel/taxonomy.js';

/** Hand-made offers for the search snapshot's unit tests: every field has a plain default (Lyon, culture, 6–11 years). */
export interface SnapshotOffer {
  id: number;
  themes?: string[];
  subthemes?: string[];
  ageMin?: number;
  ageMax?: number;
  formats?: string[];
  venue?: string;
  price?: string;
  accessibility?: string[];
  orgType?: string;
  natures?: string[];
  slots?: string[];
  lat?: number | null;
  lng?: number | null;
  travelKm?: number | null;
  codeInsee?: string | null;
  departments?: string[];
  regions?: string[];
  departmentsServed?: string[];
  organisationId?: number;
  startDate?: string | null;
  endDate?: string | null;
}

export function snapshotRowOf(o: SnapshotOffer): SnapshotRow {
  const ageMin = o.ageMin ?? 6;
  const ageMax = o.ageMax ?? 11;
  const values: Record<FacetName, string[]> = {
    theme: o.themes ?? ['culture'],
    subtheme: o.subthemes ?? [],
    age_band: ageBandsFor(ageMin, ageMax),
    format: o.formats ?? ['atelier'],
    venue: [o.venue ?? 'chez-le-partenaire'],
    price: [o.price ?? 'gratuit'],
    accessibility: o.accessibility ?? [],
    org_type: [o.orgType ?? 'association'],
    slot: o.slots ?? [],
  };
  return {
    id: o.id,
    bits: facetNames.flatMap((name) => wordsOf(name, values[name])),
    natures: o.natures ?? [],
    age_min: ageMin,
    age_max: ageMax,
    start_day: o.startDate ? dayOf(o.startDate) : null,
    end_day: o.endDate ? dayOf(o.endDate) : null,
    lat: o.lat === undefined ? 45.76 : o.lat,
    lng: o.lng === undefined ? 4.83 : o.lng,
    travel_km: o.travelKm ?? null,
    venue: o.venue ?? 'chez-le-partenaire',
    code_insee: o.codeInsee === undefined ? '69123' : o.codeInsee,
    departments: o.departments ?? ['69'],
    regions: o.regions ?? ['84'],
    departments_served: o.departmentsServed ?? [],
    organisation_id: o.organisationId ?? 1,
    published: 1_700_000_000 - o.id,
    lex_a: null,
    lex_b: null,
    lex_c: null,
  };
}

export function snapshotOf(offers: SnapshotOffer[], version = 1): OfferSnapshot {
  return OfferSnapshot.fromRows(version, offers.map(snapshotRowOf));
}

/** The ids matching the filters, in the snapshot's (recent) order. */
