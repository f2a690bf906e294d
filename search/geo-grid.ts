import type { BBox, Near } from './types.js';

/**
 * Spatial grids over a snapshot's positions, to pick the few offers a place filter can match
 * before the per-offer predicates run (they still decide; this only leaves out offers that
 * cannot match, so results and facet counts stay exact):
 * - bases: each offer with coordinates in the fine cell of its base;
 * - travel: each "comes to you" offer (travel radius > 0) in every coarse cell its travel box
 *   touches, so that a point finds the offers able to come to it through its own cell.
 * Each grid is a sorted list of cell keys with, per cell, its positions in ascending order.
 */

/** Base cells: 0.05° (about 5.5 km × 3.8 km in France). */
const BASE_CELL = 0.05;
/** Travel cells: 0.5°, so that a 60 km travel box spans about 12 cells. */
const TRAVEL_CELL = 0.5;
/** Past this many cells to visit, a scan of every offer costs less than the lookup. */
const MAX_CELLS = 4000;
/** Kilometres per degree of latitude, rounded down (earthdistance's sphere gives 111.3). */
const KM_PER_DEGREE = 110.5;

interface Grid {
  cell: number;
  /** Sorted distinct cell keys. */
  keys: Int32Array;
  /** Positions of cell k: positions[starts[k]] … positions[starts[k + 1] - 1], ascending. */
  starts: Int32Array;
  positions: Int32Array;
}

const ROWS = 1 << 14;
const COLUMNS_OFFSET = 1 << 14;

function keyOf(row: number, column: number): number {
  return (row + ROWS / 2) * (COLUMNS_OFFSET * 2) + column + COLUMNS_OFFSET;
}

/** Degrees of latitude and longitude that a distance (km, with a margin) may span around a latitude. */
function reachDegrees(lat: number, km: number): { dLat: number; dLng: number } {
  const reach = km * 1.01 + 0.1;
  const dLat = reach / KM_PER_DEGREE;
  const maxAbsLat = Math.min(89.9, Math.abs(lat) + dLat);
  const dLng = maxAbsLat >= 89 ? 360 : reach / (KM_PER_DEGREE * Math.cos((maxAbsLat * Math.PI) / 180));
  return { dLat, dLng };
}

/** A list of (cell key, position) entries, filled in ascending position order. */
class Entries {
  keys: Int32Array;
  positions: Int32Array;
  length = 0;

  /** Sized up front: growing large buffers makes V8 collect the whole heap again and again. */
  constructor(capacity: number) {
    this.keys = new Int32Array(Math.max(16, capacity));
    this.positions = new Int32Array(Math.max(16, capacity));
  }

