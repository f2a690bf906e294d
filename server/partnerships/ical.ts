import ical, { ICalEventStatus } from 'ical-generator';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { hashToken, newToken } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { NotFoundError } from '../lib/errors.js';
import { type Access, actingSide } from './access.js';
import { feedItems, findFeedByHash, insertFeed, revokeFeed, touchFeed } from './calendar.repository.js';
import { recordEvent } from './events.js';
import { findUserMemberships, listPartnershipsFor } from './partnerships.repository.js';

/** Europe/Paris with its daylight-saving rules, so that calendar apps place local times right. */
const PARIS_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

function feedUrl(deps: Deps, token: string): string {
  return `${deps.config.BASE_URL}/calendriers/${token}.ics`;
}

/** A new secret feed for one partnership or, with null, for all the user's partnerships. The token is shown once. */
export async function createFeed(deps: Deps, user: CurrentUser, access: Access | null): Promise<string> {
  if (access) actingSide(access);
  const { token, hash } = newToken();
  await deps.db.transaction(async (tx) => {
    await insertFeed(tx, { userId: user.id, partnershipId: access?.partnership.id ?? null, tokenHash: hash, createdAt: deps.clock.now() });
    if (access) {
      await recordEvent(deps, tx, {
        partnership: access.partnership,
        actorId: user.id,
        action: 'ical.created',
        summary: `${user.name} s’est abonné·e au calendrier du partenariat.`,
      });
    }
  });
  return feedUrl(deps, token);
}

export async function revokeUserFeed(deps: Deps, user: CurrentUser, feedId: number): Promise<void> {
  if (!(await revokeFeed(deps.db, user.id, feedId, deps.clock.now()))) throw new NotFoundError();
}

/**
 * The iCalendar text of a feed, or null for an unknown or revoked token. The owner's access is
 * checked again at each fetch: someone who left an organisation stops receiving its sessions.
 */
export async function renderFeed(deps: Deps, token: string): Promise<string | null> {
  const feed = await findFeedByHash(deps.db, hashToken(token));
  if (!feed || feed.revokedAt) return null;
  const { organisationIds, isAdmin } = await findUserMemberships(deps.db, feed.userId);
  const visible = await listPartnershipsFor(deps.db, organisationIds, feed.userId, '1970-01-01');
  let ids = visible.map((r) => r.partnership.id);
  if (feed.partnershipId) {
    if (!ids.includes(feed.partnershipId) && !isAdmin) return null;
    ids = [feed.partnershipId];
  } else {
    ids = visible.filter((r) => r.partnership.status !== 'closed').map((r) => r.partnership.id);
  }
  await touchFeed(deps.db, feed.id, deps.clock.now());
  const items = await feedItems(deps.db, ids);
  const titles = new Map(items.partnerships.map((p) => [p.id, p.title]));
  const places = new Map(items.partnerships.map((p) => [p.id, p.place]));
  const calendar = ical({
    name: feed.partnershipId ? `Passerelle · ${titles.get(feed.partnershipId) ?? 'partenariat'}` : 'Passerelle · mes partenariats',
    prodId: { company: 'Passerelle', product: 'partenariats', language: 'FR' },
    timezone: { name: 'Europe/Paris', generator: () => PARIS_VTIMEZONE },
    ttl: 3600,
  });
  const stamp = deps.clock.now();
  const host = new URL(deps.config.BASE_URL).host;
  for (const session of items.sessions) {
    calendar.createEvent({
      id: `session-${session.id}@${host}`,
      start: `${session.date}T${session.startTime}:00`,
      end: `${session.date}T${session.endTime}:00`,
      timezone: 'Europe/Paris',
      stamp,
      summary: `Séance · ${titles.get(session.partnershipId) ?? ''}`,
      description: session.notes || undefined,
      location: places.get(session.partnershipId) || undefined,
      url: `${deps.config.BASE_URL}/partenariats/${session.partnershipId}/animation`,
      status: session.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      sequence: revision(session),
    });
  }
  for (const meeting of items.meetings) {
    calendar.createEvent({
      id: `rendez-vous-${meeting.id}@${host}`,
      start: `${meeting.date}T${meeting.startTime}:00`,
      end: `${meeting.date}T${meeting.endTime}:00`,
      timezone: 'Europe/Paris',
      stamp,
      summary: `Rendez-vous · ${titles.get(meeting.partnershipId) ?? ''}`,
      description: meeting.agenda || undefined,
      location: meeting.place || undefined,
      url: `${deps.config.BASE_URL}/partenariats/${meeting.partnershipId}/animation`,
    });
  }
  return utcStamps(calendar.toString(), stamp);
}

/**
 * SEQUENCE of a session: grows with each change (seconds between its creation and its last
 * change), so that calendar apps replace their copy, e.g. by a cancelled one.
 */
function revision(session: { createdAt: Date; updatedAt: Date }): number {
  return Math.max(0, Math.ceil((session.updatedAt.getTime() - session.createdAt.getTime()) / 1000));
}

/** ical-generator writes DTSTAMP in the calendar's time zone without TZID; RFC 5545 wants it in UTC. */
function utcStamps(text: string, stamp: Date): string {
  const utc = stamp
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return text.replace(/^DTSTAMP:.*$/gm, `DTSTAMP:${utc}`);
}
