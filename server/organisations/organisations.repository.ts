import { and, asc, count, desc, eq, gt, ilike, isNull, or, type SQL, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import { type Db, rows, type Stamped } from '../../db/client.js';
import { auditLog, communes, departments, invitations, memberships, offers, organisations, users } from '../../db/schema/index.js';
import { organisationsInScope, type Scope } from '../territories/scopes.js';

export type Organisation = typeof organisations.$inferSelect;
export type NewOrganisation = typeof organisations.$inferInsert;
export type OrganisationKind = Organisation['kind'];
type OrganisationStatus = Organisation['status'];
export type Role = 'owner' | 'member';

export async function findOrganisation(db: Db, id: number): Promise<Organisation | null> {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, id)).limit(1);
  return row ?? null;
}

/** An organisation with its commune and département (school zone), for pages and forms. */
export async function findOrganisationWithPlace(db: Db, id: number) {
  const [row] = await db
    .select({
      organisation: organisations,
      commune: {
        name: communes.name,
        postcodes: communes.postcodes,
        departmentCode: communes.departmentCode,
        regionCode: communes.regionCode,
        epciCode: communes.epciCode,
        eptCode: communes.eptCode,
      },
      department: { name: departments.name, schoolZone: departments.schoolZone, academy: departments.academy },
    })
    .from(organisations)
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .leftJoin(departments, eq(departments.code, communes.departmentCode))
    .where(eq(organisations.id, id))
    .limit(1);
  return row ?? null;
}

export async function insertOrganisation(db: Db, values: NewOrganisation): Promise<Organisation> {
  const [row] = await db.insert(organisations).values(values).returning();
  return row!;
}

/** The organisation's logo key, its row locked until the transaction ends: concurrent logo changes queue up. */
export async function lockLogo(tx: Db, id: number): Promise<string | null> {
  const [row] = await tx.select({ logoPath: organisations.logoPath }).from(organisations).where(eq(organisations.id, id)).for('update');
  return row?.logoPath ?? null;
}

export async function updateOrganisation(db: Db, id: number, values: Partial<NewOrganisation> & Stamped): Promise<Organisation | null> {
  const [row] = await db.update(organisations).set(values).where(eq(organisations.id, id)).returning();
  return row ?? null;
}

export async function addMembership(db: Db, organisationId: number, userId: number, role: Role): Promise<void> {
  await db
    .insert(memberships)
    .values({ organisationId, userId, role })
    .onConflictDoUpdate({
      target: [memberships.organisationId, memberships.userId],
      set: { role: sql`case when ${memberships.role} = 'owner' then 'owner' else excluded.role end` },
    });
}

export async function findMembership(db: Db, organisationId: number, userId: number) {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)))
    .limit(1);
  return row ?? null;
}

export async function listMembers(db: Db, organisationId: number) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, jobTitle: users.jobTitle, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organisationId, organisationId))
    .orderBy(asc(memberships.role), byFrenchName(users.name));
}

/**
 * Serialises membership changes of one organisation: two owners demoting each other at once would
 * otherwise both count two owners and leave none.
 */
export async function lockOrganisation(db: Db, organisationId: number): Promise<void> {
  await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, organisationId)).for('update');
}

export async function countOwners(db: Db, organisationId: number): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'owner')));
  return row?.value ?? 0;
}

export async function setMemberRole(db: Db, organisationId: number, userId: number, role: Role): Promise<void> {
  await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
}

export async function removeMember(db: Db, organisationId: number, userId: number): Promise<void> {
  await db.delete(memberships).where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
}

/** Owners' addresses, for emails about the organisation. */
export async function ownerEmails(db: Db, organisationId: number): Promise<{ email: string; name: string }[]> {
  return db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.role, 'owner'), isNull(users.suspendedAt)));
}

export async function insertInvitation(db: Db, values: typeof invitations.$inferInsert) {
  const [row] = await db.insert(invitations).values(values).returning();
  return row!;
}

export async function listPendingInvitations(db: Db, organisationId: number, now: Date) {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.organisationId, organisationId), isNull(invitations.acceptedAt), gt(invitations.expiresAt, now)))
    .orderBy(desc(invitations.createdAt));
}

export async function findInvitationByHash(db: Db, tokenHash: string) {
  const [row] = await db
    .select({
      invitation: invitations,
      organisation: {
        id: organisations.id,
        name: organisations.name,
        kind: organisations.kind,
        slug: organisations.slug,
        status: organisations.status,
        unclaimed: organisations.unclaimed,
      },
    })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(eq(invitations.tokenHash, tokenHash))
    .limit(1);
  return row ?? null;
}

