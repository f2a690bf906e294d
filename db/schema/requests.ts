import { sql } from 'drizzle-orm';
import { date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { needs } from './needs.js';
import { offers } from './offers.js';
import { organisations } from './organisations.js';

export const requestStatuses = ['sent', 'in_discussion', 'accepted', 'declined', 'withdrawn', 'expired'] as const;

/** A partnership request (demande de partenariat) and its thread. */
export const requests = pgTable(
  'requests',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    acmId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    partnerId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    offerId: integer().references(() => offers.id, { onDelete: 'set null' }),
    needId: integer().references(() => needs.id, { onDelete: 'set null' }),
    /** Who started it: an ACM asking a partner, or a partner answering an ACM's need. */
    direction: text({ enum: ['acm_to_partner', 'partner_to_acm'] }).notNull(),
    status: text({ enum: requestStatuses }).notNull().default('sent'),
    periodStart: date({ mode: 'string' }),
    periodEnd: date({ mode: 'string' }),
    slots: text().array().notNull().default([]),
    childrenCount: integer(),
    ageMin: integer(),
    ageMax: integer(),
    adultsCount: integer(),
    objectives: text().array().notNull().default([]),
    objectivesOther: text(),
    message: text().notNull().default(''),
    declineCode: text(),
    declineReason: text(),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    firstReplyAt: timestamp({ withTimezone: true }),
    lastActivityAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }),
    reminderSentAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('requests_acm_idx').on(t.acmId, t.status),
    index('requests_partner_idx').on(t.partnerId, t.status),
    index('requests_offer_idx').on(t.offerId),
    index('requests_waiting_idx').on(t.status, t.expiresAt),
    // One open request per ACM and offer: the use case explains it nicely, this closes the race.
    uniqueIndex('requests_open_offer_key')
      .on(t.acmId, t.offerId)
      .where(sql`direction = 'acm_to_partner' and offer_id is not null and status in ('sent', 'in_discussion')`),
  ],
);

/** Status history of a request. */
export const requestEvents = pgTable(
  'request_events',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    requestId: integer()
      .notNull()
      .references(() => requests.id, { onDelete: 'cascade' }),
    actorId: integer().references(() => users.id, { onDelete: 'set null' }),
    fromStatus: text(),
    toStatus: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('request_events_request_idx').on(t.requestId)],
);

export const messages = pgTable(
  'messages',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    requestId: integer()
      .notNull()
      .references(() => requests.id, { onDelete: 'cascade' }),
    /** Null for automatic (system) messages. */
    authorId: integer().references(() => users.id, { onDelete: 'set null' }),
    authorOrganisationId: integer().references(() => organisations.id, { onDelete: 'set null' }),
    kind: text({ enum: ['user', 'system'] }).notNull(),
    body: text().notNull(),
    attachmentPath: text(),
    attachmentName: text(),
    attachmentType: text(),
    attachmentSize: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('messages_request_idx').on(t.requestId, t.createdAt)],
);

/** Read receipts: per party (organisation) of a request, the last time it read the thread. */
export const threadReads = pgTable(
  'thread_reads',
  {
    requestId: integer()
      .notNull()
      .references(() => requests.id, { onDelete: 'cascade' }),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    lastReadAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.organisationId] })],
);

export const replyTemplates = pgTable('reply_templates', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  organisationId: integer()
    .notNull()
    .references(() => organisations.id, { onDelete: 'cascade' }),
  title: text().notNull(),
  body: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
