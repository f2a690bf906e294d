const CELL = 0.2;
/** Rings of cells looked at around a point: they reach every commune within 0.6° of longitude (42–50 km in France). */
const MAX_RINGS = 3;

/** Where a commune is, as the communes table holds it. */
export interface Located {
  lat: number;
  lng: number;
}

/**
 * Communes in memory by cells of 0.2°, for the commune nearest a point without a query: distances
 * on a plane whose longitudes are shrunk by the cosine of the point's latitude, as the database's
 * former nearest-commune query ordered them.
 */
export class CommuneGrid<T extends Located> {
  private readonly cells = new Map<string, T[]>();

  constructor(communes: Iterable<T>) {
    for (const commune of communes) {
      const key = cellKey(Math.floor(commune.lat / CELL), Math.floor(commune.lng / CELL));
      const cell = this.cells.get(key);
      if (cell) cell.push(commune);
      else this.cells.set(key, [commune]);
    }
  }

  /**
   * The nearest commune within the rings' reach, with its distance in degrees of latitude; null
   * farther (at sea or abroad), where a commune beyond the rings could be nearer than one in them.
   */
  nearest(lat: number, lng: number): { commune: T; degrees: number } | null {
    const row = Math.floor(lat / CELL);
    const column = Math.floor(lng / CELL);
    const stretch = Math.cos((lat * Math.PI) / 180);
    let best: T | null = null;
    let bestSquared = Number.POSITIVE_INFINITY;
    for (let ring = 0; ring <= MAX_RINGS; ring++) {
      for (let r = row - ring; r <= row + ring; r++) {
        for (let c = column - ring; c <= column + ring; c++) {
          if (Math.max(Math.abs(r - row), Math.abs(c - column)) !== ring) continue; // inner rings were seen
          for (const commune of this.cells.get(cellKey(r, c)) ?? []) {
            const dLat = commune.lat - lat;
            const dLng = (commune.lng - lng) * stretch;
            const squared = dLat * dLat + dLng * dLng;
            if (squared < bestSquared) {
              bestSquared = squared;
              best = commune;
            }
          }
        }
      }
      // Past this ring, every commune is at least `ring` cells away in latitude or in (shrunk) longitude.
      const beyond = ring * CELL * stretch;
      if (best && bestSquared <= beyond * beyond) return { commune: best, degrees: Math.sqrt(bestSquared) };
    }
    return null;
  }
}

function cellKey(row: number, column: number): string {
  return `${row}:${column}`;
}
