import { describe, expect, it } from 'vitest';
import { nearestFirst } from '../../search/nearest.js';

describe('nearest matches first', () => {
  it('gives the beginning of the full order by distance then id, ties included', () => {
    let seed = 3;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let run = 0; run < 200; run++) {
      const n = 1 + Math.floor(r() * 400);
      const matches = Array.from({ length: n }, (_, k) => k * 2);
      const ids = Int32Array.from({ length: 2 * n }, () => Math.floor(r() * 1_000_000));
      // Few distinct distances: many ties across the cut.
      const distances = Float64Array.from({ length: n }, () => Math.floor(r() * 20) / 4);
      const full = Array.from(matches.keys())
        .sort((a, b) => distances[a]! - distances[b]! || ids[matches[a]!]! - ids[matches[b]!]!)
        .map((k) => matches[k]!);
      const count = 1 + Math.floor(r() * (n + 10));
      expect([...nearestFirst(Int32Array.from(matches), distances, ids, count)]).toEqual(full.slice(0, count));
    }
  });
});
