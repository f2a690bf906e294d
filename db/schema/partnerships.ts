import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { offers } from './offers.js';
import { organisations } from './organisations.js';
import { requests } from './requests.js';

/** Partnerships: created when a request is accepted or prescribed by a coordinator. */
export const partnerships = pgTable(
  'partnerships',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    requestId: integer().references(() => requests.id, { onDelete: 'set null' }),
    acmId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    partnerId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    offerId: integer().references(() => offers.id, { onDelete: 'set null' }),
    prescribedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    title: text().notNull(),
    schoolYear: text().notNull(),
    status: text({ enum: ['awaiting_confirmation', 'active', 'closed'] })
      .notNull()
      .default('active'),
    /** Previous year's partnership when this one is a renewal. */
    renewedFromId: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('partnerships_acm_idx').on(t.acmId), index('partnerships_partner_idx').on(t.partnerId)],
);
