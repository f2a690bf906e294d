import { Worker } from 'node:worker_threads';
import type { QueryGroup } from '../relevance.js';
import type { Evaluation, OfferSnapshot } from '../snapshot.js';
import type { OfferFilters } from '../types.js';
import type { FromThread, ToThread } from './evaluator-thread.js';

/** Snapshot versions a thread keeps: the current one, and the previous one for searches still on it. */
const KEPT_VERSIONS = 2;

/**
 * Evaluation threads, so that the main thread only routes and renders: an evaluation of a large
 * area costs tens of milliseconds at 100,000 offers, and on the main thread every other request
 * (and /healthz) would wait for it. Each thread sees the snapshot's columns in their
 * SharedArrayBuffers (posted once per version, never copied) and answers with the matches, their
 * distances, the facets and, for a text query, the relevance order. Threads start on the first
 * evaluation (scripts that never search start none) and do not keep the process alive when idle.
 */
export class EvaluatorPool {
  private readonly threads: (EvaluatorThread | null)[];

  constructor(size: number) {
    this.threads = Array.from({ length: size }, () => null);
  }

  /** `groups`: the text query's groups, to get the relevance order with the evaluation. */
  evaluate(snapshot: OfferSnapshot, filters: OfferFilters, candidates: Int32Array | null, groups: QueryGroup[] | null): Promise<Evaluation> {
    return this.leastBusy().evaluate(snapshot, filters, candidates, groups);
  }

  /** Starts every thread and posts them the snapshot (and builds their grids), ahead of the first search. */
  async warm(snapshot: OfferSnapshot): Promise<void> {
    for (let k = 0; k < this.threads.length; k++) if (!this.threads[k] || this.threads[k]!.failed) this.threads[k] = new EvaluatorThread();
    await Promise.all(this.threads.map((thread) => thread!.evaluate(snapshot, {}, new Int32Array(0), null)));
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread?.terminate()));
    this.threads.fill(null);
  }

  private leastBusy(): EvaluatorThread {
    let best = -1;
    for (let k = 0; k < this.threads.length; k++) {
      const thread = this.threads[k];
      if (!thread || thread.failed) {
        this.threads[k] = new EvaluatorThread();
        return this.threads[k]!;
      }
      if (best < 0 || thread.pending < this.threads[best]!.pending) best = k;
    }
    return this.threads[best]!;
  }
}

/** One thread, and what was posted to it. */
class EvaluatorThread {
  failed = false;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (evaluation: Evaluation) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  /** Versions posted, oldest first. */
  private readonly versions: number[] = [];
  private sentWords = 0;
  private sentCodes = 0;

  constructor() {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on('message', (message: FromThread) => this.settle(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`evaluation thread exited (${code})`)));
  }

  get pending(): number {
    return this.waiting.size;
  }

  evaluate(snapshot: OfferSnapshot, filters: OfferFilters, candidates: Int32Array | null, groups: QueryGroup[] | null): Promise<Evaluation> {
    this.post(snapshot);
    const id = this.nextId++;
    return new Promise<Evaluation>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.send({ type: 'evaluate', id, version: snapshot.version, filters, candidates, groups });
    });
  }

  terminate(): Promise<number> {
    this.failed = true;
    return this.worker.terminate();
  }

  /** Posts the snapshot once per version, with the lexicons' new words. */
  private post(snapshot: OfferSnapshot): void {
    if (this.versions.includes(snapshot.version)) return;
    this.versions.push(snapshot.version);
    const drop = this.versions.length > KEPT_VERSIONS ? this.versions.splice(0, this.versions.length - KEPT_VERSIONS) : [];
    const words = snapshot.lexicon.words;
    const codes = snapshot.codes.words;
    this.send({
      type: 'snapshot',
      version: snapshot.version,
      columns: snapshot.columns,
      newWords: words.slice(this.sentWords),
      newCodes: codes.slice(this.sentCodes),
      drop,
    });
    this.sentWords = words.length;
    this.sentCodes = codes.length;
  }

  private send(message: ToThread): void {
    this.worker.postMessage(message);
  }

  private settle(message: FromThread): void {
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id);
    if (this.waiting.size === 0) this.worker.unref();
    if ('error' in message) {
      waiter.reject(new Error(`evaluation thread: ${message.error}`));
      return;
    }
    waiter.resolve({
      matches: message.matches,
      distances: message.distances,
      facets: message.facets,
      ...(message.byRelevance ? { byRelevance: message.byRelevance } : {}),
    });
  }

  private fail(error: Error): void {
    if (this.failed && this.waiting.size === 0) return;
    this.failed = true;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/**
 * The thread runs evaluator-thread.ts, or .js once compiled; TypeScript sources are loaded
 * through tsx, as the app itself is (`node --import tsx`). The thread gets no flags of ours
 * (the bench's preloads are for the main thread).
 */
function startWorker(): Worker {
  const source = import.meta.url.endsWith('.ts');
  const file = new URL(`./evaluator-thread.${source ? 'ts' : 'js'}`, import.meta.url).href;
  const boot = source
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); });`
    : `import(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, execArgv: [] });
}
