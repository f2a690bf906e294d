import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { parisHour, startOfParisDay } from '../kernel/paris-time.js';
import { NotFoundError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { DIGEST_TYPE, type EmailMode, emailModes, notificationTypes, typeInfo } from './notification-types.js';
import {
  findNotification,
  findRecipients,
  insertNotifications,
  markEmailed,
  markRead,
  type Notification,
  pendingDigestItems,
  preferencesFor,
  setPreference,
  userPreferences,
} from './notifications.repository.js';
import { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.js';

interface NotifyInput {
  /** Users to notify directly. */
  userIds?: number[];
  /** Organisations whose members are notified. */
  organisationIds?: number[];
  /** One of notificationTypes (see notification-types.ts), e.g. 'request_received'. */
  type: string;
  /** One line, shown in the bell list and as the email subject. */
  title: string;
  /** A sentence or two of context (plain text). */
  body?: string;
  /** Same-site path the notification opens, e.g. '/demandes/12'. */
  url: string;
  /** The user who caused the event: not notified of their own action. */
  excludeUserId?: number | null;
}

/** Hour (Paris time) from which the daily digest of the previous day goes out. */
export const DIGEST_HOUR = 7;

function absolute(deps: Deps, path: string): string {
  return `${deps.config.BASE_URL}${path}`;
}

export function unsubscribeUrl(deps: Deps, userId: number, type: string): string {
  return absolute(deps, `/notifications/desabonnement/${unsubscribeToken(deps.config.SESSION_SECRET, userId, type)}`);
}

/** RFC 2369 + RFC 8058 headers: mail clients show a one-click "unsubscribe" that POSTs to the link. */
function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * Notifies users of an event: an in-app notification for each recipient (organisations → their
 * members), and an email according to each one's preference for the type: one email now
 * (immediate), a line in tomorrow's digest (digest), or nothing (off). Call it with the
 * transaction of the change so that nothing is sent for a change that is rolled back.
 */
export async function notify(deps: Deps, db: Db, input: NotifyInput): Promise<Notification[]> {
  if (!input.url.startsWith('/') || input.url.startsWith('//')) throw new Error(`notify: url must be a same-site path, got ${input.url}`);
  const info = typeInfo(input.type);
  const recipients = (await findRecipients(db, input.userIds ?? [], input.organisationIds ?? [])).filter((r) => r.id !== input.excludeUserId);
  if (recipients.length === 0) return [];
  const preferences = await preferencesFor(
    db,
    recipients.map((r) => r.id),
    input.type,
  );
  const now = deps.clock.now();
  const title = input.title.slice(0, 200);
  const body = (input.body ?? '').slice(0, 1000);
  const modes = new Map<number, EmailMode>(recipients.map((r) => [r.id, r.emailVerified ? (preferences.get(r.id) ?? info.defaultMode) : 'off']));
  const created = await insertNotifications(
    db,
    recipients.map((r) => {
      const emailMode = modes.get(r.id)!;
      return { userId: r.id, type: input.type, title, body, url: input.url, emailMode, emailedAt: emailMode === 'immediate' ? now : null, createdAt: now };
    }),
  );
  for (const recipient of recipients) {
    if (modes.get(recipient.id) !== 'immediate') continue;
    const unsubscribe = unsubscribeUrl(deps, recipient.id, input.type);
    await deps.mailer.queue(
      {
        to: recipient.email,
        subject: title,
        template: 'notification-event',
        data: {
          name: recipient.name,
          title,
          body,
          url: absolute(deps, input.url),
          typeLabel: info.label,
          unsubscribeUrl: unsubscribe,
          preferencesUrl: absolute(deps, '/compte/notifications'),
        },
        headers: unsubscribeHeaders(unsubscribe),
      },
      db,
    );
  }
  return created;
}

/**
 * The daily digest: from DIGEST_HOUR (Paris time), each user with digest-mode events from
 * before today gets one email listing them, grouped by type. Safe to run as often as wanted.
 */
export async function sendDigests(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  if (parisHour(now) < DIGEST_HOUR) return 0;
  const items = await pendingDigestItems(deps.db, startOfParisDay(now));
  const byUser = new Map<number, typeof items>();
  for (const item of items) {
    const list = byUser.get(item.notification.userId) ?? [];
    list.push(item);
    byUser.set(item.notification.userId, list);
  }
  let sent = 0;
  for (const [userId, list] of byUser) {
    const first = list[0]!;
    const groups = new Map<
      string,
      { type: string; label: string; unsubscribeUrl: string; items: { title: string; body: string; url: string; createdAt: Date }[] }
    >();
    for (const { notification } of list) {
      const group = groups.get(notification.type) ?? {
        type: notification.type,
        label: typeInfo(notification.type).label,
        unsubscribeUrl: unsubscribeUrl(deps, userId, notification.type),
        items: [],
      };
      group.items.push({ title: notification.title, body: notification.body, url: absolute(deps, notification.url), createdAt: notification.createdAt });
      groups.set(notification.type, group);
    }
    const digestUnsubscribe = unsubscribeUrl(deps, userId, DIGEST_TYPE);
    await deps.db.transaction(async (tx) => {
      await deps.mailer.queue(
        {
          to: first.email,
          subject: list.length > 1 ? `Votre résumé Passerelle : ${list.length} nouveautés` : 'Votre résumé Passerelle : 1 nouveauté',
          template: 'digest',
          data: {
            name: first.name,
            count: list.length,
            groups: [...groups.values()],
            unsubscribeUrl: digestUnsubscribe,
            preferencesUrl: absolute(deps, '/compte/notifications'),
            notificationsUrl: absolute(deps, '/notifications'),
          },
          headers: unsubscribeHeaders(digestUnsubscribe),
        },
        tx,
      );
      await markEmailed(
        tx,
        list.map((i) => i.notification.id),
        now,
      );
    });
    sent++;
  }
  return sent;
}

interface PreferenceRow {
  type: string;
  label: string;
  description: string;
  group: string;
  mode: EmailMode;
}

export async function preferencesPage(deps: Deps, userId: number): Promise<{ groups: { name: string; rows: PreferenceRow[] }[] }> {
  const saved = await userPreferences(deps.db, userId);
  const groups: { name: string; rows: PreferenceRow[] }[] = [];
  for (const entry of notificationTypes) {
    let group = groups.find((g) => g.name === entry.group);
    if (!group) {
      group = { name: entry.group, rows: [] };
      groups.push(group);
    }
    group.rows.push({ ...entry, mode: saved.get(entry.type) ?? entry.defaultMode });
  }
  return { groups };
}

export async function savePreferences(deps: Deps, userId: number, body: Record<string, unknown>): Promise<void> {
  const form = new FormReader(body);
  const allowed = emailModes.map((m) => m.value);
  const chosen: [string, EmailMode][] = [];
  for (const entry of notificationTypes) {
    const mode = form.oneOf(`mode_${entry.type}`, allowed);
    if (mode) chosen.push([entry.type, mode]);
  }
  form.assertValid();
  await deps.db.transaction(async (tx) => {
    for (const [type, mode] of chosen) await setPreference(tx, userId, type, mode);
  });
}

interface UnsubscribeTarget {
  userId: number;
  type: string;
  label: string;
}

/** What an unsubscribe token allows, or null for a bad or forged token. */
export function readUnsubscribeToken(deps: Deps, token: string): UnsubscribeTarget | null {
  const target = verifyUnsubscribeToken(deps.config.SESSION_SECRET, token);
  if (!target) return null;
  const label = target.type === DIGEST_TYPE ? 'Résumé quotidien' : typeInfo(target.type).label;
  return { ...target, label };
}

/** Turns off the emails of one type for one user (the digest token: every type set to digest). */
export async function unsubscribe(deps: Deps, token: string): Promise<UnsubscribeTarget> {
  const target = readUnsubscribeToken(deps, token);
  if (!target) throw new NotFoundError('Ce lien de désinscription n’est pas valide.');
  await deps.db.transaction(async (tx) => {
    if (target.type !== DIGEST_TYPE) return setPreference(tx, target.userId, target.type, 'off');
    const saved = await userPreferences(tx, target.userId);
    for (const entry of notificationTypes) {
      if ((saved.get(entry.type) ?? entry.defaultMode) === 'digest') await setPreference(tx, target.userId, entry.type, 'off');
    }
    for (const [type, mode] of saved) if (mode === 'digest') await setPreference(tx, target.userId, type, 'off');
  });
  return target;
}

/** Opening a notification marks it read; returns where to go. */
export async function openNotification(deps: Deps, userId: number, id: number): Promise<string> {
  const notification = await findNotification(deps.db, userId, id);
  if (!notification) throw new NotFoundError();
  await markRead(deps.db, userId, [id], deps.clock.now());
  return notification.url.startsWith('/') && !notification.url.startsWith('//') ? notification.url : '/notifications';
}
