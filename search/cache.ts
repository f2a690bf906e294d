import { LRUCache } from 'lru-cache';

type Box<T> = { value: T };
type Compute<T> = () => Promise<T>;

/**
 * The search caches: least-recently-used, bounded by a number of entries and, when `weigh` is
 * given, by their total weight. Values are boxed because `lru-cache` refuses null and undefined,
 * and "no text query" is a result worth caching.
 */
export class LruCache<T> {
  private readonly cache: LRUCache<string, Box<T>, Compute<T>>;

  constructor(max: number, limits: { maxWeight: number; weigh: (value: T) => number } | null = null) {
    this.cache = new LRUCache<string, Box<T>, Compute<T>>({
      max,
      ...(limits ? { maxSize: limits.maxWeight, sizeCalculation: (box: Box<T>) => Math.max(1, Math.ceil(limits.weigh(box.value))) } : {}),
      fetchMethod: async (_key, _stale, { context }) => ({ value: await context() }),
      // A computation whose entry is pushed out while it runs still answers everyone waiting for it.
      ignoreFetchAbort: true,
    });
  }

  get(key: string): T | undefined {
    return this.cache.get(key)?.value;
  }

  set(key: string, value: T): void {
    this.cache.set(key, { value });
  }

  /**
   * The cached value, else the computation already running for the key, else a new one: callers
   * asking at the same time share one computation. A failure reaches them all and is not kept.
   */
  async getOrCompute(key: string, compute: Compute<T>): Promise<T> {
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
