import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import type { StoredOffer } from '../types.js';

/** The `doc` column as the driver returns it: already parsed, or its JSON text. */
export function storedOffer(doc: StoredOffer | string): StoredOffer {
  return typeof doc === 'string' ? (JSON.parse(doc) as StoredOffer) : doc;
}

/** The stored documents of these offers, by id (those no longer indexed are missing). */
export async function storedOffers(db: Db, ids: number[]): Promise<Map<number, StoredOffer>> {
  const docs = new Map<number, StoredOffer>();
  if (ids.length === 0) return docs;
  const found = await rows<{ doc: StoredOffer | string }>(db, sql`select doc from search_offers where id = any(${sql.param(ids)}::int[])`);
  for (const r of found) {
    const doc = storedOffer(r.doc);
    docs.set(doc.id, doc);
  }
  return docs;
}

/** What a map marker needs (not the whole document), by id. */
export async function storedMarkers(db: Db, ids: number[]): Promise<Map<number, StoredOffer>> {
  if (ids.length === 0) return new Map();
  const found = await rows<{
    id: number;
    title: string;
    slug: string;
    orgName: string;
    venue: string;
    travelKm: number | null;
    lat: number;
    lng: number;
    themes: string[];
  }>(
    db,
    sql`select id, title, doc->>'slug' as slug, doc->>'orgName' as "orgName", venue, travel_km as "travelKm", lat, lng, themes
        from search_offers where id = any(${sql.param(ids)}::int[])`,
  );
  return new Map(found.map((m) => [m.id, { ...m, lat: Number(m.lat), lng: Number(m.lng) } as unknown as StoredOffer]));
}
