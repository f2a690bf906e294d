import { and, asc, desc, eq, gte, inArray, isNull, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { calendarFeeds, partnershipDeadlines, partnershipMeetings, partnershipSessions, partnerships, schoolHolidays } from '../../db/schema/index.js';
import { type CalendarContext, holidayPeriods } from './calendar.js';

export type Session = typeof partnershipSessions.$inferSelect;
type Meeting = typeof partnershipMeetings.$inferSelect;
export type Deadline = typeof partnershipDeadlines.$inferSelect;
type CalendarFeed = typeof calendarFeeds.$inferSelect;

/** The school calendar of a zone (null zone: unknown calendar, only public holidays apply). */
export async function calendarContext(db: Db, zone: string | null, departmentCode: string | null): Promise<CalendarContext> {
  const rows = zone ? await db.select().from(schoolHolidays).where(eq(schoolHolidays.zone, zone)) : [];
  return {
    holidays: holidayPeriods(rows),
    knownSchoolYears: new Set(rows.map((r) => r.schoolYear)),
    alsace: ['57', '67', '68'].includes(departmentCode ?? ''),
  };
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
