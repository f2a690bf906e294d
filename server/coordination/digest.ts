import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../deps.js';
import { parisHour, parisToday, parisWeek, parisWeekday } from '../kernel/paris-time.js';
import { separator } from '../kernel/text.js';
import { formatters } from '../lib/format.js';
import { organisationPath } from '../organisations/organisations.usecases.js';
import {
  claimDigestWeek,
  type DigestRecipient,
  digestRecipients,
  listNeeds,
  listPartners,
  listPartnerships,
  listRequests,
  type Scope,
  type ScopeKind,
  STALLED_DAYS,
  setDigestSubscription,
} from './coordination.repository.js';
import { describeTerritory, type Territory } from './coordination.usecases.js';

/** The digest goes out from Monday at this hour (Paris time), once per week and scope. */
const DIGEST_WEEKDAY = 1;
export const DIGEST_HOUR = 7;
/** Each section lists at most this many items; its link opens the whole filtered list. */
const DIGEST_MAX_ITEMS = 10;
/** Partners created this many days back at most count as new. */
const NEW_PARTNER_DAYS = 7;
const UNANSWERED_NEED_DAYS = 21;

// ——— One-click unsubscribe ———

/**
 * The unsubscribe link works without signing in: the token names the user and the scope and is
 * signed with SESSION_SECRET, so it can only turn off that scope's digest for that user.
 */
function signature(secret: string, userId: number, scope: Scope): string {
  return createHmac('sha256', secret).update(`coordination-digest:${userId}:${scope.kind}:${scope.code}`).digest('base64url').slice(0, 32);
}

export function digestToken(secret: string, userId: number, scope: Scope): string {
  return `${userId}.${scope.kind}.${scope.code}.${signature(secret, userId, scope)}`;
}

export const DIGEST_TOKEN_PATTERN = '^\\d{1,10}\\.(region|department|commune)\\.[0-9A-Z]{2,5}\\.[A-Za-z0-9_-]{32}$';

function readDigestToken(secret: string, token: string): { userId: number; scope: Scope } | null {
  const match = /^(\d{1,10})\.(region|department|commune)\.([0-9A-Z]{2,5})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return null;
  const userId = Number(match[1]);
  const scope: Scope = { kind: match[2] as ScopeKind, code: match[3]! };
  const expected = Buffer.from(signature(secret, userId, scope));
  const actual = Buffer.from(match[4]!);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return { userId, scope };
}

function digestUnsubscribeUrl(deps: Deps, userId: number, scope: Scope): string {
  return `${deps.config.BASE_URL}/coordination/resume/desabonnement/${digestToken(deps.config.SESSION_SECRET, userId, scope)}`;
}

/** The territory whose digest a token names, or null for a bad token. */
export async function digestTokenTerritory(deps: Deps, token: string): Promise<Territory | null> {
  const target = readDigestToken(deps.config.SESSION_SECRET, token);
  return target ? describeTerritory(deps, target.scope) : null;
}

/** Turns off the digest a token names; the territory it was about, or null for a bad token or a scope no longer held. */
export async function unsubscribeDigest(deps: Deps, token: string): Promise<Territory | null> {
  const target = readDigestToken(deps.config.SESSION_SECRET, token);
  if (!target) return null;
  const done = await setDigestSubscription(deps.db, target.userId, target.scope, deps.clock.now());
  return done ? describeTerritory(deps, target.scope) : null;
}

// ——— What needs attention ———

interface DigestItem {
  title: string;
  detail: string;
  url: string;
}
interface DigestSection {
  key: 'stalled' | 'overdue' | 'needs' | 'partners';
  title: string;
  definition: string;
  total: number;
  items: DigestItem[];
  more: number;
  /** The whole list, filtered, in the coordinator's workspace. */
  url: string;
}

