import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import type { Db } from '../../db/client.js';
import {
  auditLog,
  communes,
  conventionSignatures,
  departments,
  memberships,
  offers,
  organisations,
  partnershipConventions,
  partnershipDeadlines,
  partnershipMeetings,
  partnershipParties,
  partnershipReviews,
  partnershipSessions,
  partnerships,
  requests,
  users,
} from '../../db/schema/index.js';
import type { ScopeKind } from '../kernel/scopes.js';
import { communesInScope } from '../territories/scopes.js';

export type Partnership = typeof partnerships.$inferSelect;
type PartnershipInsert = typeof partnerships.$inferInsert;
export type Party = typeof partnershipParties.$inferSelect;
export type Side = Party['side'];

export async function findPartnership(db: Db, id: number): Promise<Partnership | null> {
  const [row] = await db.select().from(partnerships).where(eq(partnerships.id, id)).limit(1);
  return row ?? null;
}

/** The partnership row locked for the rest of the transaction: two parties deciding at once are serialised. */
export async function lockPartnership(db: Db, id: number): Promise<Partnership> {
  const [row] = await db.select().from(partnerships).where(eq(partnerships.id, id)).for('update');
  return row!;
}

export async function insertPartnership(db: Db, values: PartnershipInsert): Promise<Partnership> {
  const [row] = await db.insert(partnerships).values(values).returning();
  return row!;
}

export async function updatePartnership(db: Db, id: number, values: Partial<PartnershipInsert>, now: Date): Promise<void> {
  await db
    .update(partnerships)
    .set({ ...values, updatedAt: now })
    .where(eq(partnerships.id, id));
}

export async function insertParties(db: Db, rows: (typeof partnershipParties.$inferInsert)[]): Promise<void> {
  await db.insert(partnershipParties).values(rows);
}

export async function findParties(db: Db, partnershipId: number): Promise<Party[]> {
  return db.select().from(partnershipParties).where(eq(partnershipParties.partnershipId, partnershipId));
}

export async function updateParty(db: Db, partnershipId: number, side: Side, values: Partial<typeof partnershipParties.$inferInsert>): Promise<void> {
  await db
    .update(partnershipParties)
    .set(values)
    .where(and(eq(partnershipParties.partnershipId, partnershipId), eq(partnershipParties.side, side)));
}

/** An organisation with what the convention and the calendar need: commune, département, school zone. */
export async function findOrganisationDetails(db: Db, id: number) {
  const [row] = await db
    .select({
      organisation: organisations,
      communeName: communes.name,
      departmentCode: communes.departmentCode,
      departmentName: departments.name,
      regionCode: communes.regionCode,
      epciCode: communes.epciCode,
      eptCode: communes.eptCode,
      schoolZone: departments.schoolZone,
    })
    .from(organisations)
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .leftJoin(departments, eq(departments.code, communes.departmentCode))
    .where(eq(organisations.id, id))
    .limit(1);
  return row
    ? {
        ...row.organisation,
        communeName: row.communeName,
        departmentCode: row.departmentCode,
        departmentName: row.departmentName,
        regionCode: row.regionCode,
        epciCode: row.epciCode,
        eptCode: row.eptCode,
        schoolZone: row.schoolZone,
      }
    : null;
}
export type OrganisationDetails = NonNullable<Awaited<ReturnType<typeof findOrganisationDetails>>>;

export async function findOffer(db: Db, id: number) {
  const [row] = await db.select().from(offers).where(eq(offers.id, id)).limit(1);
  return row ?? null;
}

export async function findRequest(db: Db, id: number) {
  const [row] = await db.select().from(requests).where(eq(requests.id, id)).limit(1);
  return row ?? null;
}

export async function findUserName(db: Db, id: number | null): Promise<string | null> {
  if (!id) return null;
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, id)).limit(1);
  return row?.name ?? null;
}

/** Partnerships where one of the organisations is a party, or that the user prescribed. */
export async function listPartnershipsFor(db: Db, organisationIds: number[], prescriberId: number | null, today: string, options: { all?: boolean } = {}) {
  const acm = sql<string>`(select name from organisations o where o.id = ${partnerships.acmId})`;
  const partner = sql<string>`(select name from organisations o where o.id = ${partnerships.partnerId})`;
  const nextSession = sql<
    string | null
  >`(select min(s.date)::text from partnership_sessions s where s.partnership_id = ${partnerships.id} and s.status = 'planned' and s.date >= ${today})`;
  const conditions = [];
  if (organisationIds.length) conditions.push(inArray(partnerships.acmId, organisationIds), inArray(partnerships.partnerId, organisationIds));
  if (prescriberId) conditions.push(eq(partnerships.prescribedBy, prescriberId));
  if (!options.all && conditions.length === 0) return [];
  return db
    .select({ partnership: partnerships, acmName: acm, partnerName: partner, nextSession })
    .from(partnerships)
    .where(options.all ? undefined : or(...conditions))
    .orderBy(sql`case ${partnerships.status} when 'closed' then 1 else 0 end`, desc(partnerships.updatedAt))
    .limit(options.all ? 200 : 500);
}

