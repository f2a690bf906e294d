import type { Deps } from '../deps.js';
import { parisInstant, parisToday } from '../kernel/paris-time.js';
import { formatters, frenchTime } from '../lib/format.js';
import { notify } from '../notifications/notifications.usecases.js';
import { addDays } from './calendar.js';
import { sessionsBetween, updateSession } from './calendar.repository.js';

/** How long before a session its reminder goes out. */
const REMINDER_HOURS = 24;

/**
 * Scheduled job: reminds the members of both organisations of each session starting within the
 * next 24 hours (a notification, and an email according to each user's preference), once per
 * session; moving a session re-arms its reminder.
 */
export async function sendSessionReminders(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const today = parisToday(now);
  const due = await sessionsBetween(deps.db, today, addDays(today, 1));
  let sent = 0;
  for (const { session, partnership } of due) {
    const startsIn = parisInstant(session.date, session.startTime).getTime() - now.getTime();
    if (startsIn <= 0 || startsIn > REMINDER_HOURS * 3600_000) continue;
    const day = session.date === today ? 'aujourd’hui' : 'demain';
    await deps.db.transaction(async (tx) => {
      await updateSession(tx, session.id, { reminderSentAt: now });
      await notify(deps, tx, {
        organisationIds: [partnership.acmId, partnership.partnerId],
        type: 'session_reminder',
        title: `Séance ${day} à ${frenchTime(session.startTime)} : ${partnership.title}`,
        body: `Le ${formatters.date(session.date)}, de ${frenchTime(session.startTime)} à ${frenchTime(session.endTime)}${partnership.place ? `, ${partnership.place}` : ''}.`,
        url: `/partenariats/${partnership.id}/animation#seance-${session.id}`,
      });
    });
    sent++;
  }
  return sent;
}
