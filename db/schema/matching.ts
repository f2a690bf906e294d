import { sql } from 'drizzle-orm';
import { customType, doublePrecision, index, integer, jsonb, pgTable, point, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { needs } from './needs.js';
import { organisations } from './organisations.js';

/** A search (of offers or of needs) a user saved, with an optional email alert. */
export const savedSearches = pgTable(
  'saved_searches',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text({ enum: ['offer', 'need'] }).notNull(),
    name: text().notNull(),
    /** The search's query string, normalised (no page, no empty values), without "?". */
    query: text().notNull().default(''),
    frequency: text({ enum: ['daily', 'weekly', 'none'] })
      .notNull()
      .default('weekly'),
    /** Random token of the one-click unsubscribe link (it only turns the alert off). */
    unsubscribeToken: text().notNull(),
    /** Items published after this instant are "new" for the next alert. */
    lastCheckedAt: timestamp({ withTimezone: true }).notNull(),
    lastSentAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('saved_searches_user_idx').on(t.userId), uniqueIndex('saved_searches_unsubscribe_key').on(t.unsubscribeToken)],
);

/** Items already sent by an alert: an item is never sent twice for the same saved search. */
export const savedSearchSentItems = pgTable(
  'saved_search_sent_items',
  {
    savedSearchId: integer()
      .notNull()
      .references(() => savedSearches.id, { onDelete: 'cascade' }),
    itemId: integer().notNull(),
    sentAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.savedSearchId, t.itemId] })],
);

/** Partners already told about a new need (need_match notifications are sent once per partner). */
export const needMatchNotices = pgTable(
  'need_match_notices',
  {
    needId: integer()
      .notNull()
      .references(() => needs.id, { onDelete: 'cascade' }),
    partnerId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    offerId: integer(),
    score: integer().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.needId, t.partnerId] })],
);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const cube = customType<{ data: string }>({ dataType: () => 'cube' });

/**
 * The PostgreSQL search engine's documents of kind "need": one row per open need, written by the
 * search outbox worker only (search/need-index.ts). Read by signed-in partners only.
 */
export const searchNeeds = pgTable(
  'search_needs',
  {
    id: integer().primaryKey(),
    acmId: integer().notNull(),
    doc: jsonb().$type<Record<string, unknown>>().notNull(),
    themes: text().array().notNull(),
    subthemes: text().array().notNull(),
    ageMin: integer().notNull(),
    ageMax: integer().notNull(),
    ageBands: text().array().notNull(),
    slots: text().array().notNull(),
    venues: text().array().notNull(),
    accessibility: text().array().notNull(),
    lat: doublePrecision(),
    lng: doublePrecision(),
    /** ll_to_earth(lat, lng). */
    pt: cube(),
    lnglat: point({ mode: 'tuple' }),
    codeInsee: text(),
    department: text(),
    region: text(),
    tsv: tsvector().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    indexedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('search_needs_tsv_idx').using('gin', t.tsv),
    index('search_needs_pt_idx').using('gist', t.pt),
    index('search_needs_lnglat_idx').using('gist', t.lnglat),
    index('search_needs_created_idx').on(t.createdAt.desc(), t.id.desc()),
  ],
);

/**
 * The dashboards' suggestions, stored by the matching-suggestions job (server/matching/stored-suggestions.ts):
 * for an ACM's profile and each open need the ranked offer ids, for a partner the ranked
 * [need id, offer id] pairs. Pages re-read and re-score these few rows; a write nearby marks the row stale
 * (the job then recomputes it).
 */
export const matchingSuggestions = pgTable(
  'matching_suggestions',
  {
    kind: text({ enum: ['acm', 'need', 'partner'] }).notNull(),
    subjectId: integer().notNull(),
    items: jsonb().$type<number[] | [number, number][]>().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull(),
    /** When a write nearby may have changed the ranking: the row is stale while this is after computedAt (when its computation started). */
    staleSince: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subjectId] }), index('matching_suggestions_stale_idx').on(t.computedAt).where(sql`stale_since is not null`)],
);

/** How far the matching-suggestions job has read the search outbox (one row, id 1). */
export const matchingSuggestionsCursor = pgTable('matching_suggestions_cursor', {
  id: smallint().primaryKey(),
  outboxId: integer().notNull(),
});
