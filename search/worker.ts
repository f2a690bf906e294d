import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { loadOfferDocuments, offerIdsOfOrganisations } from './documents.js';
import { syncNeeds } from './need-index.js';
import type { SearchEngine } from './types.js';

export interface OutboxDeps {
  db: Db;
  search: SearchEngine;
  clock: { now(): Date };
  log?: { warn(obj: object, msg: string): void };
}

/** How long a claimed batch stays invisible to other workers; a crashed worker's rows come back after it. */
export const LEASE_MS = 60_000;

/**
 * Offers loaded and written at a time: an organisation's change re-indexes all its offers, and a
 * batch of new organisations (an import) may name tens of thousands — memory stays bounded.
 */
const OFFER_PAGE = 500;

export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

interface Claimed {
  id: number;
  entity: 'offer' | 'organisation' | 'need';
  entityId: number;
  attempts: number;
}

/**
 * Delivers due outbox rows to the search engine, oldest first, at least once:
 * 1. claim a batch by pushing its next_attempt_at past a lease (FOR UPDATE SKIP LOCKED: two workers
 *    never take the same rows; a worker that dies leaves them to be taken again after the lease);
 * 2. load the current database state of each entity (a published offer is upserted, anything else
 *    removed; an organisation change re-indexes all its offers) — so replays are harmless;
 * 3. mark the rows delivered, or on failure count the attempt and retry later with backoff.
 * Returns how many rows were delivered; call it until it returns 0 to drain the outbox.
 */
export async function deliverSearchOutbox(deps: OutboxDeps, options: { batchSize?: number; afterClaim?: () => Promise<void> } = {}): Promise<number> {
  // Rows are stamped with the database's now(); tests may move the domain clock ahead of it.
  const now = sql`greatest(now(), ${deps.clock.now().toISOString()}::timestamptz)`;
  const claimed = await rows<Claimed>(
    deps.db,
    sql`update search_outbox set next_attempt_at = ${now} + ${LEASE_MS} * interval '1 millisecond'
        where id in (
          select id from search_outbox
          where delivered_at is null and next_attempt_at <= ${now}
          order by id limit ${options.batchSize ?? 200}
          for update skip locked)
        returning id, entity, entity_id as "entityId", attempts`,
  );
  if (claimed.length === 0) return 0;
  claimed.sort((a, b) => a.id - b.id);
  const ids = claimed.map((c) => c.id);
  try {
    await options.afterClaim?.();
    const offerIds = new Set(claimed.filter((c) => c.entity === 'offer').map((c) => c.entityId));
    const organisationIds = [...new Set(claimed.filter((c) => c.entity === 'organisation').map((c) => c.entityId))];
    await syncNeeds(
      deps.db,
      deps.search.needs,
      claimed.filter((c) => c.entity === 'need').map((c) => c.entityId),
      organisationIds,
    );
    const direct = [...offerIds];
    for (let i = 0; i < direct.length; i += OFFER_PAGE) await indexOffers(deps, direct.slice(i, i + OFFER_PAGE));
    for await (const page of offerIdsOfOrganisations(deps.db, organisationIds, OFFER_PAGE)) {
      const more = page.filter((id) => !offerIds.has(id));
      if (more.length > 0) await indexOffers(deps, more);
    }
    await rows(
      deps.db,
      sql`update search_outbox set delivered_at = ${deps.clock.now().toISOString()}::timestamptz, last_error = null
          where id = any(${sql.param(ids)}::int[])`,
    );
    return claimed.length;
  } catch (error) {
    const message = String((error as Error).message ?? error).slice(0, 500);
    deps.log?.warn({ err: error, rows: ids.length }, 'search outbox delivery failed; will retry');
    const attempts = Math.max(...claimed.map((c) => c.attempts)) + 1;
    await rows(
      deps.db,
      sql`update search_outbox set attempts = attempts + 1, last_error = ${message},
            next_attempt_at = greatest(now(), ${deps.clock.now().toISOString()}::timestamptz) + ${backoffMs(attempts)} * interval '1 millisecond'
          where id = any(${sql.param(ids)}::int[])`,
    );
    return 0;
  }
}

/** Writes the current state of these offers to the index: published ones upserted, the others removed. */
async function indexOffers(deps: OutboxDeps, ids: number[]): Promise<void> {
  const documents = await loadOfferDocuments(deps.db, { ids });
  const present = new Set(documents.map((d) => d.id));
  if (documents.length) await deps.search.index('offer', documents);
  const gone = ids.filter((id) => !present.has(id));
  if (gone.length) await deps.search.remove('offer', gone);
}

/** Delivers until nothing is due (bounded, so that a job run always ends). */
export async function drainSearchOutbox(deps: OutboxDeps, maxBatches = 50): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const delivered = await deliverSearchOutbox(deps);
    if (delivered === 0) break;
    total += delivered;
  }
  return total;
}

/** How far the index is behind: changes not delivered yet and when the oldest of them was written. */
export async function searchLag(db: Db): Promise<{ pending: number; oldest: Date | null }> {
  const [row] = await rows<{ pending: number; oldest: string | Date | null }>(
    db,
    sql`select count(*)::int as pending, min(created_at) as oldest from search_outbox where delivered_at is null`,
  );
  return { pending: row?.pending ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

/** Rows not delivered yet (health and tests). */
export async function pendingSearchSync(db: Db): Promise<number> {
  const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from search_outbox where delivered_at is null`);
  return row?.n ?? 0;
}

/** Rows not delivered yet and the age of the oldest, in seconds (metrics). */
export async function searchOutboxLag(db: Db): Promise<{ pending: number; oldestSeconds: number }> {
  const [row] = await rows<{ pending: number; oldest: number | null }>(
    db,
    sql`select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as oldest from search_outbox where delivered_at is null`,
  );
  return { pending: row?.pending ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0) };
}
