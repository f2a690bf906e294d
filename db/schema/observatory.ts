import { date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Searches that found nothing (unmet demand), without anything personal: no IP address, no user,
 * no typed text; the place is the commune nearest the search's centre (or the commune or
 * département filtered on), the time only a day.
 */
export const unmetSearches = pgTable(
  'unmet_searches',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    communeCode: text(),
    departmentCode: text().notNull(),
    theme: text(),
    age: smallint(),
    radiusKm: smallint(),
    /** ISO weekday in Paris: 1 Monday … 7 Sunday. */
    weekday: smallint().notNull(),
    searchedOn: date({ mode: 'string' }).notNull(),
    source: text({ enum: ['page', 'api'] }).notNull(),
  },
  (t) => [index('unmet_searches_department_idx').on(t.departmentCode, t.searchedOn), index('unmet_searches_commune_idx').on(t.communeCode)],
);

/** The public statistics of a territory, computed by a job (never per page view). */
export const territoryStatistics = pgTable(
  'territory_statistics',
  {
    level: text({ enum: ['region', 'department', 'epci', 'commune'] }).notNull(),
    code: text().notNull(),
    figures: jsonb().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.code] })],
);

/**
 * The coverage ("zones blanches") of a coordinator's territory for one radius: per commune with an
 * ACM, the offers that can serve it per theme × age band. Computed by a job for the default radius
 * (and on demand, then kept, for another radius), never per page view.
 */
export const territoryCoverage = pgTable(
  'territory_coverage',
  {
    level: text({ enum: ['region', 'department', 'commune'] }).notNull(),
    code: text().notNull(),
    radiusKm: smallint().notNull(),
    figures: jsonb().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.code, t.radiusKm] })],
);

/**
 * The coordinator's partnership funnel of a territory (counts and per-month / per-theme
 * breakdown with median delays), computed by a job for the territories viewed so far, never per
 * page view: the page and its CSV exports read this one row.
 */
export const territoryFunnel = pgTable(
  'territory_funnel',
  {
    level: text({ enum: ['region', 'department', 'epci', 'commune'] }).notNull(),
    code: text().notNull(),
    figures: jsonb().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.code] })],
);

/**
 * One row (id 1): when a write that may change the territory figures (funnel, coverage, public
 * statistics) last happened. The refresh jobs recompute every stored row computed before it.
 */
export const figuresDirty = pgTable('figures_dirty', {
  id: smallint().primaryKey(),
  since: timestamp({ withTimezone: true }).notNull(),
});