// History (the platform's audit log, entity 'partnership')

interface HistoryEntry {
  id: number;
  action: string;
  summary: string;
  actorName: string | null;
  organisationName: string | null;
  createdAt: Date;
}

export async function insertHistory(
  db: Db,
  values: {
    partnershipId: number;
    actorId: number | null;
    action: string;
    summary: string;
    organisation?: string | null;
    at: Date;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  await db.insert(auditLog).values({
    actorId: values.actorId,
    action: values.action,
    entity: 'partnership',
    entityId: values.partnershipId,
    data: { summary: values.summary, organisation: values.organisation ?? null, ...values.data },
    createdAt: values.at,
  });
}

export async function listHistory(db: Db, partnershipId: number, limit = 500): Promise<HistoryEntry[]> {
  const rows = await db
    .select({ log: auditLog, actorName: users.name })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, partnershipId)))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.log.id,
    action: r.log.action,
    summary: String(r.log.data.summary ?? r.log.action),
    actorName: r.actorName,
    organisationName: typeof r.log.data.organisation === 'string' ? r.log.data.organisation : null,
    createdAt: r.log.createdAt,
  }));
}

/** Organisations of a kind inside a coordinator's scopes (prescription form). */
export async function organisationsInScopes(db: Db, kind: 'acm' | 'partner', scopes: { scope: ScopeKind; code: string }[], limit = 500) {
  if (scopes.length === 0) return [];
  const conditions = scopes.map((s) => communesInScope({ kind: s.scope, code: s.code }, 'communes'));
  return db
    .select({ id: organisations.id, name: organisations.name, communeName: communes.name })
    .from(organisations)
    .innerJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(and(eq(organisations.kind, kind), or(...conditions), sql`${organisations.status} <> 'suspended'`))
    .orderBy(byFrenchName(organisations.name))
    .limit(limit);
}

export async function findUserMemberships(db: Db, userId: number): Promise<{ organisationIds: number[]; isAdmin: boolean }> {
  const [user] = await db.select({ isAdmin: users.isAdmin, suspendedAt: users.suspendedAt }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user || user.suspendedAt) return { organisationIds: [], isAdmin: false };
  const rows = await db.select({ organisationId: memberships.organisationId }).from(memberships).where(eq(memberships.userId, userId));
  return { organisationIds: rows.map((r) => r.organisationId), isAdmin: user.isAdmin };
}

/** What the progress of several partnerships is computed from, in one query per table. */
export async function progressRows(db: Db, ids: number[]) {
  if (ids.length === 0) return { parties: [], signatures: [], conventions: [], sessions: [], deadlines: [], reviews: [], minutes: [] };
  const [parties, signatures, conventions, sessions, deadlines, reviews, minutes] = await Promise.all([
    db.select().from(partnershipParties).where(inArray(partnershipParties.partnershipId, ids)),
    db
      .select()
      .from(conventionSignatures)
      .where(and(inArray(conventionSignatures.partnershipId, ids), isNull(conventionSignatures.voidedAt))),
    db.select().from(partnershipConventions).where(inArray(partnershipConventions.partnershipId, ids)),
    db.select().from(partnershipSessions).where(inArray(partnershipSessions.partnershipId, ids)).orderBy(asc(partnershipSessions.date)),
    db.select().from(partnershipDeadlines).where(inArray(partnershipDeadlines.partnershipId, ids)).orderBy(asc(partnershipDeadlines.dueDate)),
    db.select().from(partnershipReviews).where(inArray(partnershipReviews.partnershipId, ids)),
    db
      .select({ partnershipId: partnershipMeetings.partnershipId, minutes: partnershipMeetings.minutes })
      .from(partnershipMeetings)
      .where(and(inArray(partnershipMeetings.partnershipId, ids), eq(partnershipMeetings.purpose, 'formalisation'))),
  ]);
  return { parties, signatures, conventions, sessions, deadlines, reviews, minutes };
}

export async function findRenewal(db: Db, partnershipId: number): Promise<Partnership | null> {
  const [row] = await db.select().from(partnerships).where(eq(partnerships.renewedFromId, partnershipId)).limit(1);
  return row ?? null;
}

/**
 * Ends the school years whose decision is taken (renewal or stop) once their last planned session
 * is past: a renewal never cuts short the sessions still planned.
 */
export async function closeFinishedYears(db: Db, today: string, now: Date): Promise<{ id: number }[]> {
  return db
    .update(partnerships)
    .set({ status: 'closed', closedAt: now, updatedAt: now })
    .where(
      and(
        eq(partnerships.status, 'active'),
        inArray(partnerships.decision, ['renew', 'stop']),
        sql`not exists (select 1 from ${partnershipSessions} where ${partnershipSessions.partnershipId} = ${partnerships.id} and ${partnershipSessions.status} = 'planned' and ${partnershipSessions.date} >= ${today})`,
      ),
    )
    .returning({ id: partnerships.id });
}
