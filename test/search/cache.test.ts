import { describe, expect, it } from 'vitest';
import { LruCache } from '../../search/cache.js';
import { RecentKeys } from '../../search/recent-keys.js';

describe('the search cache', () => {
  it('forgets the least recently used entry once it holds more than its maximum', () => {
    const cache = new LruCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('keeps the total weight under its limit by forgetting the oldest entries', () => {
    const cache = new LruCache<number[]>(100, { maxWeight: 10, weigh: (list) => list.length });
    cache.set('four', [1, 2, 3, 4]);
    cache.set('five', [1, 2, 3, 4, 5]);
    cache.set('three', [1, 2, 3]);
    expect(cache.get('four')).toBeUndefined();
    expect(cache.get('five')).toHaveLength(5);
    expect(cache.get('three')).toHaveLength(3);
  });

  it('remembers a null result, which is not the same as a miss', () => {
    const cache = new LruCache<string | null>(10);
    cache.set('rien', null);
    expect(cache.get('rien')).toBeNull();
    expect(cache.get('autre')).toBeUndefined();
    cache.clear();
    expect(cache.get('rien')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('shares one computation between callers asking for the same key at the same time, then answers from the cache', async () => {
    const cache = new LruCache<number>(10);
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 42;
    };
    const answers = await Promise.all([cache.getOrCompute('k', compute), cache.getOrCompute('k', compute), cache.getOrCompute('k', compute)]);
    expect(answers).toEqual([42, 42, 42]);
    expect(computations).toBe(1);
    expect(await cache.getOrCompute('k', compute)).toBe(42);
    expect(computations).toBe(1);
    expect(cache.get('k')).toBe(42);
  });

  it('gives a failure to every caller waiting for it and keeps nothing, so the next call computes again', async () => {
    const cache = new LruCache<string>(10);
    let calls = 0;
    const failing = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('base injoignable');
    };
    const results = await Promise.allSettled([cache.getOrCompute('k', failing), cache.getOrCompute('k', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(cache.get('k')).toBeUndefined();
    expect(await cache.getOrCompute('k', async () => 'ok')).toBe('ok');
  });

  it('still answers a computation whose entry was pushed out of the cache while it ran', async () => {
    const cache = new LruCache<number[]>(1);
    let finish: (value: number[]) => void = () => {};
    const slow = cache.getOrCompute('lent', () => new Promise<number[]>((resolve) => (finish = resolve)));
    await Promise.resolve();
    cache.set('autre', [1]);
    cache.set('encore', [2]);
    finish([7, 8]);
    expect(await slow).toEqual([7, 8]);
  });

  it('computes and caches a null result once', async () => {
    const cache = new LruCache<string | null>(10);
    let calls = 0;
    const nothing = async () => {
      calls++;
      return null;
    };
    expect(await cache.getOrCompute('rien', nothing)).toBeNull();
    expect(await cache.getOrCompute('rien', nothing)).toBeNull();
    expect(calls).toBe(1);
  });

  it('with repeatedOnly, keeps nothing of a key asked once, and keeps it from its second request on', async () => {
    const cache = new LruCache<number>(10, { repeatedOnly: true });
    let computations = 0;
    const compute = async () => ++computations;
    expect(await cache.getOrCompute('q', compute)).toBe(1);
    expect(cache.get('q')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(await cache.getOrCompute('q', compute)).toBe(2);
    expect(cache.get('q')).toBe(2);
    expect(await cache.getOrCompute('q', compute)).toBe(2);
    expect(computations).toBe(2);
  });

  it('with repeatedOnly, keeps at once a question asked before under another key (the same query after a write)', async () => {
    const cache = new LruCache<string>(10, { repeatedOnly: true });
    expect(await cache.getOrCompute('1|q', async () => 'avant', 'q')).toBe('avant');
    expect(cache.get('1|q')).toBeUndefined();
    expect(await cache.getOrCompute('2|q', async () => 'après', 'q')).toBe('après');
    expect(cache.get('2|q')).toBe('après');
    expect(await cache.getOrCompute('2|autre', async () => 'autre', 'autre')).toBe('autre');
    expect(cache.get('2|autre')).toBeUndefined();
  });

  it('with repeatedOnly, still shares one computation between callers asking for a new key at the same time', async () => {
    const cache = new LruCache<string>(10, { repeatedOnly: true });
    let computations = 0;
    const slow = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 'lent';
    };
    expect(await Promise.all([cache.getOrCompute('k', slow), cache.getOrCompute('k', slow), cache.getOrCompute('k', slow)])).toEqual(['lent', 'lent', 'lent']);
    expect(computations).toBe(1);
    const failing = async () => {
      computations++;
      throw new Error('base injoignable');
    };
    const failures = await Promise.allSettled([cache.getOrCompute('f', failing), cache.getOrCompute('f', failing)]);
    expect(failures.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(computations).toBe(2);
    expect(await cache.getOrCompute('f', async () => 'ok')).toBe('ok');
  });
});

describe('the recent keys', () => {
  it('says a key was asked before only from its second time, over thousands of keys', () => {
    const recent = new RecentKeys(1 << 16);
    const keys = Array.from({ length: 5000 }, (_, i) => `search|{"q":"theatre","near":[45.${i},4.8]}`);
    expect(keys.filter((key) => recent.askedBefore(key))).toEqual([]);
    const again = keys.filter((key) => recent.askedBefore(key)).length;
    // Two keys sharing a slot forget each other: about 5000² / 2¹⁷ ≈ 190 pairs among 65,536 slots.
    expect(again).toBeGreaterThan(4500);
  });

  it('forgets a key once many later keys have taken the slots', () => {
    const recent = new RecentKeys(16);
    recent.askedBefore('premier');
    for (let i = 0; i < 1000; i++) recent.askedBefore(`autre-${i}`);
    expect(recent.askedBefore('premier')).toBe(false);
  });
});
