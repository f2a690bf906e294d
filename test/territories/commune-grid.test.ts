import { describe, expect, it } from 'vitest';
import { prng } from '../../server/kernel/prng.js';
import { CommuneGrid } from '../../server/territories/commune-grid.js';

/** The nearest commune by scanning them all, with the grid's metric (longitudes shrunk by the latitude's cosine). */
function scanned(communes: { lat: number; lng: number }[], lat: number, lng: number) {
  const stretch = Math.cos((lat * Math.PI) / 180);
  let best = communes[0]!;
  let bestSquared = Number.POSITIVE_INFINITY;
  for (const commune of communes) {
    const squared = (commune.lat - lat) ** 2 + ((commune.lng - lng) * stretch) ** 2;
    if (squared < bestSquared) [best, bestSquared] = [commune, squared];
  }
  return { commune: best, degrees: Math.sqrt(bestSquared) };
}

describe('the commune grid', () => {
  it('finds the same nearest commune as a scan of all, sparse or dense, near a cell’s edge or not', () => {
    const r = prng(7);
    // Dense around Lyon, sparse over the Alps: the nearest is often in the second or third ring.
    const communes = [
      ...Array.from({ length: 400 }, (_, i) => ({ id: i, lat: 45.5 + r() * 0.6, lng: 4.6 + r() * 0.6 })),
      ...Array.from({ length: 40 }, (_, i) => ({ id: 400 + i, lat: 44 + r() * 2, lng: 6 + r() * 2 })),
    ];
    const grid = new CommuneGrid(communes);
    for (let i = 0; i < 2_000; i++) {
      const lat = 44.2 + r() * 2;
      const lng = 4.4 + r() * 3.4;
      const expected = scanned(communes, lat, lng);
      const found = grid.nearest(lat, lng);
      const reach = 0.6 * Math.cos((lat * Math.PI) / 180);
      if (expected.degrees > reach) {
        expect(found).toBeNull();
        continue;
      }
      expect(found?.commune).toBe(expected.commune);
      expect(found?.degrees).toBeCloseTo(expected.degrees, 9);
    }
  });

  it('prefers a commune in a farther cell when it is nearer than the first one found', () => {
    // The point sits at the top of its 0.2° cell: its cell's commune is 0.19° away, the one just over the edge 0.02°.
    const inCell = { name: 'in', lat: 45.0, lng: 5.1 };
    const overTheEdge = { name: 'over', lat: 45.21, lng: 5.1 };
    const grid = new CommuneGrid([inCell, overTheEdge]);
    expect(grid.nearest(45.19, 5.1)?.commune).toBe(overTheEdge);
  });

  it('finds nothing at sea, far from every commune', () => {
    const grid = new CommuneGrid([{ lat: 47.2, lng: -1.55 }]);
    expect(grid.nearest(46.5, -6.5)).toBeNull();
    expect(grid.nearest(47.2, -2.1)?.degrees).toBeCloseTo(0.55 * Math.cos((47.2 * Math.PI) / 180), 9);
    expect(grid.nearest(47.2, -2.2)).toBeNull(); // 0.65° of longitude away: past the rings' reach
  });
});
