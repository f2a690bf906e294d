import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EvaluatorPool } from '../../search/postgres/evaluator-pool.js';
import { parseGroup } from '../../search/relevance.js';
import type { OfferSnapshot } from '../../search/snapshot.js';
import { snapshotOf } from '../helpers/snapshot-offers.js';

/** The pool's threads, read through its private field: the tests kill them as a crash would. */
function workerOf(pool: EvaluatorPool): Worker {
  return (pool as unknown as { threads: ({ worker: Worker } | null)[] }).threads[0]!.worker;
}

/** The nice value of each thread of this process (Linux: /proc/self/task/<tid>/stat, 19th field). */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // a thread that ended meanwhile
    }
  });
}

const offers = () => snapshotOf([{ id: 1 }, { id: 2, themes: ['sport'] }, { id: 3, themes: ['sport'], ageMin: 12, ageMax: 14 }]);
const idsOf = (snapshot: OfferSnapshot, matches: Int32Array) => Array.from(matches, (i) => snapshot.ids[i]).sort();

describe('the evaluation threads', () => {
  let pool: EvaluatorPool;
  afterEach(async () => {
    await pool.close();
  });

  it('answer with shared text candidates, and with the matches as the order when the words give nothing to rank by', async () => {
    pool = new EvaluatorPool(1);
    const snapshot = offers();
    const candidates = new Int32Array(new SharedArrayBuffer(8));
    candidates.set(snapshot.positionsOf([2, 3]));
    const ranked = await pool.evaluate(snapshot, { theme: ['sport'] }, candidates, [parseGroup('')]);
    expect(idsOf(snapshot, ranked.matches)).toEqual([2, 3]);
    expect([...ranked.byRelevance!]).toEqual([...ranked.matches]);
    expect([...candidates]).toEqual([...snapshot.positionsOf([2, 3])]);
  });

  it.runIf(process.platform === 'linux')('run ten steps below the main thread, which answers every request, so that it comes first on busy cores', async () => {
    const below = getPriority() + 10;
    expect(threadNiceness().filter((nice) => nice >= below)).toEqual([]);
    pool = new EvaluatorPool(1);
    await pool.evaluate(offers(), {}, null, null);
    expect(threadNiceness().filter((nice) => nice >= below)).toEqual([below]);
    expect(getPriority()).toBe(below - 10);
  });

  it('answer a search on a new thread after the previous one exited', async () => {
    pool = new EvaluatorPool(1);
    const snapshot = offers();
    expect(idsOf(snapshot, (await pool.evaluate(snapshot, { theme: ['sport'] }, null, null)).matches)).toEqual([2, 3]);
    const first = workerOf(pool);
    const exited = once(first, 'exit');
    await first.terminate();
    await exited;
    const after = await pool.evaluate(snapshot, { theme: ['sport'], age: 8 }, null, null);
    expect(workerOf(pool)).not.toBe(first);
    expect(idsOf(snapshot, after.matches)).toEqual([2]);
  });

  it('fail the searches waiting on a thread that crashes instead of leaving them hanging, then carry on with a new thread', async () => {
    pool = new EvaluatorPool(1);
    const snapshot = offers();
    await pool.evaluate(snapshot, {}, null, null);
    const first = workerOf(pool);
    const exited = new Promise((resolve) => first.once('exit', resolve));
    // A snapshot whose columns the thread cannot read: it throws outside any handler and dies.
    const broken = { version: 2, columns: null, lexicon: snapshot.lexicon, codes: snapshot.codes } as unknown as OfferSnapshot;
    const waiting = [pool.evaluate(broken, {}, null, null), pool.evaluate(broken, { theme: ['sport'] }, null, null)];
    const settled = await Promise.allSettled(waiting);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toContain('Cannot read properties of null');
    await exited;
    const after = await pool.evaluate(snapshot, { theme: ['sport'] }, null, null);
    expect(workerOf(pool)).not.toBe(first);
    expect(idsOf(snapshot, after.matches)).toEqual([2, 3]);
  });
});
