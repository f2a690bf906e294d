import { LRUCache } from 'lru-cache';

/**
 * The search caches: least-recently-used, bounded by a number of entries and, when `weigh` is
 * given, by their total weight. Values are boxed because `lru-cache` refuses null and undefined,
 * and "no text query" is a result worth caching.
 */
export class LruCache<T> {
  private readonly cache: LRUCache<string, { value: T }>;

  constructor(max: number, limits: { maxWeight: number; weigh: (value: T) => number } | null = null) {
    this.cache = new LRUCache<string, { value: T }>(
      limits ? { max, maxSize: limits.maxWeight, sizeCalculation: (box) => Math.max(1, Math.ceil(limits.weigh(box.value))) } : { max },
    );
  }

  get(key: string): T | undefined {
    return this.cache.get(key)?.value;
  }

  set(key: string, value: T): void {
    this.cache.set(key, { value });
  }

  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}
