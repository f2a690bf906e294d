import { LRUCache } from 'lru-cache';
import { RecentKeys } from './recent-keys.js';

type Box<T> = { value: T };
type Compute<T> = () => Promise<T>;

export interface CacheOptions<T> {
  /** With `weigh`: the most the entries may weigh together. */
  maxWeight?: number;
  weigh?: (value: T) => number;
  /**
   * Keep a computed value only for a key asked for before (search/recent-keys.ts). Searches asked
   * once (a new place, a typo) would otherwise push out the answers asked again and again, and
   * every answer kept lives long enough for the garbage collector to move it to the old
   * generation, whose collections pause the event loop longer the more it holds.
   */
  repeatedOnly?: boolean;
}

/**
 * The search caches: least-recently-used, bounded by a number of entries and, when `weigh` is
 * given, by their total weight. Values are boxed because `lru-cache` refuses null and undefined,
 * and "no text query" is a result worth caching.
 */
export class LruCache<T> {
  private readonly cache: LRUCache<string, Box<T>, Compute<T>>;
  private readonly recent: RecentKeys | null;
  /** Computations of keys asked for the first time, which the cache does not hold: shared all the same. */
  private readonly running = new Map<string, Promise<T>>();

  constructor(max: number, options: CacheOptions<T> = {}) {
    const { maxWeight, weigh } = options;
    this.cache = new LRUCache<string, Box<T>, Compute<T>>({
      max,
      ...(maxWeight && weigh ? { maxSize: maxWeight, sizeCalculation: (box: Box<T>) => Math.max(1, Math.ceil(weigh(box.value))) } : {}),
      fetchMethod: async (_key, _stale, { context }) => ({ value: await context() }),
      // A computation whose entry is pushed out while it runs still answers everyone waiting for it.
      ignoreFetchAbort: true,
    });
    this.recent = options.repeatedOnly ? new RecentKeys() : null;
  }

  get(key: string): T | undefined {
    return this.cache.get(key)?.value;
  }

  set(key: string, value: T): void {
    this.cache.set(key, { value });
  }

  /**
   * The cached value, else the computation already running for the key, else a new one: callers
   * asking at the same time share one computation. A failure reaches them all and is not kept;
   * with `repeatedOnly`, neither is the value of a question asked for the first time. `askedAs`
   * names the question when the key says more (a key with the index version: a query asked before
   * a write is asked again after it).
   */
  async getOrCompute(key: string, compute: Compute<T>, askedAs = key): Promise<T> {
    const running = this.running.get(key);
    if (running) return running;
    if (this.recent && !this.recent.askedBefore(askedAs) && !this.cache.has(key)) {
      const computing = compute().finally(() => this.running.delete(key));
      this.running.set(key, computing);
      return computing;
    }
    const box = await this.cache.fetch(key, { context: compute });
    return box!.value;
  }

  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}