export async function findInvitation(db: Db, organisationId: number, invitationId: number) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.organisationId, organisationId)))
    .limit(1);
  return row ?? null;
}

/** Invitations still open for an address (shown at onboarding, so that a newcomer finds them). */
export async function pendingInvitationsFor(db: Db, email: string, now: Date) {
  return db
    .select({
      id: invitations.id,
      role: invitations.role,
      organisationName: organisations.name,
      kind: organisations.kind,
      unclaimed: organisations.unclaimed,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(and(eq(invitations.email, email.toLowerCase()), isNull(invitations.acceptedAt), gt(invitations.expiresAt, now)))
    .orderBy(desc(invitations.createdAt));
}

export async function markInvitationAccepted(db: Db, id: number, now: Date): Promise<boolean> {
  const rowsUpdated = await db
    .update(invitations)
    .set({ acceptedAt: now })
    .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), gt(invitations.expiresAt, now)))
    .returning({ id: invitations.id });
  return rowsUpdated.length > 0;
}

/** A claimed page has a member now: it is no longer unclaimed. */
export async function markClaimed(db: Db, organisationId: number, now: Date): Promise<void> {
  await db
    .update(organisations)
    .set({ unclaimed: false, updatedAt: now })
    .where(and(eq(organisations.id, organisationId), eq(organisations.unclaimed, true)));
}

export async function deleteInvitation(db: Db, organisationId: number, invitationId: number): Promise<void> {
  await db.delete(invitations).where(and(eq(invitations.id, invitationId), eq(invitations.organisationId, organisationId)));
}

export async function writeAudit(
  db: Db,
  entry: { actorId: number | null; action: string; entity: string; entityId: number; data?: Record<string, unknown>; at?: Date },
) {
  await db.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    data: entry.data ?? {},
    ...(entry.at ? { createdAt: entry.at } : {}),
  });
}

export async function lastAudit(db: Db, entity: string, entityId: number, action: string) {
  const [row] = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId), eq(auditLog.action, action)))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row ?? null;
}

export async function auditTrail(db: Db, entity: string, entityId: number, limit = 20) {
  return db
    .select({ id: auditLog.id, action: auditLog.action, data: auditLog.data, createdAt: auditLog.createdAt, actorName: users.name })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId)))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}

export async function offerIdsOf(db: Db, organisationId: number): Promise<number[]> {
  const list = await db.select({ id: offers.id }).from(offers).where(eq(offers.organisationId, organisationId));
  return list.map((o) => o.id);
}

interface OrganisationFilter {
  kind?: OrganisationKind | undefined;
  status?: OrganisationStatus | undefined;
  q?: string | undefined;
}

function filterWhere(filter: OrganisationFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.kind) conditions.push(eq(organisations.kind, filter.kind));
  if (filter.status) conditions.push(eq(organisations.status, filter.status));
  const q = filter.q?.trim();
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      or(
        ilike(organisations.name, pattern),
        ilike(organisations.email, pattern),
        eq(organisations.siret, q.replace(/\s/g, '')),
        eq(organisations.rna, q.toUpperCase()),
        ilike(communes.name, pattern),
        eq(organisations.postcode, q),
      )!,
    );
  }
  return conditions.length ? and(...conditions) : undefined;
}

/** The admin list: filters, text search on name/email/SIRET/RNA/commune, newest first. */
export async function searchOrganisations(db: Db, filter: OrganisationFilter, page: number, perPage: number) {
  const where = filterWhere(filter);
  const [items, [total]] = await Promise.all([
    db
      .select({
        id: organisations.id,
        kind: organisations.kind,
        name: organisations.name,
        slug: organisations.slug,
        type: organisations.type,
        status: organisations.status,
        statusReason: organisations.statusReason,
        siret: organisations.siret,
        rna: organisations.rna,
        communeName: communes.name,
        departmentCode: communes.departmentCode,
        createdAt: organisations.createdAt,
      })
      .from(organisations)
      .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
      .where(where)
      .orderBy(desc(organisations.createdAt), desc(organisations.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ value: count() }).from(organisations).leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee)).where(where),
  ]);
  return { items, total: total?.value ?? 0 };
}

/** The organisations of a scope with a status, counted per kind (the coordinator's dashboard). */
export async function countOrganisationsInScope(db: Db, scope: Scope, status: string): Promise<{ kind: string; value: number }[]> {
  return rows(db, sql`select o.kind, count(*)::int as value from (${organisationsInScope(scope)}) o where o.status = ${status} group by o.kind`);
}
