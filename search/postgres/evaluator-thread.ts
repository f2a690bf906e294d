import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { Lexicon, type QueryGroup } from '../relevance.js';
import { OfferSnapshot, type SnapshotColumns } from '../snapshot.js';
import type { Facets, OfferFilters } from '../types.js';

/**
 * An evaluation thread of search/postgres/evaluator-pool.ts: it holds the snapshots the pool
 * posted (their columns are the main thread's SharedArrayBuffers) and evaluates filters on them.
 */

export type ToThread =
  | {
      type: 'snapshot';
      version: number;
      columns: SnapshotColumns;
      /** The lexicons' words appended since the previous snapshot message (ids are their positions). */
      newWords: string[];
      newCodes: string[];
      /** Versions the pool will not ask for again. */
      drop: number[];
    }
  | { type: 'evaluate'; id: number; version: number; filters: OfferFilters; candidates: Int32Array | null; groups: QueryGroup[] | null };

export type FromThread =
  | { id: number; matches: Int32Array; distances: Float64Array | null; facets: Facets; byRelevance: Int32Array | null }
  | { id: number; error: string };

/**
 * How many steps below the main thread this thread runs (nice values are per thread on Linux): when
 * the cores are busy, the main thread, which answers every request and /healthz, comes first, and
 * an evaluation waits a little longer instead of every other request.
 */
const EVALUATION_NICENESS = 10;
try {
  // The thread starts at the niceness of the thread that created it; 19 is the lowest priority.
  setPriority(Math.min(19, getPriority() + EVALUATION_NICENESS));
} catch {
  // Some platforms or sandboxes refuse: the thread runs at the main thread's priority.
}

const lexicon = new Lexicon();
const codes = new Lexicon();
const snapshots = new Map<number, OfferSnapshot>();

function answer(message: Extract<ToThread, { type: 'evaluate' }>): { reply: FromThread; transfer: ArrayBuffer[] } {
  const snapshot = snapshots.get(message.version);
  if (!snapshot) return { reply: { id: message.id, error: `snapshot ${message.version} not posted` }, transfer: [] };
  const evaluation = snapshot.evaluate(message.filters, message.candidates);
  const matches = evaluation.matches;
  const byRelevance = message.groups ? snapshot.byRelevance(matches, message.groups) : null;
  // A query with nothing to rank by gets its matches back as the relevance order: one buffer, listed once.
  const transfer = [...new Set([matches.buffer, byRelevance?.buffer, evaluation.distances?.buffer])].filter((buffer) => buffer !== undefined);
  return {
    reply: { id: message.id, matches, distances: evaluation.distances, facets: evaluation.facets, byRelevance },
    transfer: transfer as ArrayBuffer[],
  };
}

parentPort?.on('message', (message: ToThread) => {
  if (message.type === 'snapshot') {
    for (const word of message.newWords) lexicon.idOf(word);
    for (const code of message.newCodes) codes.idOf(code);
    for (const version of message.drop) snapshots.delete(version);
    const snapshot = OfferSnapshot.fromColumns(message.version, message.columns, lexicon, codes);
    // The spatial grids are built here, before the first evaluation needs them.
    snapshot.geo();
    snapshots.set(message.version, snapshot);
    return;
  }
  try {
    const { reply, transfer } = answer(message);
    parentPort?.postMessage(reply, transfer);
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromThread);
  }
});
