import { and, asc, desc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  auditLog,
  calendarFeeds,
  communes,
  conventionComments,
  conventionSignatures,
  conventionVersions,
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
  schoolHolidays,
  users,
} from '../../db/schema/index.js';
import type { ScopeKind } from '../kernel/scopes.js';
import { communesInScope } from '../territories/scopes.js';
import { type CalendarContext, holidayPeriods } from './calendar.js';

export type Partnership = typeof partnerships.$inferSelect;
export type PartnershipInsert = typeof partnerships.$inferInsert;
export type Party = typeof partnershipParties.$inferSelect;
export type Side = Party['side'];
export type Session = typeof partnershipSessions.$inferSelect;
export type Meeting = typeof partnershipMeetings.$inferSelect;
export type Deadline = typeof partnershipDeadlines.$inferSelect;
export type Review = typeof partnershipReviews.$inferSelect;
export type Signature = typeof conventionSignatures.$inferSelect;
export type ConventionVersion = typeof conventionVersions.$inferSelect;
export type Convention = typeof partnershipConventions.$inferSelect;
export type CalendarFeed = typeof calendarFeeds.$inferSelect;

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

/** The school calendar of a zone (null zone: unknown calendar, only public holidays apply). */
export async function calendarContext(db: Db, zone: string | null, departmentCode: string | null): Promise<CalendarContext> {
  const rows = zone ? await db.select().from(schoolHolidays).where(eq(schoolHolidays.zone, zone)) : [];
  return {
    holidays: holidayPeriods(rows),
    knownSchoolYears: new Set(rows.map((r) => r.schoolYear)),
    alsace: ['57', '67', '68'].includes(departmentCode ?? ''),
  };
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

// Convention

/**
 * The convention of a partnership. Every partnership gets its convention row when it is created
 * (`ensureConvention` in the accept, prescribe and renew use cases), so reading never writes.
 */
export async function findConvention(db: Db, partnershipId: number): Promise<Convention> {
  const [row] = await db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, partnershipId)).limit(1);
  if (!row) throw new Error(`Partnership ${partnershipId} has no convention row`);
  return row;
}

/** Creates the (empty, draft) convention of a partnership unless it exists, and returns it. */
export async function ensureConvention(db: Db, partnershipId: number): Promise<Convention> {
  const [created] = await db.insert(partnershipConventions).values({ partnershipId }).onConflictDoNothing().returning();
  return created ?? (await findConvention(db, partnershipId));
}

/**
 * Locks the convention row until the end of the transaction: signatures and changes of the text
 * are serialised, so two parties signing at the same instant both see each other's signature.
 */
export async function lockConvention(db: Db, partnershipId: number): Promise<Convention> {
  await ensureConvention(db, partnershipId);
  const [row] = await db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, partnershipId)).for('update');
  return row!;
}

export async function updateConvention(db: Db, partnershipId: number, values: Partial<typeof partnershipConventions.$inferInsert>): Promise<void> {
  await db.update(partnershipConventions).set(values).where(eq(partnershipConventions.partnershipId, partnershipId));
}

export async function activeSignatures(db: Db, partnershipId: number): Promise<Signature[]> {
  return db
    .select()
    .from(conventionSignatures)
    .where(and(eq(conventionSignatures.partnershipId, partnershipId), isNull(conventionSignatures.voidedAt), isNull(conventionSignatures.version)))
    .orderBy(asc(conventionSignatures.signedAt));
}

/** The pending signatures become those of the version both parties just completed. */
export async function markSignaturesVersion(db: Db, partnershipId: number, version: number): Promise<void> {
  await db
    .update(conventionSignatures)
    .set({ version })
    .where(and(eq(conventionSignatures.partnershipId, partnershipId), isNull(conventionSignatures.voidedAt), isNull(conventionSignatures.version)));
}

export async function insertSignature(db: Db, values: typeof conventionSignatures.$inferInsert): Promise<Signature> {
  const [row] = await db.insert(conventionSignatures).values(values).returning();
  return row!;
}

export async function voidSignatures(db: Db, partnershipId: number, now: Date, reason: string): Promise<number> {
  const voided = await db
    .update(conventionSignatures)
    .set({ voidedAt: now, voidReason: reason })
    .where(and(eq(conventionSignatures.partnershipId, partnershipId), isNull(conventionSignatures.voidedAt), isNull(conventionSignatures.version)))
    .returning({ id: conventionSignatures.id });
  return voided.length;
}

export async function insertVersion(db: Db, values: typeof conventionVersions.$inferInsert): Promise<ConventionVersion> {
  const [row] = await db.insert(conventionVersions).values(values).returning();
  return row!;
}

