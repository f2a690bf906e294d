import { date, index, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { organisations } from './organisations.js';

/** Needs (besoins) posted by ACMs. */
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
    startDate: date({ mode: 'string' }),
    endDate: date({ mode: 'string' }),
    budgetEur: numeric({ precision: 10, scale: 2 }),
    venuePreference: text().array().notNull().default([]),
    accessibilityRequired: text().array().notNull().default([]),
    status: text({ enum: ['open', 'fulfilled', 'closed'] })
      .notNull()
      .default('open'),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('needs_acm_idx').on(t.acmId), index('needs_status_idx').on(t.status)],
);
