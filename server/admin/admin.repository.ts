import { and, asc, count, desc, eq, gt, ilike, inArray, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import type { Db } from '../../db/client.js';
import { coordinatorScopes, invitations, memberships, offers, organisations, users } from '../../db/schema/index.js';
import type { ScopeKind } from '../kernel/scopes.js';

/** Counts for the admin overview. */
export async function overviewCounts(db: Db, now: Date) {
  const [orgs, offerStatuses, [userTotals], [coordinators], [pendingInvitations]] = await Promise.all([
    db.select({ kind: organisations.kind, status: organisations.status, value: count() }).from(organisations).groupBy(organisations.kind, organisations.status),
    db.select({ status: offers.status, value: count() }).from(offers).groupBy(offers.status),
    db
      .select({
        total: count(),
        suspended: sql<number>`count(*) filter (where ${users.suspendedAt} is not null)`.mapWith(Number),
        unconfirmed: sql<number>`count(*) filter (where ${users.emailVerifiedAt} is null)`.mapWith(Number),
        admins: sql<number>`count(*) filter (where ${users.isAdmin})`.mapWith(Number),
      })
      .from(users),
    db.select({ value: sql<number>`count(distinct ${coordinatorScopes.userId})`.mapWith(Number) }).from(coordinatorScopes),
    db
      .select({ value: count() })
      .from(invitations)
      .where(and(isNull(invitations.acceptedAt), gt(invitations.expiresAt, now))),
  ]);
  const organisationCount = (kind: string, status?: string) =>
    orgs.filter((o) => o.kind === kind && (!status || o.status === status)).reduce((total, o) => total + o.value, 0);
  return {
    partners: {
      total: organisationCount('partner'),
      unverified: organisationCount('partner', 'unverified'),
      verified: organisationCount('partner', 'verified'),
      suspended: organisationCount('partner', 'suspended'),
    },
    acms: {
      total: organisationCount('acm'),
      unverified: organisationCount('acm', 'unverified'),
      verified: organisationCount('acm', 'verified'),
      suspended: organisationCount('acm', 'suspended'),
    },
    offers: Object.fromEntries(offerStatuses.map((o) => [o.status, o.value])) as Record<string, number>,
    users: { total: userTotals?.total ?? 0, suspended: userTotals?.suspended ?? 0, unconfirmed: userTotals?.unconfirmed ?? 0, admins: userTotals?.admins ?? 0 },
    coordinators: coordinators?.value ?? 0,
    pendingInvitations: pendingInvitations?.value ?? 0,
  };
}

interface UserFilter {
  q?: string | undefined;
  role?: 'admin' | 'coordinator' | 'suspended' | undefined;
}

/** The admin list of users: text search on name and email, newest first, with membership counts and the kinds of their structures. */
export async function searchUsers(db: Db, filter: UserFilter, page: number, perPage: number) {
  const conditions: SQL[] = [];
  const q = filter.q?.trim();
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(users.name, pattern), ilike(users.email, pattern))!);
  }
  if (filter.role === 'admin') conditions.push(eq(users.isAdmin, true));
  if (filter.role === 'suspended') conditions.push(isNotNull(users.suspendedAt));
  if (filter.role === 'coordinator') conditions.push(sql`exists (select 1 from ${coordinatorScopes} where ${coordinatorScopes.userId} = ${users.id})`);
  const where = conditions.length ? and(...conditions) : undefined;
  const [items, [total]] = await Promise.all([
    db
      .select({
        id: users.id,
        name: users.name,
        email: users.email,
        isAdmin: users.isAdmin,
        suspendedAt: users.suspendedAt,
        emailVerifiedAt: users.emailVerifiedAt,
        createdAt: users.createdAt,
        memberships: sql<number>`(select count(*) from ${memberships} where ${memberships.userId} = ${users.id})`.mapWith(Number),
        scopes: sql<number>`(select count(*) from ${coordinatorScopes} where ${coordinatorScopes.userId} = ${users.id})`.mapWith(Number),
      })
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ value: count() }).from(users).where(where),
  ]);
  const ids = items.map((u) => u.id);
  const kinds = ids.length
    ? await db
        .selectDistinct({ userId: memberships.userId, kind: organisations.kind })
        .from(memberships)
        .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
        .where(inArray(memberships.userId, ids))
    : [];
  const memberOf = (userId: number, kind: 'partner' | 'acm') => kinds.some((k) => k.userId === userId && k.kind === kind);
  return { items: items.map((u) => ({ ...u, partner: memberOf(u.id, 'partner'), acm: memberOf(u.id, 'acm') })), total: total?.value ?? 0 };
}

export async function userMemberships(db: Db, userId: number) {
  return db
    .select({
      organisationId: organisations.id,
      name: organisations.name,
      slug: organisations.slug,
      kind: organisations.kind,
      status: organisations.status,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(eq(memberships.userId, userId))
    .orderBy(byFrenchName(organisations.name));
}

export async function userScopes(db: Db, userId: number) {
  return db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, userId)).orderBy(asc(coordinatorScopes.scope), asc(coordinatorScopes.code));
}

export async function insertScope(db: Db, values: typeof coordinatorScopes.$inferInsert): Promise<boolean> {
  const inserted = await db.insert(coordinatorScopes).values(values).onConflictDoNothing().returning({ code: coordinatorScopes.code });
  return inserted.length > 0;
}

export async function deleteScope(db: Db, userId: number, scope: ScopeKind, code: string): Promise<boolean> {
  const deleted = await db
    .delete(coordinatorScopes)
    .where(and(eq(coordinatorScopes.userId, userId), eq(coordinatorScopes.scope, scope), eq(coordinatorScopes.code, code)))
    .returning({ code: coordinatorScopes.code });
  return deleted.length > 0;
}