export async function listVersions(db: Db, partnershipId: number): Promise<ConventionVersion[]> {
  return db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, partnershipId)).orderBy(desc(conventionVersions.version));
}

export async function findVersion(db: Db, partnershipId: number, version: number): Promise<ConventionVersion | null> {
  const [row] = await db
    .select()
    .from(conventionVersions)
    .where(and(eq(conventionVersions.partnershipId, partnershipId), eq(conventionVersions.version, version)))
    .limit(1);
  return row ?? null;
}

export async function insertComment(db: Db, values: typeof conventionComments.$inferInsert): Promise<void> {
  await db.insert(conventionComments).values(values);
}

export async function listComments(db: Db, partnershipId: number) {
  return db
    .select({ comment: conventionComments, authorName: users.name, organisationName: organisations.name })
    .from(conventionComments)
    .leftJoin(users, eq(users.id, conventionComments.authorId))
    .leftJoin(organisations, eq(organisations.id, conventionComments.organisationId))
    .where(eq(conventionComments.partnershipId, partnershipId))
    .orderBy(asc(conventionComments.createdAt), asc(conventionComments.id));
}

// Sessions, meetings, deadlines

export async function listSessions(db: Db, partnershipId: number): Promise<Session[]> {
  return db
    .select()
    .from(partnershipSessions)
    .where(eq(partnershipSessions.partnershipId, partnershipId))
    .orderBy(asc(partnershipSessions.date), asc(partnershipSessions.startTime), asc(partnershipSessions.id));
}

export async function findSession(db: Db, partnershipId: number, id: number): Promise<Session | null> {
  const [row] = await db
    .select()
    .from(partnershipSessions)
    .where(and(eq(partnershipSessions.partnershipId, partnershipId), eq(partnershipSessions.id, id)))
    .limit(1);
  return row ?? null;
}

export async function insertSessions(db: Db, rows: (typeof partnershipSessions.$inferInsert)[]): Promise<void> {
  if (rows.length) await db.insert(partnershipSessions).values(rows);
}

export async function updateSession(db: Db, id: number, values: Partial<typeof partnershipSessions.$inferInsert>): Promise<void> {
  await db.update(partnershipSessions).set(values).where(eq(partnershipSessions.id, id));
}

export async function deleteSession(db: Db, partnershipId: number, id: number): Promise<void> {
  await db.delete(partnershipSessions).where(and(eq(partnershipSessions.partnershipId, partnershipId), eq(partnershipSessions.id, id)));
}

/** Removes the generated sessions nothing was recorded on, before a new generation. */
export async function deleteUntouchedSessions(db: Db, partnershipId: number): Promise<void> {
  await db
    .delete(partnershipSessions)
    .where(
      and(
        eq(partnershipSessions.partnershipId, partnershipId),
        eq(partnershipSessions.status, 'planned'),
        eq(partnershipSessions.manual, false),
        isNull(partnershipSessions.childrenPresent),
        eq(partnershipSessions.notes, ''),
      ),
    );
}

/** Planned sessions between two dates of partnerships under way, with their partnership. */
export async function sessionsBetween(db: Db, from: string, to: string) {
  return db
    .select({ session: partnershipSessions, partnership: partnerships })
    .from(partnershipSessions)
    .innerJoin(partnerships, eq(partnerships.id, partnershipSessions.partnershipId))
    .where(
      and(
        eq(partnershipSessions.status, 'planned'),
        isNull(partnershipSessions.reminderSentAt),
        gte(partnershipSessions.date, from),
        lte(partnershipSessions.date, to),
        eq(partnerships.status, 'active'),
      ),
    )
    .orderBy(asc(partnershipSessions.date));
}

export async function listMeetings(db: Db, partnershipId: number): Promise<Meeting[]> {
  return db
    .select()
    .from(partnershipMeetings)
    .where(eq(partnershipMeetings.partnershipId, partnershipId))
    .orderBy(asc(partnershipMeetings.date), asc(partnershipMeetings.startTime));
}

export async function findMeeting(db: Db, partnershipId: number, id: number): Promise<Meeting | null> {
  const [row] = await db
    .select()
    .from(partnershipMeetings)
    .where(and(eq(partnershipMeetings.partnershipId, partnershipId), eq(partnershipMeetings.id, id)))
    .limit(1);
  return row ?? null;
}

export async function insertMeeting(db: Db, values: typeof partnershipMeetings.$inferInsert): Promise<Meeting> {
  const [row] = await db.insert(partnershipMeetings).values(values).returning();
  return row!;
}

export async function updateMeeting(db: Db, id: number, values: Partial<typeof partnershipMeetings.$inferInsert>): Promise<void> {
  await db.update(partnershipMeetings).set(values).where(eq(partnershipMeetings.id, id));
}

