import { sql } from 'drizzle-orm';
import { rows } from '../db/client.js';
import { deliverSearchOutbox, LEASE_MS, type OutboxDeps } from './worker.js';

interface CatchUpResult {
  delivered: number;
  /** Rows still waiting: their delivery failed (the engine is down) and will be retried by the app. */
  failing: number;
  /** The first error of a failing row. */
  error: string | null;
}

interface Pending {
  total: number;
  failing: number;
  held: number;
  error: string | null;
}

/** Rows not delivered: all of them, those that failed, those another worker holds under its lease. */
async function pendingRows(deps: OutboxDeps): Promise<Pending> {
  const [row] = await rows<Pending>(
    deps.db,
    sql`select count(*)::int as total,
               count(*) filter (where last_error is not null)::int as failing,
               count(*) filter (where last_error is null and next_attempt_at > greatest(now(), ${deps.clock.now().toISOString()}::timestamptz))::int as held,
               min(last_error) as error
        from search_outbox where delivered_at is null`,
  );
  return row ?? { total: 0, failing: 0, held: 0, error: null };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delivers the whole search outbox before a command exits (import, seed), so that a search
 * finds everything the command wrote as soon as it returns — without it, an app started after a
 * big import answered 0, then a growing total, while its job drained the outbox. Rows a running
 * instance holds are waited for (up to their lease); rows whose delivery fails are left to the
 * app's retries and reported. onProgress gets the rows delivered so far and the total.
 */
export async function catchUpSearchIndex(deps: OutboxDeps, onProgress?: (done: number, total: number) => void): Promise<CatchUpResult> {
  let pending = await pendingRows(deps);
  const total = pending.total;
  let delivered = 0;
  onProgress?.(0, total);
  const deadline = Date.now() + LEASE_MS;
  for (;;) {
    const n = await deliverSearchOutbox(deps, { batchSize: 1000 });
    delivered += n;
    if (n > 0) {
      onProgress?.(Math.min(delivered, total), total);
      continue;
    }
    pending = await pendingRows(deps);
    if (pending.held === 0 || Date.now() > deadline) break;
    await sleep(200);
  }
  onProgress?.(total - pending.failing, total);
  return { delivered, failing: pending.failing, error: pending.error };
}
