import { sql } from 'drizzle-orm';
import { boolean, date, doublePrecision, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { organisations } from './organisations.js';
import { communes } from './territories.js';

export const offerStatuses = ['draft', 'pending', 'published', 'paused', 'archived', 'rejected'] as const;

export const offers = pgTable(
  'offers',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    externalId: text(),
    slug: text().notNull(),
    title: text().notNull(),
    summary: text().notNull().default(''),
    description: text().notNull().default(''),
    themes: text().array().notNull().default([]),
    subthemes: text().array().notNull().default([]),
    formats: text().array().notNull().default([]),
    venue: text({ enum: ['dans-l-accueil', 'chez-le-partenaire', 'autre-lieu'] }).notNull(),
    travelKm: integer(),
    departmentsServed: text().array().notNull().default([]),
    address: text().notNull().default(''),
    postcode: text(),
    codeInsee: text().references(() => communes.codeInsee),
    lat: doublePrecision(),
    lng: doublePrecision(),
    ageMin: integer().notNull(),
    ageMax: integer().notNull(),
    groupMin: integer(),
    groupMax: integer(),
    adultsRequired: integer(),
    slots: text().array().notNull().default([]),
    periodicity: text({ enum: ['ponctuel', 'hebdomadaire', 'quinzaine', 'mensuel', 'cycle'] }),
    sessionsCount: integer(),
    startDate: date({ mode: 'string' }),
    endDate: date({ mode: 'string' }),
    price: text({ enum: ['gratuit', 'payant', 'sur-devis'] }).notNull(),
    priceEur: numeric({ precision: 10, scale: 2 }),
    priceDetails: text(),
    accessibility: text().array().notNull().default([]),
    natures: text().array().notNull().default([]),
    regulated: boolean().notNull().default(false),
    photoPath: text(),
    photoAlt: text(),
    contactEmail: text(),
    status: text({ enum: offerStatuses }).notNull().default('draft'),
    rejectionCode: text(),
    rejectionReason: text(),
    publishedAt: timestamp({ withTimezone: true }),
    /** When it last entered the moderation queue (the queue is ordered by it). */
    submittedAt: timestamp({ withTimezone: true }),
    /** Set by an admin take-down: a resubmission then goes through moderation again. */
    takenDownAt: timestamp({ withTimezone: true }),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('offers_external_id_key').on(t.externalId),
    index('offers_organisation_idx').on(t.organisationId),
    index('offers_status_idx').on(t.status),
    index('offers_end_date_idx').on(t.endDate),
    // Matching candidates (server/matching/matching.repository.ts, same expressions): where an
    // activity happens, how far a travelling partner reaches, the départements it serves, the rest.
    index('offers_match_place_idx')
      .using('gist', sql`point(${t.lng}, ${t.lat})`)
      .where(sql`status = 'published' and venue <> 'dans-l-accueil' and lat is not null and lng is not null`),
    index('offers_match_reach_idx')
      .using('gist', offerReachBox(sql``))
      .where(sql`status = 'published' and venue = 'dans-l-accueil' and travel_km is not null and lat is not null and lng is not null`),
    index('offers_match_departments_idx').using('gin', t.departmentsServed).where(sql`status = 'published' and venue = 'dans-l-accueil'`),
    index('offers_match_unplaced_idx')
      .on(t.id)
      .where(sql`status = 'published' and (lat is null or lng is null or (venue = 'dans-l-accueil' and travel_km is null))`),
  ],
);

/**
 * The box a partner travelling up to travel_km from its place reaches, in degrees, a little wider
 * than the matching's test (its longitude span uses the cosine of the farthest latitude reached),
 * so that an index on it finds every offer the test keeps. `alias` is "" or "o.".
 */
export function offerReachBox(alias: ReturnType<typeof sql>) {
  const dLat = sql`${alias}travel_km * 1.11 / 111.2`;
  const dLng = sql`${alias}travel_km * 1.11 / (111.2 * greatest(0.2, cos(radians(least(90, abs(${alias}lat) + ${dLat})))))`;
  return sql`box(point(${alias}lng - ${dLng}, ${alias}lat - ${dLat}), point(${alias}lng + ${dLng}, ${alias}lat + ${dLat}))`;
}

export const offerReports = pgTable(
  'offer_reports',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    offerId: integer()
      .notNull()
      .references(() => offers.id, { onDelete: 'cascade' }),
    reporterId: integer().references(() => users.id, { onDelete: 'set null' }),
    reason: text().notNull(),
    message: text().notNull().default(''),
    status: text({ enum: ['open', 'dismissed', 'actioned'] })
      .notNull()
      .default('open'),
    resolvedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('offer_reports_status_idx').on(t.status)],
);

/** Bulk imports run from the admin area: the uploaded file, its dry run, then its report. */
export const offerImports = pgTable(
  'offer_imports',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    filename: text().notNull(),
    /** Storage key of the uploaded CSV, kept between the dry run and the run. */
    storageKey: text().notNull(),
    /** Storage key of the rejected rows (CSV with line and reason), if any. */
    rejectsKey: text(),
    status: text({ enum: ['previewed', 'done', 'failed'] })
      .notNull()
      .default('previewed'),
    imported: integer().notNull().default(0),
    updated: integer().notNull().default(0),
    rejected: integer().notNull().default(0),
    /** The first errors: [{ line, reason }]. */
    errors: jsonb().$type<{ line: number; reason: string }[]>().notNull().default([]),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('offer_imports_created_idx').on(t.createdAt)],
);
