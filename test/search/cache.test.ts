import { describe, expect, it } from 'vitest';
import { LruCache } from '../../search/cache.js';

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
});
