import { and, count, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { memberships, notificationPreferences, notifications, users } from '../../db/schema/index.js';
import type { EmailMode } from './notification-types.js';

export type Notification = typeof notifications.$inferSelect;

interface Recipient {
  id: number;
  email: string;
  name: string;
  emailVerified: boolean;
}

/** The users given and the members of the organisations given, once each, not suspended. */
export async function findRecipients(db: Db, userIds: number[], organisationIds: number[]): Promise<Recipient[]> {
  const byOrganisation =
    organisationIds.length > 0
      ? await db.selectDistinct({ userId: memberships.userId }).from(memberships).where(inArray(memberships.organisationId, organisationIds))
      : [];
  const ids = [...new Set([...userIds, ...byOrganisation.map((m) => m.userId)])];
  if (ids.length === 0) return [];
  const found = await db
    .select({ id: users.id, email: users.email, name: users.name, emailVerifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(and(inArray(users.id, ids), isNull(users.suspendedAt)))
    .orderBy(users.id);
  return found.map((u) => ({ id: u.id, email: u.email, name: u.name, emailVerified: u.emailVerifiedAt !== null }));
}

export async function preferencesFor(db: Db, userIds: number[], type: string): Promise<Map<number, EmailMode>> {
  if (userIds.length === 0) return new Map();
  const found = await db
    .select()
    .from(notificationPreferences)
    .where(and(inArray(notificationPreferences.userId, userIds), eq(notificationPreferences.type, type)));
  return new Map(found.map((p) => [p.userId, p.mode]));
}

export async function userPreferences(db: Db, userId: number): Promise<Map<string, EmailMode>> {
  const found = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  return new Map(found.map((p) => [p.type, p.mode]));
}

export async function setPreference(db: Db, userId: number, type: string, mode: EmailMode): Promise<void> {
  await db
    .insert(notificationPreferences)
    .values({ userId, type, mode })
    .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.type], set: { mode } });
}

export async function insertNotifications(db: Db, values: (typeof notifications.$inferInsert)[]): Promise<Notification[]> {
  if (values.length === 0) return [];
  return db.insert(notifications).values(values).returning();
}

export async function unreadCount(db: Db, userId: number): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.value ?? 0;
}

export async function listNotifications(db: Db, userId: number, options: { limit: number; offset: number; unreadOnly?: boolean }) {
  const where = options.unreadOnly ? and(eq(notifications.userId, userId), isNull(notifications.readAt)) : eq(notifications.userId, userId);
  const [items, [total]] = await Promise.all([
    db.select().from(notifications).where(where).orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(options.limit).offset(options.offset),
    db.select({ value: count() }).from(notifications).where(where),
  ]);
  return { items, total: total?.value ?? 0 };
}

export async function findNotification(db: Db, userId: number, id: number): Promise<Notification | null> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  return row ?? null;
}

export async function markRead(db: Db, userId: number, ids: number[] | 'all', now: Date): Promise<void> {
  const scope = ids === 'all' ? undefined : inArray(notifications.id, ids.length ? ids : [0]);
  await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), scope));
}

/** Marks read what points to a page the user is now looking at ("/demandes/12" and "/demandes/12#…"). */
export async function markReadByUrl(db: Db, userId: number, path: string, now: Date): Promise<void> {
  const escaped = path.replace(/[\\%_]/g, (c) => `\\${c}`);
  await db
    .update(notifications)
    .set({ readAt: now })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        or(eq(notifications.url, path), sql`${notifications.url} like ${`${escaped}#%`}`, sql`${notifications.url} like ${`${escaped}?%`}`),
      ),
    );
}

/** Digest-mode events not emailed yet, created before the cutoff, with their recipient. */
export async function pendingDigestItems(db: Db, before: Date) {
  return db
    .select({ notification: notifications, email: users.email, name: users.name })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .where(
      and(
        eq(notifications.emailMode, 'digest'),
        isNull(notifications.emailedAt),
        lt(notifications.createdAt, before),
        isNull(users.suspendedAt),
        sql`${users.emailVerifiedAt} is not null`,
      ),
    )
    .orderBy(notifications.userId, notifications.createdAt, notifications.id);
}

export async function markEmailed(db: Db, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.update(notifications).set({ emailedAt: now }).where(inArray(notifications.id, ids));
}
