import { describe, expect, it } from 'vitest';
import { bitsOf, wordsOf } from '../../search/facets.js';
import { GeoGrid, intersectSorted } from '../../search/geo-grid.js';
import { OfferSnapshot, type SnapshotRow } from '../../search/snapshot.js';
import { facetNames, type OfferFilters } from '../../search/types.js';
import { distanceKm } from '../../server/kernel/distance.js';
import { prng } from '../../server/kernel/prng.js';
import { ageBandsFor, slugs } from '../../server/kernel/taxonomy.js';

/**
 * The spatial grids only leave out offers a place filter cannot match: on a generated set, every
 * evaluation with them gives exactly what the scan of every offer gives (ids, order, distances,
 * totals and facet counts), and the near matches are those a direct distance check finds.
 */

const towns: [number, number][] = [
  [48.8566, 2.3522],
  [45.764, 4.8357],
  [43.2965, 5.3698],
  [47.2184, -1.5536],
  [50.6292, 3.0573],
  [42.6887, 2.8948],
  [48.5734, 7.7521],
];

function generate(n: number, r: () => number): SnapshotRow[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const rows: SnapshotRow[] = [];
  for (let id = 1; id <= n; id++) {
    const [lat0, lng0] = pick(towns);
    // Mostly clustered around towns, some spread over France, a few without a place or at the edges of the world.
    const spread = r() < 0.8 ? 0.6 : 6;
    let lat: number | null = lat0 + (r() - 0.5) * spread;
    let lng: number | null = lng0 + (r() - 0.5) * spread * 1.4;
    const edge = r();
    if (edge < 0.01) [lat, lng] = [null, null];
    else if (edge < 0.015) [lat, lng] = [89.6 + r() * 0.3, r() * 360 - 180];
    else if (edge < 0.02) [lat, lng] = [r() * 10 - 5, 179.7 + r() * 0.3];
    const venue = pick(slugs.venue);
    const comes = venue === 'dans-l-accueil';
    const ageMin = 3 + Math.floor(r() * 12);
    const ageMax = Math.min(17, ageMin + Math.floor(r() * 6));
    const values = {
      theme: [pick(slugs.theme)],
      subtheme: [],
      age_band: ageBandsFor(ageMin, ageMax),
      format: [pick(slugs.format), pick(slugs.format)],
      venue: [venue],
      price: [pick(slugs.price)],
      accessibility: r() < 0.3 ? [pick(slugs.accessibility)] : [],
      org_type: [pick(slugs.org_type)],
      slot: [],
    };
    rows.push({
      id,
      bits: facetNames.flatMap((name) => wordsOf(name, values[name])),
      natures: [],
      age_min: ageMin,
      age_max: ageMax,
      start_day: null,
      end_day: null,
      lat,
      lng,
      travel_km: comes && r() < 0.9 ? 5 + Math.floor(r() * 80) : null,
      venue,
      code_insee: null,
      departments: [],
      regions: [],
      departments_served: [],
      organisation_id: 1 + Math.floor(r() * 50),
      published: 1_700_000_000 - id * 60,
      lex_a: null,
      lex_b: null,
      lex_c: null,
    });
  }
  return rows;
}

function queries(count: number, r: () => number): OfferFilters[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const list: OfferFilters[] = [];
  for (let k = 0; k < count; k++) {
    const [lat, lng] = pick(towns);
    const filters: OfferFilters = {};
    const kind = r();
    if (kind < 0.7) filters.near = { lat: lat + (r() - 0.5) * 1.5, lng: lng + (r() - 0.5) * 2, radiusKm: pick([0.5, 1, 5, 10, 20, 30, 50, 100, 300]) };
    if (kind > 0.5) {
      const d = pick([0.05, 0.3, 1, 4, 20]);
      filters.bbox = { west: lng - d, south: lat - d / 1.5, east: lng + d * r() + 0.001, north: lat + (d / 1.5) * r() + 0.001 };
    }
    if (r() < 0.5) filters.theme = [pick(slugs.theme)];
    if (r() < 0.4) filters.age = 3 + Math.floor(r() * 15);
    if (r() < 0.2) filters.venue = [pick(slugs.venue)];
    list.push(filters);
  }
  // The edges: a pole, the antimeridian, the whole world.
  list.push({ near: { lat: 89.8, lng: 10, radiusKm: 50 } });
  list.push({ near: { lat: 0, lng: 179.95, radiusKm: 30 } });
  list.push({ near: { lat: 0, lng: -179.95, radiusKm: 30 } });
  list.push({ bbox: { west: -180, south: -90, east: 180, north: 90 } });
  return list;
}

