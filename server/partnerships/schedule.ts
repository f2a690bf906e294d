import type { Db } from '../../db/client.js';
import { type ComputedCalendar, computeSessionDates } from './calendar.js';
import { calendarContext, deleteUntouchedSessions, insertSessions, listSessions } from './calendar.repository.js';
import { findOrganisationDetails, type Partnership } from './partnerships.repository.js';

/** The calendar a partnership's rules give, with the school holidays of its ACM's zone. */
export async function computeCalendar(db: Db, partnership: Partnership): Promise<ComputedCalendar> {
  const acm = await findOrganisationDetails(db, partnership.acmId);
  return computeSessionDates(partnership, await calendarContext(db, acm?.schoolZone ?? null, acm?.departmentCode ?? null));
}

/**
 * Replaces the generated sessions nothing was recorded on with the ones the rules give now.
 * Sessions added or moved by hand, held, cancelled or annotated are kept, and no new session is
 * created on their date.
 */
export async function regenerateSessions(db: Db, partnership: Partnership): Promise<ComputedCalendar & { created: number }> {
  const calendar = await computeCalendar(db, partnership);
  await deleteUntouchedSessions(db, partnership.id);
  const kept = await listSessions(db, partnership.id);
  const taken = new Set(kept.flatMap((s) => [s.date, s.originalDate].filter((d): d is string => Boolean(d))));
  const rows = calendar.dates
    .filter((date) => !taken.has(date))
    .map((date) => ({ partnershipId: partnership.id, date, startTime: partnership.startTime ?? '09:30', endTime: partnership.endTime ?? '11:30' }));
  await insertSessions(db, rows);
  return { ...calendar, created: rows.length };
}
