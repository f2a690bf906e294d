import { date, doublePrecision, index, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { organisations } from './organisations.js';
import { communes } from './territories.js';

export const needStatuses = ['open', 'fulfilled', 'closed'] as const;

/**
 * Needs (besoins) posted by ACMs. The location is copied from the ACM when the need is saved, so
 * search and matching read one row (and a need keeps the place it was posted for).
 */
export const needs = pgTable(
  'needs',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    acmId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    description: text().notNull().default(''),
    themes: text().array().notNull().default([]),
    subthemes: text().array().notNull().default([]),
    ageMin: integer().notNull(),
    ageMax: integer().notNull(),
    groupSize: integer(),
    slots: text().array().notNull().default([]),
    periodicity: text({ enum: ['ponctuel', 'hebdomadaire', 'quinzaine', 'mensuel', 'cycle'] }),
    startDate: date({ mode: 'string' }),
    endDate: date({ mode: 'string' }),
    budgetEur: numeric({ precision: 10, scale: 2 }),
    venuePreference: text().array().notNull().default([]),
    /** How far the group can travel to the partner's place (km); null: the default distance. */
    maxTravelKm: integer(),
    accessibilityRequired: text().array().notNull().default([]),
    status: text({ enum: needStatuses }).notNull().default('open'),
    closedAt: timestamp({ withTimezone: true }),
    // Copied from the ACM.
    codeInsee: text().references(() => communes.codeInsee),
    departmentCode: text(),
    lat: doublePrecision(),
    lng: doublePrecision(),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('needs_acm_idx').on(t.acmId), index('needs_status_idx').on(t.status), index('needs_status_created_idx').on(t.status, t.createdAt)],
);
