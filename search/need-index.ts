import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { slugs } from '../server/kernel/taxonomy.js';
import { loadNeedDocuments, type NeedDocument, needIdsOfOrganisations, type StoredNeed } from './need-documents.js';
import { queryWords } from './text.js';
import type { BBox, CommuneFilter, EpciFilter, MapFeature, MapResult, Near } from './types.js';

/**
 * The "need" document kind of the search engine: ACM needs, searched by signed-in partners with
 * the same tools as offers (text, filters, disjunctive facets, radius, map). Needs are few (one
 * per ACM project), so facets are counted with one grouped query per facet.
 */

const needFacetNames = ['theme', 'age_band', 'venue', 'accessibility', 'slot'] as const;
type NeedFacetName = (typeof needFacetNames)[number];
export type NeedFacets = Record<NeedFacetName, Record<string, number>>;

const facetColumns: Record<NeedFacetName, { column: string; values: readonly string[]; filter: keyof NeedFilters }> = {
  theme: { column: 'themes', values: slugs.theme, filter: 'theme' },
  age_band: { column: 'age_bands', values: slugs.age_band, filter: 'ageBand' },
  venue: { column: 'venues', values: slugs.venue, filter: 'venue' },
  accessibility: { column: 'accessibility', values: slugs.accessibility, filter: 'accessibility' },
  slot: { column: 'slots', values: slugs.slot, filter: 'slot' },
};

/** OR within a list, AND across; absent or empty = no filter. */
export interface NeedFilters {
  q?: string;
  theme?: string[];
  subtheme?: string[];
  age?: number;
  ageBand?: string[];
  venue?: string[];
  accessibility?: string[];
  slot?: string[];
  near?: Near;
  bbox?: BBox;
  commune?: CommuneFilter[];
  department?: string[];
  /** Each EPCI with its member communes (checked by the caller). */
  epci?: EpciFilter[];
  region?: string[];
}

export interface NeedSearch extends NeedFilters {
  sort: 'relevance' | 'distance' | 'recent';
  page: number;
  perPage: number;
}

export interface NeedHit {
  document: StoredNeed;
  distanceKm: number | null;
}

export interface NeedSearchResult {
  total: number;
  page: number;
  perPage: number;
  items: NeedHit[];
  facets: NeedFacets;
}

export interface NeedIndex {
  index(documents: NeedDocument[]): Promise<void>;
  remove(ids: number[]): Promise<void>;
  rebuild(batches: AsyncIterable<NeedDocument[]>): Promise<{ count: number }>;
  count(): Promise<number>;
  search(query: NeedSearch): Promise<NeedSearchResult>;
  map(query: NeedFilters & { bbox: BBox }): Promise<MapResult>;
}

export function needPath(need: { id: number }): string {
  return `/besoins/${need.id}`;
}

function toStoredNeed(document: NeedDocument): StoredNeed {
  const { description: _d, themeLabels: _t, subthemeLabels: _s, ...stored } = document;
  return stored;
}

function emptyNeedFacets(): NeedFacets {
  const facets = {} as NeedFacets;
  for (const name of needFacetNames) facets[name] = Object.fromEntries(facetColumns[name].values.map((v) => [v, 0]));
  return facets;
}

function needFeature(doc: StoredNeed): MapFeature {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [doc.lng ?? 0, doc.lat ?? 0] },
    properties: {
      cluster: false,
      count: 1,
      id: doc.id,
      title: doc.title,
      path: needPath(doc),
      organisation: doc.acmName,
      venue: doc.venues.join(','),
      travel_km: null,
      theme: doc.themes?.[0] ?? null,
    },
  };
}

const MAX_MAP_FEATURES = 500;
const parse = (doc: StoredNeed | string): StoredNeed => (typeof doc === 'string' ? (JSON.parse(doc) as StoredNeed) : doc);

/** Needs in PostgreSQL: the `search_needs` table (db/schema/matching.ts), French tsvector, GiST geo indexes. */
export class PostgresNeedIndex implements NeedIndex {
  constructor(private readonly db: Db) {}

