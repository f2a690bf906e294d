import { createHash, randomBytes } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import type { Db } from '../../db/client.js';
import { coordinatorScopes, memberships, notifications, organisations, sessions, users } from '../../db/schema/index.js';
import type { ScopeKind } from '../kernel/scopes.js';

export interface MembershipSummary {
  organisationId: number;
  role: 'owner' | 'member';
  kind: 'partner' | 'acm';
  name: string;
  slug: string;
  status: 'unverified' | 'verified' | 'suspended';
}

export interface CurrentUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  memberships: MembershipSummary[];
  coordinatorScopes: { scope: ScopeKind; code: string; label: string | null }[];
  /** Unread notifications, for the header bell (read with the session). */
  unreadNotifications?: number;
}

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(
  db: Db,
  values: { userId: number; expiresAt: Date; now: Date; userAgent?: string | undefined; ip?: string | undefined },
): Promise<string> {
  const { token, hash } = newToken();
  await db.insert(sessions).values({
    id: hash,
    userId: values.userId,
    createdAt: values.now,
    lastSeenAt: values.now,
    expiresAt: values.expiresAt,
    userAgent: values.userAgent?.slice(0, 300),
    ip: values.ip,
  });
  return token;
}

/**
 * The session of a token with what every signed-in request needs of its user (memberships,
 * coordinator scopes, unread notifications), in one round trip: under load each query waits for
 * a pool connection, and this runs before every signed-in page.
 */
export async function findSessionWithUser(db: Db, token: string) {
  const [row] = await db
    .select({
      session: sessions,
      user: users,
      memberships: sql<MembershipSummary[]>`coalesce((
        select json_agg(json_build_object('organisationId', m.organisation_id, 'role', m.role, 'kind', o.kind, 'name', o.name, 'slug', o.slug, 'status', o.status) order by ${byFrenchName(sql`o.name`)})
        from ${memberships} m join ${organisations} o on o.id = m.organisation_id where m.user_id = ${users.id}), '[]')`,
      coordinatorScopes: sql<CurrentUser['coordinatorScopes']>`coalesce((
        select json_agg(json_build_object('scope', c.scope, 'code', c.code, 'label', c.label))
        from ${coordinatorScopes} c where c.user_id = ${users.id}), '[]')`,
      unreadNotifications: sql<number>`(select count(*) from ${notifications} n where n.user_id = ${users.id} and n.read_at is null)`.mapWith(Number),
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, hashToken(token)))
    .limit(1);
  return row ?? null;
}

export function currentUserOf(
  user: typeof users.$inferSelect,
  loaded: Pick<CurrentUser, 'memberships' | 'coordinatorScopes' | 'unreadNotifications'>,
): CurrentUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    memberships: loaded.memberships,
    coordinatorScopes: loaded.coordinatorScopes,
    ...(loaded.unreadNotifications === undefined ? {} : { unreadNotifications: loaded.unreadNotifications }),
  };
}

export async function touchSession(db: Db, id: string, now: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, hashToken(token)));
}

export async function deleteUserSessions(db: Db, userId: number, exceptToken?: string): Promise<void> {
  await db.delete(sessions).where(exceptToken ? and(eq(sessions.userId, userId), ne(sessions.id, hashToken(exceptToken))) : eq(sessions.userId, userId));
}

/** Closes one of the user's own sessions; a session id of someone else changes nothing. */
export async function deleteOwnSession(db: Db, userId: number, sessionId: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
}

export async function listUserSessions(db: Db, userId: number) {
  return db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(sessions.lastSeenAt);
}

export async function loadCurrentUser(db: Db, user: typeof users.$inferSelect): Promise<CurrentUser> {
  const [orgs, scopes] = await Promise.all([
    db
      .select({
        organisationId: memberships.organisationId,
        role: memberships.role,
        kind: organisations.kind,
        name: organisations.name,
        slug: organisations.slug,
        status: organisations.status,
      })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(eq(memberships.userId, user.id))
      .orderBy(byFrenchName(organisations.name)),
    db
      .select({ scope: coordinatorScopes.scope, code: coordinatorScopes.code, label: coordinatorScopes.label })
      .from(coordinatorScopes)
      .where(eq(coordinatorScopes.userId, user.id)),
  ]);
  return currentUserOf(user, { memberships: orgs, coordinatorScopes: scopes });
}
