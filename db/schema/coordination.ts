import { foreignKey, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { coordinatorScopes } from './accounts.js';

/**
 * The weekly digest of each coordinator scope: whether the coordinator turned it off, and the
 * Paris week ("2026-W49") it was last prepared for, written in the transaction that queues the
 * email, so that a rerun in the same week sends nothing twice. Removed with the appointment.
 */
export const coordinationDigests = pgTable(
  'coordination_digests',
  {
    userId: integer().notNull(),
    scope: text().notNull(),
    code: text().notNull(),
    unsubscribedAt: timestamp({ withTimezone: true }),
    lastWeek: text(),
    lastSentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.scope, t.code] }),
    foreignKey({ columns: [t.userId, t.scope, t.code], foreignColumns: [coordinatorScopes.userId, coordinatorScopes.scope, coordinatorScopes.code] }).onDelete(
      'cascade',
    ),
  ],
);