  async index(documents: NeedDocument[]): Promise<void> {
    if (documents.length === 0) return;
    const payload = documents.map((d) => ({
      id: d.id,
      acm_id: d.acmId,
      doc: toStoredNeed(d),
      themes: d.themes,
      subthemes: d.subthemes,
      age_min: d.ageMin,
      age_max: d.ageMax,
      age_bands: d.ageBands,
      slots: d.slots,
      venues: d.venues,
      accessibility: d.accessibility,
      lat: d.lat,
      lng: d.lng,
      code_insee: d.codeInsee,
      department: d.department,
      region: d.region,
      text_a: d.title,
      text_b: [...d.subthemeLabels, ...d.themeLabels].join(' · '),
      text_c: d.description,
      text_d: `${d.acmName} ${d.communeName ?? ''}`,
      created_at: d.createdAt,
    }));
    await rows(
      this.db,
      sql`insert into search_needs (id, acm_id, doc, themes, subthemes, age_min, age_max, age_bands, slots, venues, accessibility,
            lat, lng, pt, lnglat, code_insee, department, region, tsv, created_at, indexed_at)
          select id, acm_id, doc, themes, subthemes, age_min, age_max, age_bands, slots, venues, accessibility, lat, lng,
            case when lat is not null and lng is not null then ll_to_earth(lat, lng) end,
            case when lat is not null and lng is not null then point(lng, lat) end,
            code_insee, department, region,
            setweight(to_tsvector('french', immutable_unaccent(text_a)), 'A')
              || setweight(to_tsvector('french', immutable_unaccent(text_b)), 'B')
              || setweight(to_tsvector('french', immutable_unaccent(text_c)), 'C')
              || setweight(to_tsvector('french', immutable_unaccent(text_d)), 'D'),
            created_at, clock_timestamp()
          from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as d(id int, acm_id int, doc jsonb, themes text[], subthemes text[],
            age_min int, age_max int, age_bands text[], slots text[], venues text[], accessibility text[], lat float8, lng float8,
            code_insee text, department text, region text, text_a text, text_b text, text_c text, text_d text, created_at timestamptz)
          on conflict (id) do update set acm_id = excluded.acm_id, doc = excluded.doc, themes = excluded.themes, subthemes = excluded.subthemes,
            age_min = excluded.age_min, age_max = excluded.age_max, age_bands = excluded.age_bands, slots = excluded.slots, venues = excluded.venues,
            accessibility = excluded.accessibility, lat = excluded.lat, lng = excluded.lng, pt = excluded.pt, lnglat = excluded.lnglat,
            code_insee = excluded.code_insee, department = excluded.department, region = excluded.region, tsv = excluded.tsv,
            created_at = excluded.created_at, indexed_at = excluded.indexed_at`,
    );
  }

  async remove(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await rows(this.db, sql`delete from search_needs where id = any(${sql.param(ids)}::int[])`);
  }

  async rebuild(batches: AsyncIterable<NeedDocument[]>): Promise<{ count: number }> {
    const [start] = await rows<{ t: string }>(this.db, sql`select clock_timestamp()::text as t`);
    let count = 0;
    for await (const batch of batches) {
      await this.index(batch);
      count += batch.length;
    }
    await rows(this.db, sql`delete from search_needs where indexed_at < ${start!.t}::timestamptz`);
    return { count };
  }

  async count(): Promise<number> {
    const [row] = await rows<{ n: number }>(this.db, sql`select count(*)::int as n from search_needs`);
    return row?.n ?? 0;
  }

  /** All words must match (accents and plurals ignored), the last one as a prefix. */
  private tsquery(q: string | undefined): SQL | null {
    const words = queryWords(q);
    if (words.length === 0) return null;
    const text = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(' & ');
    return sql`to_tsquery('french', ${text})`;
  }

  private baseConditions(filters: NeedFilters): SQL[] {
    const where: SQL[] = [];
    const text = this.tsquery(filters.q);
    if (text) where.push(sql`tsv @@ ${text}`);
    if (filters.age !== undefined) where.push(sql`age_min <= ${filters.age} and age_max >= ${filters.age}`);
    if (filters.subtheme?.length) where.push(sql`subthemes && ${sql.param(filters.subtheme)}::text[]`);
    if (filters.near) {
      const { lat, lng, radiusKm } = filters.near;
      const point = sql`ll_to_earth(${lat}::float8, ${lng}::float8)`;
      where.push(sql`pt <@ earth_box(${point}, ${radiusKm * 1000}::float8) and earth_distance(pt, ${point}) <= ${radiusKm * 1000}::float8`);
    }
    if (filters.bbox) {
      const { west, south, east, north } = filters.bbox;
      where.push(sql`lnglat <@ box(point(${west}::float8, ${south}::float8), point(${east}::float8, ${north}::float8))`);
    }
    if (filters.commune?.length) where.push(sql`code_insee = any(${sql.param(filters.commune.map((c) => c.code))}::text[])`);
    if (filters.department?.length) where.push(sql`department = any(${sql.param(filters.department)}::text[])`);
    if (filters.region?.length) where.push(sql`region = any(${sql.param(filters.region)}::text[])`);
    if (filters.epci?.length) where.push(sql`code_insee = any(${sql.param([...new Set(filters.epci.flatMap((e) => e.communes))])}::text[])`);
    return where;
  }

