import { sql } from 'drizzle-orm';
import { bigint, customType, date, doublePrecision, index, integer, jsonb, pgTable, point, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
/** earthdistance points and boxes (cube); written by SQL (ll_to_earth, earth_box), never read by the app. */
const cube = customType<{ data: string }>({ dataType: () => 'cube' });

/**
 * The PostgreSQL search engine's documents: one denormalised row per published offer, written by
 * the outbox worker only (search/postgres). Filters are arrays (GIN) or scalars, facets also have
 * bit masks (search/taxonomy-bits.ts), `doc` is the API item ready to send.
 */
export const searchOffers = pgTable(
  'search_offers',
  {
    id: integer().primaryKey(),
    organisationId: integer().notNull(),
    title: text().notNull(),
    doc: jsonb().$type<Record<string, unknown>>().notNull(),
    themes: text().array().notNull(),
    subthemes: text().array().notNull(),
    formats: text().array().notNull(),
    accessibility: text().array().notNull(),
    natures: text().array().notNull(),
    slots: text().array().notNull(),
    ageBands: text().array().notNull(),
    venue: text().notNull(),
    price: text().notNull(),
    orgType: text(),
    ageMin: integer().notNull(),
    ageMax: integer().notNull(),
    themeBits: integer().notNull(),
    ageBits: integer().notNull(),
    formatBits: integer().notNull(),
    venueBits: integer().notNull(),
    priceBits: integer().notNull(),
    accessBits: integer().notNull(),
    orgBits: integer().notNull(),
    /** Sub-themes 0–30 and 31+ (search/facets.ts): more than one 32-bit mask. */
    subthemeBits: integer().notNull().default(0),
    subthemeBits2: integer().notNull().default(0),
    slotBits: integer().notNull().default(0),
    /** Availability period of the offer (open-ended when null). */
    startDate: date({ mode: 'string' }),
    endDate: date({ mode: 'string' }),
    lat: doublePrecision(),
    lng: doublePrecision(),
    /** ll_to_earth(lat, lng). */
    pt: cube(),
    lnglat: point({ mode: 'tuple' }),
    travelKm: integer(),
    /** earth_box around the base, travel_km wide, for offers that come to the ACM. */
    travelArea: cube(),
    codeInsee: text(),
    department: text(),
    region: text(),
    departmentsServed: text().array().notNull(),
    /** Own département plus the ones served (comes-to-you offers), for the territory filters. */
    departments: text().array().notNull(),
    regions: text().array().notNull(),
    tsv: tsvector().notNull(),
    publishedAt: timestamp({ withTimezone: true }),
    indexedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('search_offers_tsv_idx').using('gin', t.tsv),
    index('search_offers_pt_idx').using('gist', t.pt),
    index('search_offers_travel_idx').using('gist', t.travelArea).where(sql`${t.travelArea} is not null`),
    index('search_offers_lnglat_idx').using('gist', t.lnglat),
    index('search_offers_themes_idx').using('gin', t.themes),
    index('search_offers_subthemes_idx').using('gin', t.subthemes),
    index('search_offers_departments_idx').using('gin', t.departments),
    index('search_offers_regions_idx').using('gin', t.regions),
    index('search_offers_recent_idx').on(t.publishedAt.desc(), t.id.desc()),
    index('search_offers_organisation_idx').on(t.organisationId),
  ],
);

/** Every word of the indexed texts, for typo tolerance (trigram similarity and sorted letters). */
export const searchWords = pgTable(
  'search_words',
  {
    word: text().primaryKey(),
    /** The letters sorted: a swap of two letters ("jduo") finds the word ("judo"). */
    sig: text().notNull(),
  },
  (t) => [index('search_words_trgm_idx').using('gin', t.word.op('gin_trgm_ops')), index('search_words_sig_idx').on(t.sig)],
);

/** Query expansions: a normalised term ("foot") and what it also means ("football"). */
export const searchSynonyms = pgTable(
  'search_synonyms',
  {
    term: text().notNull(),
    expansion: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.term, t.expansion] })],
);

/** A version per document kind, bumped on each index write: cached results are keyed by it. */
export const searchState = pgTable('search_state', {
  kind: text().primaryKey(),
  version: bigint({ mode: 'number' }).notNull().default(0),
  rebuiltAt: timestamp({ withTimezone: true }),
});

/**
 * The offers each version of the index changed (offer 0: all of them, after a rebuild), so that
 * another instance catches its in-memory snapshot up from its own version instead of reloading
 * everything. Old versions are pruned.
 */
export const searchOfferChanges = pgTable(
  'search_offer_changes',
  {
    version: bigint({ mode: 'number' }).notNull(),
    offerId: integer().notNull(),
  },
  (t) => [index('search_offer_changes_version_idx').on(t.version)],
);