/** The four lists of what needs attention in a territory, each empty or not; sections with nothing are dropped. */
export async function digestSections(deps: Deps, territory: Territory): Promise<DigestSection[]> {
  const now = deps.clock.now();
  const base = `${deps.config.BASE_URL}${territory.path}`;
  const absolute = (path: string) => `${deps.config.BASE_URL}${path}`;
  const page = { limit: DIGEST_MAX_ITEMS, offset: 0 };
  const [stalled, overdue, needs, partners] = await Promise.all([
    listPartnerships(deps.db, territory, { stalledAt: now }, { key: 'activity', desc: false }, page),
    listRequests(deps.db, territory, { overdue: true }, { key: 'sent', desc: false }, page, now),
    listNeeds(deps.db, territory, { unanswered: true }, { key: 'posted', desc: false }, page, parisToday(now)),
    listPartners(
      deps.db,
      territory,
      { status: 'unverified', createdSince: new Date(now.getTime() - NEW_PARTNER_DAYS * 86_400_000) },
      { key: 'created', desc: false },
      page,
      now,
    ),
  ]);
  const section = (s: Omit<DigestSection, 'more'>): DigestSection => ({ ...s, more: Math.max(0, s.total - s.items.length) });
  const sections: DigestSection[] = [
    section({
      key: 'stalled',
      title: 'Partenariats à l’arrêt',
      definition: `Partenariats non terminés d’un accueil du territoire sans aucune activité depuis ${STALLED_DAYS} jours.`,
      total: stalled.total,
      items: stalled.rows.map((r) => ({
        title: r.title,
        detail: [r.acm, r.partner, `dernière activité le ${formatters.date(r.last_activity)}`].join(separator),
        url: absolute(`/partenariats/${r.id}`),
      })),
      url: `${base}/partenariats?inactif=oui`,
    }),
    section({
      key: 'overdue',
      title: 'Demandes sans réponse',
      definition: 'Demandes impliquant un accueil du territoire, toujours sans réponse après la moitié de leur délai avant expiration.',
      total: overdue.total,
      items: overdue.rows.map((r) => ({
        title: r.subject ? `${r.acm} → ${r.partner} : ${r.subject}` : `${r.acm} → ${r.partner}`,
        detail: `envoyée le ${formatters.date(r.sent)}`,
        url: `${base}/demandes?retard=oui`,
      })),
      url: `${base}/demandes?retard=oui`,
    }),
    section({
      key: 'needs',
      title: 'Besoins sans proposition',
      definition: `Besoins d’un accueil du territoire ouverts depuis plus de ${UNANSWERED_NEED_DAYS} jours sans aucune proposition de partenaire.`,
      total: needs.total,
      items: needs.rows.map((r) => ({
        title: r.title,
        detail: [r.acm, `publié le ${formatters.date(r.posted)}`].join(separator),
        url: absolute(`/besoins/${r.id}`),
      })),
      url: `${base}/besoins?sansreponse=oui`,
    }),
    section({
      key: 'partners',
      title: 'Nouveaux partenaires en attente de vérification',
      definition: `Structures partenaires du territoire inscrites ces ${NEW_PARTNER_DAYS} derniers jours et pas encore vérifiées.`,
      total: partners.total,
      items: partners.rows.map((r) => ({
        title: r.name,
        detail: [r.commune, `inscrit le ${formatters.date(r.created)}`].filter(Boolean).join(separator),
        url: absolute(organisationPath({ id: r.id, slug: r.slug, kind: 'partner' })),
      })),
      url: `${base}/partenaires?statut=unverified`,
    }),
  ];
  return sections.filter((s) => s.total > 0);
}

/** Whether the digest of the current week may go out: from Monday DIGEST_HOUR, Paris time. */
function digestDue(now: Date): boolean {
  const weekday = parisWeekday(now);
  return weekday > DIGEST_WEEKDAY || (weekday === DIGEST_WEEKDAY && parisHour(now) >= DIGEST_HOUR);
}

async function prepareDigest(deps: Deps, recipient: DigestRecipient, week: string): Promise<boolean> {
  const scope: Scope = { kind: recipient.scope, code: recipient.code };
  const territory = await describeTerritory(deps, scope);
  const sections = territory ? await digestSections(deps, territory) : [];
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // Claimed first: a concurrent run that claimed this week already makes this one queue nothing.
    if (!(await claimDigestWeek(tx, recipient.user_id, scope, week, sections.length > 0 ? now : null))) return false;
    if (!territory || sections.length === 0) return false;
    const unsubscribeUrl = digestUnsubscribeUrl(deps, recipient.user_id, scope);
    const count = sections.reduce((sum, s) => sum + s.total, 0);
    await deps.mailer.queue(
      {
        to: recipient.email,
        subject: `${territory.label} : ${count > 1 ? `${count} points` : '1 point'} à suivre cette semaine`,
        template: 'coordination-digest',
        data: {
          name: recipient.name,
          territory: territory.label,
          count,
          sections,
          workspaceUrl: `${deps.config.BASE_URL}${territory.path}`,
          settingsUrl: `${deps.config.BASE_URL}${territory.path}#resume-hebdomadaire`,
          unsubscribeUrl,
        },
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      },
      tx,
    );
    return true;
  });
}

/**
 * The weekly digest job: from Monday 7:00 (Paris), each coordinator gets, for each of their
 * scopes, one email listing what needs attention there, and nothing when there is nothing to say.
 * Each scope's week is recorded with the email, so a rerun in the same week sends nothing twice.
 * Returns how many emails were queued.
 */
export async function sendCoordinationDigests(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  if (!digestDue(now)) return 0;
  const week = parisWeek(now);
  let sent = 0;
  for (;;) {
    const batch = await digestRecipients(deps.db, week);
    for (const recipient of batch) if (await prepareDigest(deps, recipient, week)) sent++;
    if (batch.length < 500) return sent;
  }
}