  private facetCondition(filters: NeedFilters, name: NeedFacetName): SQL | null {
    const values = filters[facetColumns[name].filter] as string[] | undefined;
    if (!values?.length) return null;
    return sql`${sql.raw(facetColumns[name].column)} && ${sql.param(values)}::text[]`;
  }

  private where(parts: (SQL | null)[]): SQL {
    const list = parts.filter((p): p is SQL => p !== null);
    return list.length ? sql.join(list, sql` and `) : sql`true`;
  }

  async search(query: NeedSearch): Promise<NeedSearchResult> {
    const base = this.baseConditions(query);
    const facetFilters = needFacetNames.map((name) => this.facetCondition(query, name));
    const where = this.where([...base, ...facetFilters]);
    const near = query.near ? sql`ll_to_earth(${query.near.lat}::float8, ${query.near.lng}::float8)` : null;
    const distance = near ? sql`earth_distance(pt, ${near}) / 1000.0` : sql`null::float8`;
    const text = this.tsquery(query.q);
    const recent = sql`created_at desc, id desc`;
    let order = recent;
    if (query.sort !== 'recent') {
      if (near && (query.sort === 'distance' || !text)) order = sql`earth_distance(pt, ${near}), id`;
      else if (text) order = sql`ts_rank('{0.1, 0.2, 0.4, 1.0}'::float4[], tsv, ${text}) desc, ${recent}`;
    }
    const [found, [total], facets] = await Promise.all([
      rows<{ doc: StoredNeed | string; distance: number | null }>(
        this.db,
        sql`select doc, ${distance} as distance from search_needs where ${where}
            order by ${order} limit ${query.perPage} offset ${(query.page - 1) * query.perPage}`,
      ),
      rows<{ n: number }>(this.db, sql`select count(*)::int as n from search_needs where ${where}`),
      this.facets(base, facetFilters),
    ]);
    return {
      total: total?.n ?? 0,
      page: query.page,
      perPage: query.perPage,
      items: found.map((r) => ({ document: parse(r.doc), distanceKm: r.distance === null ? null : Number(r.distance) })),
      facets,
    };
  }

  /** Disjunctive facets: each counted with the other facets' filters applied. */
  private async facets(base: SQL[], facetFilters: (SQL | null)[]): Promise<NeedFacets> {
    const facets = emptyNeedFacets();
    await Promise.all(
      needFacetNames.map(async (name, index) => {
        const where = this.where([...base, ...facetFilters.filter((_, i) => i !== index)]);
        const counted = await rows<{ v: string; n: number }>(
          this.db,
          sql`select v, count(*)::int as n from search_needs, unnest(${sql.raw(facetColumns[name].column)}) as v where ${where} group by v`,
        );
        for (const { v, n } of counted) if (v in facets[name]) facets[name][v] = Number(n);
      }),
    );
    return facets;
  }

  async map(query: NeedFilters & { bbox: BBox }): Promise<MapResult> {
    const where = this.where([...this.baseConditions(query), ...needFacetNames.map((name) => this.facetCondition(query, name))]);
    const found = await rows<{ doc: StoredNeed | string }>(
      this.db,
      sql`select doc from search_needs where ${where} and lat is not null order by created_at desc limit ${MAX_MAP_FEATURES}`,
    );
    const features = found.map((r) => needFeature(parse(r.doc)));
    return { type: 'FeatureCollection', total: features.length, clustered: false, features };
  }
}

/** The outbox worker's part for needs: (re)index the open ones asked for, and those of changed ACMs; remove the others. */
export async function syncNeeds(db: Db, index: NeedIndex, needIds: number[], organisationIds: number[]): Promise<void> {
  const wanted = new Set(needIds);
  for (const id of await needIdsOfOrganisations(db, organisationIds)) wanted.add(id);
  if (wanted.size === 0) return;
  const documents = await loadNeedDocuments(db, { ids: [...wanted] });
  const present = new Set(documents.map((d) => d.id));
  if (documents.length) await index.index(documents);
  const gone = [...wanted].filter((id) => !present.has(id));
  if (gone.length) await index.remove(gone);
}