export async function listDeadlines(db: Db, partnershipId: number): Promise<Deadline[]> {
  return db
    .select()
    .from(partnershipDeadlines)
    .where(eq(partnershipDeadlines.partnershipId, partnershipId))
    .orderBy(asc(partnershipDeadlines.dueDate), asc(partnershipDeadlines.id));
}

export async function insertDeadlines(db: Db, rows: (typeof partnershipDeadlines.$inferInsert)[]): Promise<void> {
  if (rows.length) await db.insert(partnershipDeadlines).values(rows);
}

export async function findDeadline(db: Db, partnershipId: number, id: number): Promise<Deadline | null> {
  const [row] = await db
    .select()
    .from(partnershipDeadlines)
    .where(and(eq(partnershipDeadlines.partnershipId, partnershipId), eq(partnershipDeadlines.id, id)))
    .limit(1);
  return row ?? null;
}

export async function updateDeadline(db: Db, id: number, values: Partial<typeof partnershipDeadlines.$inferInsert>): Promise<void> {
  await db.update(partnershipDeadlines).set(values).where(eq(partnershipDeadlines.id, id));
}

// Reviews

export async function listReviews(db: Db, partnershipId: number): Promise<Review[]> {
  return db.select().from(partnershipReviews).where(eq(partnershipReviews.partnershipId, partnershipId));
}

export async function upsertReview(db: Db, values: typeof partnershipReviews.$inferInsert): Promise<void> {
  await db
    .insert(partnershipReviews)
    .values(values)
    .onConflictDoUpdate({
      target: [partnershipReviews.partnershipId, partnershipReviews.side],
      set: {
        answers: values.answers,
        recommendation: values.recommendation,
        recommendationReason: values.recommendationReason,
        submittedAt: values.submittedAt,
        submittedBy: values.submittedBy,
        updatedAt: values.updatedAt,
      },
    });
}

// Calendar feeds

export async function insertFeed(db: Db, values: typeof calendarFeeds.$inferInsert): Promise<CalendarFeed> {
  const [row] = await db.insert(calendarFeeds).values(values).returning();
  return row!;
}

export async function findFeedByHash(db: Db, tokenHash: string): Promise<CalendarFeed | null> {
  const [row] = await db.select().from(calendarFeeds).where(eq(calendarFeeds.tokenHash, tokenHash)).limit(1);
  return row ?? null;
}

export async function listUserFeeds(db: Db, userId: number) {
  return db
    .select({ feed: calendarFeeds, title: partnerships.title })
    .from(calendarFeeds)
    .leftJoin(partnerships, eq(partnerships.id, calendarFeeds.partnershipId))
    .where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt)))
    .orderBy(desc(calendarFeeds.createdAt));
}

export async function revokeFeed(db: Db, userId: number, id: number, now: Date): Promise<boolean> {
  const rows = await db
    .update(calendarFeeds)
    .set({ revokedAt: now })
    .where(and(eq(calendarFeeds.id, id), eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt)))
    .returning({ id: calendarFeeds.id });
  return rows.length > 0;
}

export async function touchFeed(db: Db, id: number, now: Date): Promise<void> {
  await db.update(calendarFeeds).set({ lastUsedAt: now }).where(eq(calendarFeeds.id, id));
}

/** Sessions and meetings of several partnerships, for a feed. */
export async function feedItems(db: Db, partnershipIds: number[]) {
  if (partnershipIds.length === 0) return { sessions: [], meetings: [], partnerships: [] };
  const [sessionRows, meetingRows, partnershipRows] = await Promise.all([
    db.select().from(partnershipSessions).where(inArray(partnershipSessions.partnershipId, partnershipIds)).orderBy(asc(partnershipSessions.date)),
    db.select().from(partnershipMeetings).where(inArray(partnershipMeetings.partnershipId, partnershipIds)).orderBy(asc(partnershipMeetings.date)),
    db.select().from(partnerships).where(inArray(partnerships.id, partnershipIds)),
  ]);
  return { sessions: sessionRows, meetings: meetingRows, partnerships: partnershipRows };
}

// History (the platform's audit log, entity 'partnership')

export interface HistoryEntry {
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
    .orderBy(asc(organisations.name))
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

/** The convention fields kept when the version in force was signed (null for versions signed before they were kept). */
export async function findSignedFields(db: Db, partnershipId: number): Promise<Record<string, string> | null> {
  const [row] = await db
    .select({ data: auditLog.data })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entity, 'partnership'),
        eq(auditLog.entityId, partnershipId),
        inArray(auditLog.action, ['convention.signed', 'convention.amendment_signed']),
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(1);
  const fields = row?.data.fields;
  return fields && typeof fields === 'object' ? (fields as Record<string, string>) : null;
}
