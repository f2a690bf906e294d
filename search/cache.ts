/**
 * A small least-recently-used cache (Map keeps insertion order), bounded by a number of entries
 * and, when `weigh` is given, by their total weight.
 */
export class LruCache<T> {
  private readonly map = new Map<string, { value: T; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly max: number,
    private readonly limits: { maxWeight: number; weigh: (value: T) => number } | null = null,
  ) {}

  get(key: string): T | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T): void {
    this.delete(key);
    const weight = this.limits ? this.limits.weigh(value) : 0;
    this.map.set(key, { value, weight });
    this.totalWeight += weight;
    while (this.map.size > this.max || (this.limits && this.totalWeight > this.limits.maxWeight && this.map.size > 1)) {
      this.delete(this.map.keys().next().value as string);
    }
  }

  clear(): void {
    this.map.clear();
    this.totalWeight = 0;
  }

  get size(): number {
    return this.map.size;
  }

  private delete(key: string): void {
    const entry = this.map.get(key);
    if (!entry) return;
    this.totalWeight -= entry.weight;
    this.map.delete(key);
  }
}
