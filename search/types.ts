/**
 * The search engine contract shared by the PostgreSQL and Meilisearch engines.
 *
 * Documents are grouped by kind. Only offers exist today; adding a kind (e.g. "need") means:
 * a document type and a loader in search/documents.ts, a case in the worker's `kindOf` and in
 * each engine's index/remove/rebuild/count (a `search_needs` table or a `needs` index), and a
 * search method with its own query type. The outbox already carries 'need' rows.
 */

import type { NeedIndex } from './need-index.js';

export type DocumentKind = 'offer';

/** An offer as both engines index it (built from the database by search/documents.ts). */
export interface OfferDocument {
  id: number;
  organisationId: number;
  externalId: string | null;
  slug: string;
  title: string;
  summary: string;
  description: string;
  themes: string[];
  subthemes: string[];
  /** French labels of the themes and sub-themes (searchable text). */
  themeLabels: string[];
  subthemeLabels: string[];
  formats: string[];
  venue: string;
  travelKm: number | null;
  departmentsServed: string[];
  /** Régions of the départements served. */
  regionsServed: string[];
  ageMin: number;
  ageMax: number;
  ageBands: string[];
  price: string;
  accessibility: string[];
  natures: string[];
  slots: string[];
  /** Availability period (ISO dates), open-ended when null. */
  startDate: string | null;
  endDate: string | null;
  orgName: string;
  orgType: string | null;
  orgSlug: string;
  lat: number | null;
  lng: number | null;
  codeInsee: string | null;
  communeName: string | null;
  department: string | null;
  region: string | null;
  /** ISO date-time. */
  publishedAt: string | null;
  /** The photo's storage key and its alt text (the cards show its thumbnail), null without one. */
  photoPath: string | null;
  photoAlt: string | null;
}

export const facetNames = ['theme', 'subtheme', 'age_band', 'format', 'venue', 'price', 'accessibility', 'org_type', 'slot'] as const;
export type FacetName = (typeof facetNames)[number];
export type Facets = Record<FacetName, Record<string, number>>;

/** A commune given as a filter, resolved beforehand (centre and département). */
export interface CommuneFilter {
  code: string;
  lat: number;
  lng: number;
  department: string;
}

/**
 * An intercommunalité given as a filter, resolved beforehand: the codes of its communes (with the
 * arrondissements of Paris, Lyon and Marseille) and its départements. An offer matches as for a
 * département: based in one of the communes, or coming to the ACM with one of the départements served.
 */
export interface EpciFilter {
  code: string;
  name: string;
  communes: string[];
  departments: string[];
}

export interface Near {
  lat: number;
  lng: number;
  radiusKm: number;
}

/** An age range: offers whose own range overlaps it ("de 8 à 11 ans"). */
export interface AgeRange {
  min: number;
  max: number;
}

/** Availability dates (ISO): offers available at some point between them (open-ended when absent). */
export interface Period {
  from?: string;
  to?: string;
}

export interface BBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** Filters of PRODUCT.md: OR within a list, AND across. Absent or empty = no filter. */
export interface OfferFilters {
  q?: string;
  theme?: string[];
  subtheme?: string[];
  age?: number;
  ageRange?: AgeRange;
  ageBand?: string[];
  format?: string[];
  venue?: string[];
  price?: string[];
  accessibility?: string[];
  orgType?: string[];
  nature?: string[];
  slot?: string[];
  period?: Period;
  near?: Near;
  /**
   * Offers that come to this place (an ACM): venue « dans-l-accueil », and the point within their
   * travel radius or its département among the départements served.
   */
  comesTo?: { lat: number; lng: number; department: string | null /** The commune it was given as (API parameter comes_to). */; code?: string };
  bbox?: BBox;
  commune?: CommuneFilter[];
  department?: string[];
  epci?: EpciFilter[];
  region?: string[];
  organisationId?: number;
}

export type SortOrder = 'relevance' | 'distance' | 'recent';

export interface OfferSearch extends OfferFilters {
  sort: SortOrder;
  page: number;
  /** 0 counts only: the total and facets, no items (the API asks for 1 at least). */
  perPage: number;
}

export interface OfferHit {
  document: StoredOffer;
  /** Distance from `near` to the offer's base, when near is given. */
  distanceKm: number | null;
}

/** What engines return for display: the indexed fields needed by the API item and the cards. */
export type StoredOffer = Omit<OfferDocument, 'description' | 'themeLabels' | 'subthemeLabels' | 'regionsServed'>;

export interface OfferSearchResult {
  total: number;
  page: number;
  perPage: number;
  items: OfferHit[];
  facets: Facets;
  /** Normalised words that matched (query words, synonyms, typo corrections), for highlighting. */
  terms: string[];
  /** Corrections applied to misspelt words ("jduo" → "judo"). */
  corrections: Record<string, string[]>;
}

export interface MapQuery extends OfferFilters {
  bbox: BBox;
  zoom: number;
}

export type MapFeature =
  | {
      type: 'Feature';
      geometry: { type: 'Point'; coordinates: [number, number] };
      properties: { cluster: true; count: number; bbox: [number, number, number, number] };
    }
  | {
      type: 'Feature';
      geometry: { type: 'Point'; coordinates: [number, number] };
      properties: {
        cluster: false;
        count: 1;
        id: number;
        title: string;
        path: string;
        organisation: string;
        venue: string;
        travel_km: number | null;
        /** Its first theme (the marker's colour). */
        theme: string | null;
      };
    };

export interface MapResult {
  type: 'FeatureCollection';
  total: number;
  clustered: boolean;
  features: MapFeature[];
}

export interface SearchEngine {
  readonly name: 'postgres' | 'meilisearch';
  /** Adds or replaces documents (idempotent). */
  index(kind: DocumentKind, documents: OfferDocument[]): Promise<void>;
  /** Removes documents by id (missing ids are fine). */
  remove(kind: DocumentKind, ids: number[]): Promise<void>;
  /** Replaces the whole index with the documents given, batch after batch; searches keep working meanwhile. */
  rebuild(kind: DocumentKind, batches: AsyncIterable<OfferDocument[]>): Promise<{ count: number }>;
  count(kind: DocumentKind): Promise<number>;
  searchOffers(query: OfferSearch): Promise<OfferSearchResult>;
  mapOffers(query: MapQuery): Promise<MapResult>;
  /** Titles and sub-theme labels for the query box while typing. */
  suggest(q: string, limit: number): Promise<string[]>;
  close(): Promise<void>;
  /** Documents of kind "need" (ACM needs, for signed-in partners): search/need-index.ts. */
  readonly needs: NeedIndex;
}
