import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { MAX_FEATURES, POINTS_ZOOM, pointFeature } from '../map-grid.js';
import type { OfferSnapshot } from '../snapshot.js';
import type { MapFeature, MapQuery, MapResult, StoredOffer } from '../types.js';
import { storedMarkers, storedOffer, storedOffers } from './stored-offers.js';

/** The map of the offers matched on the snapshot (their positions), clustered on the grid in memory. */
export async function mapFromSnapshot(db: Db, query: MapQuery, cell: number, snapshot: OfferSnapshot, matches: Int32Array): Promise<MapResult> {
  if (query.zoom >= POINTS_ZOOM && matches.length <= MAX_FEATURES) {
    const ids = Array.from(matches, (i) => snapshot.ids[i]!).sort((a, b) => a - b);
    const docs = await storedMarkers(db, ids);
    const features = ids
      .map((id) => docs.get(id))
      .filter((d): d is StoredOffer => d !== undefined)
      .map(pointFeature);
    return { type: 'FeatureCollection', total: features.length, clustered: false, features };
  }
  const cells = new Map<number, { n: number; id: number; lat: number; lng: number; s: number; w: number; no: number; e: number }>();
  for (const i of matches) {
    const lat = snapshot.lat[i]!;
    const lng = snapshot.lng[i]!;
    // Cell column and row packed in one number (|x|, |y| < 2^21 for cells ≥ 2^-12 degree).
    const key = (Math.floor(lng / cell) + 2 ** 21) * 2 ** 22 + (Math.floor(lat / cell) + 2 ** 21);
    const c = cells.get(key);
    if (c) {
      c.n++;
      c.id = Math.min(c.id, snapshot.ids[i]!);
      c.lat += lat;
      c.lng += lng;
      c.s = Math.min(c.s, lat);
      c.no = Math.max(c.no, lat);
      c.w = Math.min(c.w, lng);
      c.e = Math.max(c.e, lng);
    } else {
      cells.set(key, { n: 1, id: snapshot.ids[i]!, lat, lng, s: lat, no: lat, w: lng, e: lng });
    }
  }
  const list = [...cells.values()];
  const docs = await storedMarkers(
    db,
    list.filter((c) => c.n === 1).map((c) => c.id),
  );
  const features: MapFeature[] = list.map((c) => {
    const single = c.n === 1 ? docs.get(c.id) : undefined;
    if (single) return pointFeature(single);
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [c.lng / c.n, c.lat / c.n] },
      properties: { cluster: true, count: c.n, bbox: [c.w, c.s, c.e, c.no] },
    };
  });
  return { type: 'FeatureCollection', total: matches.length, clustered: true, features };
}

/** The map of the offers matching the conditions, clustered on the grid by PostgreSQL. */
export async function mapInSql(db: Db, query: MapQuery, cell: number, where: SQL[]): Promise<MapResult> {
  const condition = sql.join(where, sql` and `);
  if (query.zoom >= POINTS_ZOOM) {
    const found = await rows<{ doc: StoredOffer | string }>(db, sql`select doc from search_offers where ${condition} order by id limit ${MAX_FEATURES + 1}`);
    if (found.length <= MAX_FEATURES) {
      const features = found.map((r) => pointFeature(storedOffer(r.doc)));
      return { type: 'FeatureCollection', total: features.length, clustered: false, features };
    }
  }
  const cells = await rows<{ n: number; id: number; lat: number; lng: number; s: number; w: number; no: number; e: number }>(
    db,
    sql`select count(*)::int as n, min(id) as id, avg(lat) as lat, avg(lng) as lng, min(lat) as s, min(lng) as w, max(lat) as no, max(lng) as e
        from search_offers where ${condition}
        group by floor(lng / ${cell}::float8), floor(lat / ${cell}::float8)`,
  );
  const singles = cells.filter((c) => Number(c.n) === 1).map((c) => c.id);
  const docs = await storedOffers(db, singles);
  const features: MapFeature[] = cells.map((c) => {
    const single = Number(c.n) === 1 ? docs.get(c.id) : undefined;
    if (single) return pointFeature(single);
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [Number(c.lng), Number(c.lat)] },
      properties: { cluster: true, count: Number(c.n), bbox: [Number(c.w), Number(c.s), Number(c.e), Number(c.no)] },
    };
  });
  return { type: 'FeatureCollection', total: cells.reduce((sum, c) => sum + Number(c.n), 0), clustered: true, features };
}