  push(key: number, position: number): void {
    if (this.length === this.keys.length) {
      const keys = new Int32Array(this.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      const positions = new Int32Array(this.length * 2);
      positions.set(this.positions);
      this.positions = positions;
    }
    this.keys[this.length] = key;
    this.positions[this.length++] = position;
  }
}

/** Groups the entries by cell (a counting sort: positions stay ascending within each cell). */
function gridOf(cell: number, entries: Entries): Grid {
  const slotOf = new Map<number, number>();
  for (let k = 0; k < entries.length; k++) if (!slotOf.has(entries.keys[k]!)) slotOf.set(entries.keys[k]!, 0);
  const keys = Int32Array.from(slotOf.keys()).sort();
  for (let slot = 0; slot < keys.length; slot++) slotOf.set(keys[slot]!, slot);
  const slots = new Int32Array(entries.length);
  const starts = new Int32Array(keys.length + 1);
  for (let k = 0; k < entries.length; k++) {
    const slot = slotOf.get(entries.keys[k]!)!;
    slots[k] = slot;
    starts[slot + 1]!++;
  }
  for (let slot = 0; slot < keys.length; slot++) starts[slot + 1]! += starts[slot]!;
  const next = starts.slice(0, keys.length);
  const positions = new Int32Array(entries.length);
  for (let k = 0; k < entries.length; k++) positions[next[slots[k]!]!++] = entries.positions[k]!;
  return { cell, keys, starts, positions };
}

function lowerBound(keys: Int32Array, key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class GeoGrid {
  private constructor(
    private readonly size: number,
    private readonly bases: Grid,
    private readonly travel: Grid,
    /** Travel offers no grid cell can hold (travel box across ±180° or near a pole): always candidates. */
    private readonly everywhere: Int32Array,
  ) {}

  static build(lat: Float64Array, lng: Float64Array, travelKm: Float32Array, size: number): GeoGrid {
    let travelCells = 0;
    for (let i = 0; i < size; i++) {
      if (!(travelKm[i]! > 0) || Number.isNaN(lat[i]!) || Number.isNaN(lng[i]!)) continue;
      const { dLat, dLng } = reachDegrees(lat[i]!, travelKm[i]!);
      travelCells +=
        (Math.floor((lat[i]! + dLat) / TRAVEL_CELL) - Math.floor((lat[i]! - dLat) / TRAVEL_CELL) + 1) *
        (Math.floor((lng[i]! + dLng) / TRAVEL_CELL) - Math.floor((lng[i]! - dLng) / TRAVEL_CELL) + 1);
    }
    const bases = new Entries(size);
    const travel = new Entries(Math.min(travelCells, 64 * size));
    const everywhere: number[] = [];
    for (let i = 0; i < size; i++) {
      const la = lat[i]!;
      const ln = lng[i]!;
      if (Number.isNaN(la) || Number.isNaN(ln)) continue;
      bases.push(keyOf(Math.floor(la / BASE_CELL), Math.floor(ln / BASE_CELL)), i);
      const km = travelKm[i]!;
      if (km > 0) {
        const { dLat, dLng } = reachDegrees(la, km);
        if (!forEachCell(TRAVEL_CELL, la - dLat, la + dLat, ln - dLng, ln + dLng, (key) => travel.push(key, i))) everywhere.push(i);
      }
    }
    return new GeoGrid(size, gridOf(BASE_CELL, bases), gridOf(TRAVEL_CELL, travel), Int32Array.from(everywhere));
  }

  /**
   * Ascending positions that may match `near` (base within the radius, or a travel radius
   * reaching the point), or null when the area is too large for the grid to help.
   */
  nearCandidates(near: Near): Int32Array | null {
    const { dLat, dLng } = reachDegrees(near.lat, near.radiusKm);
    const bases = cellRanges(this.bases, near.lat - dLat, near.lat + dLat, near.lng - dLng, near.lng + dLng);
    if (!bases) return null;
    const travel = cellRanges(this.travel, near.lat, near.lat, near.lng, near.lng) ?? [];
    return this.gather([
      [this.bases.positions, bases],
      [this.travel.positions, travel],
      [this.everywhere, [0, this.everywhere.length]],
    ]);
  }

  /** Ascending positions whose base may lie in the box, or null when the box is too large. */
  bboxCandidates(bbox: BBox): Int32Array | null {
    const bases = cellRanges(this.bases, bbox.south, bbox.north, bbox.west, bbox.east);
    return bases ? this.gather([[this.bases.positions, bases]]) : null;
  }

  /**
   * The positions of these ranges, ascending and distinct; null when they hold more than half of
   * the offers (the scan of every offer then costs no more). Many positions are marked and read
   * back in order, few are sorted.
   */
  private gather(parts: [Int32Array, number[]][]): Int32Array | null {
    let total = 0;
    for (const [, ranges] of parts) for (let k = 0; k < ranges.length; k += 2) total += ranges[k + 1]! - ranges[k]!;
    if (total > this.size / 2) return null;
    if (total * Math.log2(total + 2) > this.size) {
      const marks = new Uint8Array(this.size);
      for (const [positions, ranges] of parts) {
        for (let k = 0; k < ranges.length; k += 2) for (let p = ranges[k]!; p < ranges[k + 1]!; p++) marks[positions[p]!] = 1;
      }
      const out = new Int32Array(total);
      let n = 0;
      for (let i = 0; i < this.size; i++) if (marks[i]) out[n++] = i;
      return out.subarray(0, n);
    }
    const out = new Int32Array(total);
    let n = 0;
    for (const [positions, ranges] of parts) {
      for (let k = 0; k < ranges.length; k += 2) {
        out.set(positions.subarray(ranges[k]!, ranges[k + 1]!), n);
        n += ranges[k + 1]! - ranges[k]!;
      }
    }
    out.sort();
    let distinct = 0;
    for (let k = 0; k < n; k++) if (k === 0 || out[k] !== out[k - 1]) out[distinct++] = out[k]!;
    return out.subarray(0, distinct);
  }

  /** Memory held by the grids (bytes). */
  get bytes(): number {
    const grids = [this.bases, this.travel].reduce((sum, g) => sum + g.keys.byteLength + g.starts.byteLength + g.positions.byteLength, 0);
    return grids + this.everywhere.byteLength;
  }
}

/** Calls `visit` with the key of each cell of the box; false (and no call) across ±180° or near a pole. */
function forEachCell(cell: number, south: number, north: number, west: number, east: number, visit: (key: number) => void): boolean {
  if (west < -180 || east > 180 || south < -89 || north > 89) return false;
  const r0 = Math.floor(south / cell);
  const r1 = Math.floor(north / cell);
  const c0 = Math.floor(west / cell);
  const c1 = Math.floor(east / cell);
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) visit(keyOf(r, c));
  return true;
}

/** [start, end) ranges of the grid's positions in the cells touching the box; null when the box is too large. */
function cellRanges(grid: Grid, south: number, north: number, west: number, east: number): number[] | null {
  if (west < -180 || east > 180 || !(south <= north) || !(west <= east)) return null;
  const r0 = Math.floor(Math.max(-90, south) / grid.cell);
  const r1 = Math.floor(Math.min(90, north) / grid.cell);
  const c0 = Math.floor(west / grid.cell);
  const c1 = Math.floor(east / grid.cell);
  if ((r1 - r0 + 1) * (c1 - c0 + 1) > MAX_CELLS) return null;
  const ranges: number[] = [];
  // The cells of one row have consecutive keys: one binary search per row.
  for (let r = r0; r <= r1; r++) {
    const last = keyOf(r, c1);
    for (let k = lowerBound(grid.keys, keyOf(r, c0)); k < grid.keys.length && grid.keys[k]! <= last; k++) {
      ranges.push(grid.starts[k]!, grid.starts[k + 1]!);
    }
  }
  return ranges;
}

/** Positions in both ascending lists. */
export function intersectSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

/**
 * The candidates narrowed to the offers a `near` or `bbox` filter may match (ascending
 * positions), or left as they are when no place filter is given or the area is too large.
 */
export function narrowByPlace(grid: () => GeoGrid, filters: { near?: Near; bbox?: BBox }, candidates: Int32Array | null): Int32Array | null {
  let place: Int32Array | null = null;
  if (filters.near) place = grid().nearCandidates(filters.near);
  if (filters.bbox) {
    const box = grid().bboxCandidates(filters.bbox);
    place = place && box ? intersectSorted(place, box) : (place ?? box);
  }
  if (!place) return candidates;
  return candidates ? intersectSorted(candidates, place) : place;
}
