import { boolean, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { communes } from './territories.js';

/**
 * Partner organisations and ACMs (accueils) share one table: kind tells them apart, the ACM-only
 * columns are null for partners and the partner-only ones for ACMs.
 */
export const organisations = pgTable(
  'organisations',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    kind: text({ enum: ['partner', 'acm'] }).notNull(),
    name: text().notNull(),
    slug: text().notNull(),
    /** org_type slug (partners). */
    type: text(),
    description: text().notNull().default(''),
    siret: text(),
    rna: text(),
    address: text().notNull().default(''),
    postcode: text(),
    codeInsee: text().references(() => communes.codeInsee),
    lat: doublePrecision(),
    lng: doublePrecision(),
    website: text(),
    email: text(),
    phone: text(),
    /** The partner shows its email and phone to everyone; otherwise only to signed-in members of verified ACMs. */
    contactPublic: boolean().notNull().default(false),
    logoPath: text(),
    themes: text().array().notNull().default([]),
    federation: text(),
    agrementNumber: text(),
    status: text({ enum: ['unverified', 'verified', 'suspended'] })
      .notNull()
      .default('unverified'),
    statusReason: text(),
    /** Key used by the CSV import (org_external_id). */
    externalId: text(),
    // ACM (accueil) fields
    organiser: text(),
    tamNumber: text(),
    capacity: integer(),
    ageMin: integer(),
    ageMax: integer(),
    pedt: boolean(),
    planMercrediLabel: boolean(),
    inclusion: boolean(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('organisations_external_id_key').on(t.externalId),
    index('organisations_kind_status_idx').on(t.kind, t.status),
    index('organisations_commune_idx').on(t.codeInsee),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: ['owner', 'member'] }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const invitations = pgTable('invitations', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  organisationId: integer()
    .notNull()
    .references(() => organisations.id, { onDelete: 'cascade' }),
  email: text().notNull(),
  role: text({ enum: ['owner', 'member'] }).notNull(),
  tokenHash: text().notNull().unique(),
  invitedBy: integer().references(() => users.id, { onDelete: 'set null' }),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  acceptedAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
