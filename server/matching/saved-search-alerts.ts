import { and, eq, inArray, lte, ne, or } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { savedSearches, savedSearchSentItems, users } from '../../db/schema/index.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { loadCurrentUser } from '../accounts/sessions.repository.js';
import { readSearchForm } from '../catalogue/catalogue.pages.js';
import type { Deps } from '../deps.js';
import { separator } from '../kernel/text.js';
import { findNewNeeds } from './need-search.js';
import { describeQuery, formParams, kinds, type SavedSearch, searchUrl } from './saved-searches.js';

const HOUR = 3_600_000;
/** A daily alert goes out when the last check is at least this old (a little under a day, so the hour drifts less). */
const PERIODS: Record<'daily' | 'weekly', number> = { daily: 23 * HOUR, weekly: 7 * 24 * HOUR - HOUR };
/** At most this many items are listed in one email (the link shows the rest). */
const ALERT_MAX_ITEMS = 20;
const SCAN_LIMIT = 200;

export interface AlertItem {
  id: number;
  title: string;
  path: string;
  detail: string;
}

/** Offers matching a saved search (read like the offers page reads its form), published after `since`, newest first. */
async function findNewOffers(deps: Deps, user: CurrentUser, query: string, since: Date): Promise<AlertItem[]> {
  const state = await readSearchForm(deps, { user } as unknown as FastifyRequest, formParams(query));
  if (state.error) return [];
  const found: AlertItem[] = [];
  for (let page = 1; page <= SCAN_LIMIT / 50; page++) {
    const result = await deps.search.searchOffers({ ...state.search, sort: 'recent', page, perPage: 50 });
    for (const hit of result.items) {
      const doc = hit.document;
      if (!doc.publishedAt || new Date(doc.publishedAt) <= since) return found;
      found.push({
        id: doc.id,
        title: doc.title,
        path: `/offres/${doc.id}-${doc.slug}`,
        detail: [doc.orgName, doc.communeName].filter(Boolean).join(separator),
      });
    }
    if (result.items.length < 50) break;
  }
  return found;
}

async function findNewItems(deps: Deps, user: CurrentUser, search: SavedSearch, since: Date): Promise<AlertItem[]> {
  return search.kind === 'offer' ? findNewOffers(deps, user, search.query, since) : findNewNeeds(deps, user, search.query, since);
}

/**
 * The alerts job: each saved search whose alert is due gets one email listing the items that
 * match it and appeared since its last check, never an item twice, and no email when nothing is
 * new. Returns how many emails were queued.
 */
export async function sendSavedSearchAlerts(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.db
    .select({ search: savedSearches, user: users })
    .from(savedSearches)
    .innerJoin(users, eq(users.id, savedSearches.userId))
    .where(
      and(
        ne(savedSearches.frequency, 'none'),
        or(
          and(eq(savedSearches.frequency, 'daily'), lte(savedSearches.lastCheckedAt, new Date(now.getTime() - PERIODS.daily))),
          and(eq(savedSearches.frequency, 'weekly'), lte(savedSearches.lastCheckedAt, new Date(now.getTime() - PERIODS.weekly))),
        ),
      ),
    )
    .orderBy(savedSearches.id)
    .limit(500);
  let sent = 0;
  for (const { search, user } of due) {
    const { email, name } = user;
    // A user who can no longer see needs (left their partner structure) gets nothing for them.
    const current = await loadCurrentUser(deps.db, user);
    const allowed = search.kind === 'offer' || current.isAdmin || current.memberships.some((m) => m.kind === 'partner');
    const candidates = allowed && !user.suspendedAt ? await findNewItems(deps, current, search, search.lastCheckedAt) : [];
    const already = candidates.length
      ? await deps.db
          .select({ itemId: savedSearchSentItems.itemId })
          .from(savedSearchSentItems)
          .where(
            and(
              eq(savedSearchSentItems.savedSearchId, search.id),
              inArray(
                savedSearchSentItems.itemId,
                candidates.map((c) => c.id),
              ),
            ),
          )
      : [];
    const sentIds = new Set(already.map((a) => a.itemId));
    const items = candidates.filter((c) => !sentIds.has(c.id));
    await deps.db.transaction(async (tx) => {
      if (items.length > 0) {
        const base = deps.config.BASE_URL;
        const unsubscribeUrl = `${base}/recherches/desabonnement/${search.unsubscribeToken}`;
        const kind = kinds[search.kind];
        const headline = items.length > 1 ? `${items.length} ${kind.newMany}` : `1 ${kind.newOne}`;
        await deps.mailer.queue(
          {
            to: email,
            subject: `${headline} : ${search.name}`.slice(0, 200),
            template: 'alert-saved-search',
            data: {
              name,
              searchName: search.name,
              summary: describeQuery(search.query),
              frequency: search.frequency,
              headline,
              count: items.length,
              items: items.slice(0, ALERT_MAX_ITEMS).map((i) => ({ ...i, url: `${base}${i.path}` })),
              more: Math.max(0, items.length - ALERT_MAX_ITEMS),
              searchUrl: `${base}${searchUrl(search)}`,
              manageUrl: `${base}/recherches`,
              unsubscribeUrl,
            },
            headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
          },
          tx,
        );
        await tx
          .insert(savedSearchSentItems)
          .values(items.map((i) => ({ savedSearchId: search.id, itemId: i.id, sentAt: now })))
          .onConflictDoNothing();
      }
      await tx
        .update(savedSearches)
        .set({ lastCheckedAt: now, ...(items.length > 0 ? { lastSentAt: now } : {}) })
        .where(eq(savedSearches.id, search.id));
    });
    if (items.length > 0) sent++;
  }
  return sent;
}