describe('geographic pruning of the in-memory snapshot', () => {
  const r = prng(16);
  const rows = generate(6000, r).sort((a, b) => (b.published ?? 0) - (a.published ?? 0) || b.id - a.id);
  const snapshot = OfferSnapshot.fromRows(1, rows);

  it('gives the same ids, order, distances, totals and facet counts as scanning every offer', () => {
    let matched = 0;
    for (const filters of queries(300, r)) {
      const pruned = snapshot.evaluate(filters, null);
      const scanned = snapshot.evaluate(filters, null, { prune: false });
      expect(pruned.matches).toEqual(scanned.matches);
      expect(pruned.distances).toEqual(scanned.distances);
      expect(pruned.facets).toEqual(scanned.facets);
      matched += pruned.matches.length;
    }
    expect(matched).toBeGreaterThan(10_000);
  });

  it('gives the same results within text candidates', () => {
    for (const filters of queries(100, r)) {
      const text = Int32Array.from(Array.from({ length: snapshot.size }, (_, i) => i).filter(() => r() < 0.2));
      const pruned = snapshot.evaluate(filters, text);
      const scanned = snapshot.evaluate(filters, text, { prune: false });
      expect(pruned.matches).toEqual(scanned.matches);
      expect(pruned.facets).toEqual(scanned.facets);
    }
  });

  it('finds the offers whose base is within the radius or whose travel radius reaches the point', () => {
    // Across the antimeridian the scan itself does not wrap longitudes (France needs no wrap): left out here.
    for (const filters of queries(100, r).filter((f) => f.near && !f.bbox && Math.abs(f.near.lng) < 179)) {
      const near = filters.near!;
      const expected = rows
        .map((row, i) => ({ row, i }))
        .filter(({ row }) => {
          if (row.lat === null || row.lng === null) return false;
          const d = distanceKm(near.lat, near.lng, row.lat, row.lng);
          return d <= near.radiusKm || (row.travel_km !== null && row.travel_km > 0 && d <= row.travel_km);
        })
        .filter(({ row }) => (filters.age === undefined ? true : row.age_min <= filters.age && row.age_max >= filters.age))
        .filter(({ row }) => !filters.theme || (row.bits[0]! & bitsOf(slugs.theme, filters.theme)) !== 0)
        .filter(({ row }) => !filters.venue || filters.venue.includes(row.venue))
        .map(({ i }) => i);
      expect([...snapshot.evaluate(filters, null).matches]).toEqual(expected);
    }
  });

  it('visits only the cells around a small search', () => {
    const grid = GeoGrid.build(snapshot.lat, snapshot.lng, new Float32Array(snapshot.size), snapshot.size);
    const candidates = grid.nearCandidates({ lat: 48.8566, lng: 2.3522, radiusKm: 5 });
    expect(candidates).not.toBeNull();
    expect(candidates!.length).toBeLessThan(snapshot.size / 20);
    expect(grid.nearCandidates({ lat: 48.8566, lng: 2.3522, radiusKm: 1000 })).toBeNull();
  });

  it('intersects ascending lists', () => {
    expect([...intersectSorted(Int32Array.from([1, 3, 5, 7]), Int32Array.from([0, 3, 4, 7, 9]))]).toEqual([3, 7]);
    expect([...intersectSorted(Int32Array.from([]), Int32Array.from([1]))]).toEqual([]);
  });
});
