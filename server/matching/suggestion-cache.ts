import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import type { Deps } from '../deps.js';

/**
 * Dashboard suggestions computed once per question and state of the data, then served from
 * memory. The key holds the question (the wish, the partner), the state of the data and a
 * 10-minute slot of the clock: every write of an offer, a partner or a need adds a search-outbox
 * row in its transaction (and new rows take new ids), so a write through any instance changes the
 * key when it commits; the slot bounds the age of the 2-point responsiveness criterion, which
 * moves with answers to requests. Concurrent identical questions are computed once.
 */
const SLOT_MS = 10 * 60_000;
const MAX_ENTRIES = 2000;
/** Least recently used first (a Map keeps insertion order). */
const cache = new Map<string, Promise<unknown>>();

let reading: { db: Db; state: Promise<string> } | null = null;

/**
 * The state of the data suggestions are made of: cheap (primary-key maxima only). Questions asked
 * in one go (the blocks of one dashboard, started in the same turn of the event loop) share one
 * read; any later question reads again, so it sees every write committed before it was asked.
 */
export function matchingDataState(db: Db): Promise<string> {
  if (reading?.db === db) return reading.state;
  const current = { db, state: readDataState(db) };
  reading = current;
  queueMicrotask(() => {
    if (reading === current) reading = null;
  });
  return current.state;
}

async function readDataState(db: Db): Promise<string> {
  const [row] = await rows<{ outbox: number | null; offers: number | null; needs: number | null; organisations: number | null }>(
    db,
    sql`select (select max(id) from search_outbox)::int as outbox, (select max(id) from offers)::int as offers,
               (select max(id) from needs)::int as needs, (select max(id) from organisations)::int as organisations`,
  );
  return `${row?.outbox ?? 0}.${row?.offers ?? 0}.${row?.needs ?? 0}.${row?.organisations ?? 0}`;
}

/** `state`: matchingDataState started earlier by the caller, alongside the reads the question is made of. */
export async function cachedSuggestions<T>(
  deps: Pick<Deps, 'db' | 'clock'>,
  question: string,
  compute: () => Promise<T>,
  state: Promise<string> = matchingDataState(deps.db),
): Promise<T> {
  const key = `${await state}|${Math.floor(deps.clock.now().getTime() / SLOT_MS)}|${question}`;
  const hit = cache.get(key) as Promise<T> | undefined;
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const pending = compute();
  cache.set(key, pending);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  pending.catch(() => {
    if (cache.get(key) === pending) cache.delete(key);
  });
  return pending;
}
