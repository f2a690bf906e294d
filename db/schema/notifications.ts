import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';

export const notifications = pgTable(
  'notifications',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text().notNull(),
    title: text().notNull(),
    body: text().notNull().default(''),
    url: text().notNull(),
    readAt: timestamp({ withTimezone: true }),
    /** How the event goes out by email, decided by the user's preference when it was created. */
    emailMode: text({ enum: ['immediate', 'digest', 'off'] })
      .notNull()
      .default('immediate'),
    /** Set once the event went out by email (immediately or in a digest). */
    emailedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.readAt),
    index('notifications_digest_idx').on(t.userId, t.createdAt).where(sql`email_mode = 'digest' and emailed_at is null`),
  ],
);

export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text().notNull(),
    mode: text({ enum: ['immediate', 'digest', 'off'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.type] })],
);
