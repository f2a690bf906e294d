import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
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
    /** Created by a coordinator's bulk invitation and not claimed yet: no member until its contact accepts. */
    unclaimed: boolean().notNull().default(false),
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

/** One bulk invitation file uploaded by a coordinator for a territory, with its report. */
export const organisationImports = pgTable(
  'organisation_imports',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    /** The coordination territory it was uploaded in (its communes bound the rows). */
    scope: text({ enum: ['region', 'department', 'epci', 'commune'] }).notNull(),
    code: text().notNull(),
    filename: text().notNull(),
    created: integer().notNull().default(0),
    rejected: integer().notNull().default(0),
    /** Created rows: [{ line, organisationId, name, kind, type, commune, email }]. */
    createdRows: jsonb()
      .$type<{ line: number; organisationId: number; name: string; kind: 'partner' | 'acm'; type?: string | null; commune: string; email: string }[]>()
      .notNull()
      .default([]),
    /** Rejected rows: [{ line, name, reasons }]. */
    rejects: jsonb().$type<{ line: number; name: string; reasons: string[] }[]>().notNull().default([]),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('organisation_imports_scope_idx').on(t.scope, t.code, t.createdAt)],
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
  /** The bulk invitation file it came from (an invitation to claim an unclaimed page). */
  importId: integer().references(() => organisationImports.id, { onDelete: 'set null' }),
  /** When the email was last sent (a resend renews the token and the expiry). */
  sentAt: timestamp({ withTimezone: true }),
  sendCount: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
