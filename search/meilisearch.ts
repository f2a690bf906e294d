import { sql } from 'drizzle-orm';
import { Meilisearch } from 'meilisearch';
import { type Db, rows } from '../db/client.js';
import { distanceKm } from '../server/kernel/distance.js';
import { frenchStopWords } from '../server/kernel/text.js';
import { emptyFacets, selectedValues } from './facets.js';
import { gridFor, MAX_FEATURES, POINTS_ZOOM, pointFeature, toStored } from './map-grid.js';
import { type NeedIndex, PostgresNeedIndex } from './need-index.js';
import {
  type DocumentKind,
  type FacetName,
  facetNames,
  type MapFeature,
  type MapQuery,
  type MapResult,
  type OfferDocument,
  type OfferFilters,
  type OfferSearch,
  type OfferSearchResult,
  type SearchEngine,
  type StoredOffer,
} from './types.js';

/** Attribute holding each facet in the index. */
const facetAttribute: Record<FacetName, string> = {
  theme: 'themes',
  subtheme: 'subthemes',
  age_band: 'ageBands',
  format: 'formats',
  venue: 'venue',
  price: 'price',
  accessibility: 'accessibility',
  org_type: 'orgType',
  slot: 'slots',
};
/** Open ends of the availability period, in days since 1970 (Meilisearch filters on numbers). */
const OPEN_START = -1_000_000;
const OPEN_END = 1_000_000;

function dayOf(iso: string): number {
  return Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}
/** Grid sizes 2^k degrees used by the map (see map-grid.ts), precomputed per document. */
const GRID_MIN = -12;
const GRID_MAX = 7;
/** Travel areas are listed as cells of this size (degrees) that the circle touches. */
const TRAVEL_CELL = 0.1;

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function travelCells(lat: number, lng: number, km: number): string[] {
  const cells: string[] = [];
  const dLat = km / 111.2;
  const dLng = km / (111.2 * Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
  for (let y = Math.floor((lat - dLat) / TRAVEL_CELL); y <= Math.floor((lat + dLat) / TRAVEL_CELL); y++) {
    for (let x = Math.floor((lng - dLng) / TRAVEL_CELL); x <= Math.floor((lng + dLng) / TRAVEL_CELL); x++) cells.push(`${x}:${y}`);
  }
  return cells;
}

function cellOf(lat: number, lng: number): string {
  return `${Math.floor(lng / TRAVEL_CELL)}:${Math.floor(lat / TRAVEL_CELL)}`;
}

/**
 * Search in Meilisearch, same results contract as the PostgreSQL engine:
 * - disjunctive facets with one multi-search (the main query, plus one query per active facet
 *   without that facet's own filter);
 * - "comes to you" rule: each such offer lists the 0.1° cells its travel circle touches
 *   (`travelCells`); a search near P first fetches the offers whose cells contain P, keeps those
 *   truly within their travel radius (haversine), then filters `_geoRadius(P, r) OR id IN [...]` —
 *   so totals, facets and pages stay exact;
 * - map clusters from facet counts on precomputed grid cells (`grid_<k>`), per zoom;
 * - rebuilds fill a fresh index and swap it with the live one (blue/green).
 */
export class MeilisearchEngine implements SearchEngine {
  readonly name = 'meilisearch' as const;
  /** Needs are few and private: they stay in PostgreSQL (search_needs) whatever the offer engine. */
  readonly needs: NeedIndex;
  private readonly client: Meilisearch;
  private readonly uid: string;
  private ready: Promise<void> | null = null;

  constructor(private readonly options: { host: string; apiKey?: string | undefined; prefix: string; db: Db }) {
    this.client = new Meilisearch({ host: options.host, apiKey: options.apiKey });
    this.uid = `${options.prefix}_offers`;
    this.needs = new PostgresNeedIndex(options.db);
  }

  async close(): Promise<void> {}

  private async settings() {
    const found = await rows<{ term: string; expansion: string }>(this.options.db, sql`select term, expansion from search_synonyms`);
    const synonyms: Record<string, string[]> = {};
    for (const { term, expansion } of found) synonyms[term] = [...(synonyms[term] ?? []), expansion];
    const grids = Array.from({ length: GRID_MAX - GRID_MIN + 1 }, (_, i) => gridAttribute(GRID_MIN + i));
    return {
      searchableAttributes: ['title', 'subthemeLabels', 'themeLabels', 'summary', 'description', 'orgName'],
      filterableAttributes: [
        'id',
        'organisationId',
        'themes',
        'subthemes',
        'formats',
        'venue',
        'price',
        'accessibility',
        'orgType',
        'natures',
        'slots',
        'ageBands',
        'ageMin',
        'ageMax',
        'startDay',
        'endDay',
        'codeInsee',
        'departments',
        'regions',
        'departmentsServed',
        'travelCells',
        '_geo',
        ...grids,
      ],
      sortableAttributes: ['publishedTs', '_geo', 'id'],
      rankingRules: ['words', 'typo', 'proximity', 'attribute', 'exactness', 'publishedTs:desc'],
      stopWords: [...frenchStopWords],
      synonyms,
      typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 } },
      faceting: { maxValuesPerFacet: 2000 },
      pagination: { maxTotalHits: 100_000 },
    };
  }

  private ensureIndex(): Promise<void> {
    this.ready ??= (async () => {
      const exists = await this.client
        .getIndex(this.uid)
        .then(() => true)
        .catch(() => false);
      if (!exists) await this.client.createIndex(this.uid, { primaryKey: 'id' }).waitTask();
      await this.client
        .index(this.uid)
        .updateSettings(await this.settings())
        .waitTask();
    })().catch((error) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private toIndexed(d: OfferDocument) {
    const comesToYou = d.venue === 'dans-l-accueil';
    const located = d.lat !== null && d.lng !== null;
    const grids: Record<string, string> = {};
    if (located) {
      for (let k = GRID_MIN; k <= GRID_MAX; k++) grids[gridAttribute(k)] = `${Math.floor(d.lng! / 2 ** k)}:${Math.floor(d.lat! / 2 ** k)}`;
    }
    return {
      ...toStored(d),
      description: d.description,
      themeLabels: d.themeLabels,
      subthemeLabels: d.subthemeLabels,
      departments: [...new Set([...(d.department ? [d.department] : []), ...(comesToYou ? d.departmentsServed : [])])],
      regions: [...new Set([...(d.region ? [d.region] : []), ...(comesToYou ? d.regionsServed : [])])],
      travelCells: comesToYou && located && d.travelKm ? travelCells(d.lat!, d.lng!, d.travelKm) : [],
      publishedTs: d.publishedAt ? Date.parse(d.publishedAt) : 0,
      startDay: d.startDate ? dayOf(d.startDate) : OPEN_START,
      endDay: d.endDate ? dayOf(d.endDate) : OPEN_END,
      _geo: located ? { lat: d.lat, lng: d.lng } : null,
      ...grids,
    };
  }

  async index(_kind: DocumentKind, documents: OfferDocument[]): Promise<void> {
    await this.ensureIndex();
    if (documents.length)
      await this.client
        .index(this.uid)
        .addDocuments(
          documents.map((d) => this.toIndexed(d)),
          { primaryKey: 'id' },
        )
        .waitTask();
  }

  async remove(_kind: DocumentKind, ids: number[]): Promise<void> {
    await this.ensureIndex();
    if (ids.length) await this.client.index(this.uid).deleteDocuments(ids).waitTask();
  }

  async rebuild(_kind: DocumentKind, batches: AsyncIterable<OfferDocument[]>): Promise<{ count: number }> {
    await this.ensureIndex();
    const next = `${this.uid}_next`;
    await this.client.deleteIndexIfExists(next);
    await this.client.createIndex(next, { primaryKey: 'id' }).waitTask();
    await this.client
      .index(next)
      .updateSettings(await this.settings())
      .waitTask();
    let count = 0;
    for await (const batch of batches) {
      await this.client
        .index(next)
        .addDocuments(
          batch.map((d) => this.toIndexed(d)),
          { primaryKey: 'id' },
        )
        .waitTask();
      count += batch.length;
    }
    await this.client.swapIndexes([{ indexes: [this.uid, next], rename: false }]).waitTask();
    await this.client.deleteIndex(next).waitTask();
    return { count };
  }

  async count(_kind: DocumentKind): Promise<number> {
    await this.ensureIndex();
    return (await this.client.index(this.uid).getStats()).numberOfDocuments;
  }

  /** Offers that come to the point's place: candidates by travel cell, kept when the point is within their radius. */
  private async comingTo(lat: number, lng: number): Promise<number[]> {
    const response = await this.client.index(this.uid).search('', {
      filter: `travelCells = ${quote(cellOf(lat, lng))}`,
      attributesToRetrieve: ['id', '_geo', 'travelKm'],
      limit: 100_000,
    });
    return (response.hits as { id: number; _geo: { lat: number; lng: number }; travelKm: number }[])
      .filter((h) => distanceKm(lat, lng, h._geo.lat, h._geo.lng) <= h.travelKm)
      .map((h) => h.id);
  }

  private async filters(filters: OfferFilters): Promise<{ base: string[]; facet: Partial<Record<FacetName, string>> }> {
    const base: string[] = [];
    const anyOf = (attribute: string, values: string[] | undefined) => {
      if (values?.length) base.push(`${attribute} IN [${values.map(quote).join(', ')}]`);
    };
    anyOf('natures', filters.nature);
    anyOf('departments', filters.department);
    anyOf('regions', filters.region);
    if (filters.epci?.length) {
      const communes = [...new Set(filters.epci.flatMap((e) => e.communes))];
      const departments = [...new Set(filters.epci.flatMap((e) => e.departments))];
      base.push(
        `(codeInsee IN [${communes.map(quote).join(', ')}] OR (venue = "dans-l-accueil" AND departmentsServed IN [${departments.map(quote).join(', ')}]))`,
      );
    }
    if (filters.age !== undefined) base.push(`ageMin <= ${filters.age} AND ageMax >= ${filters.age}`);
    if (filters.ageRange) base.push(`ageMin <= ${filters.ageRange.max} AND ageMax >= ${filters.ageRange.min}`);
    if (filters.period?.from) base.push(`endDay >= ${dayOf(filters.period.from)}`);
    if (filters.period?.to) base.push(`startDay <= ${dayOf(filters.period.to)}`);
    if (filters.comesTo) {
      const { lat, lng, department } = filters.comesTo;
      const coming = await this.comingTo(lat, lng);
      const parts = [...(department ? [`departmentsServed = ${quote(department)}`] : []), ...(coming.length ? [`id IN [${coming.join(', ')}]`] : [])];
      base.push(parts.length ? `venue = "dans-l-accueil" AND (${parts.join(' OR ')})` : 'id = -1');
    }
    if (filters.organisationId !== undefined) base.push(`organisationId = ${filters.organisationId}`);
    if (filters.near) {
      const { lat, lng, radiusKm } = filters.near;
      const coming = await this.comingTo(lat, lng);
      const geo = `_geoRadius(${lat}, ${lng}, ${Math.round(radiusKm * 1000)})`;
      base.push(coming.length ? `(${geo} OR id IN [${coming.join(', ')}])` : geo);
    }
    if (filters.bbox) {
      const { west, south, east, north } = filters.bbox;
      base.push(`_geoBoundingBox([${north}, ${east}], [${south}, ${west}])`);
    }
    if (filters.commune?.length) {
      const parts: string[] = [];
      for (const c of filters.commune) {
        const coming = await this.comingTo(c.lat, c.lng);
        parts.push(`codeInsee = ${quote(c.code)}`, `departmentsServed = ${quote(c.department)}`);
        if (coming.length) parts.push(`id IN [${coming.join(', ')}]`);
      }
      base.push(`(${parts.join(' OR ')})`);
    }
    const facet: Partial<Record<FacetName, string>> = {};
    for (const name of facetNames) {
      const values = selectedValues(filters, name);
      if (values.length) facet[name] = `${facetAttribute[name]} IN [${values.map(quote).join(', ')}]`;
    }
    return { base, facet };
  }

  async searchOffers(query: OfferSearch): Promise<OfferSearchResult> {
    await this.ensureIndex();
    const { base, facet } = await this.filters(query);
    const all = [...base, ...Object.values(facet)];
    const sort =
      query.sort === 'recent'
        ? ['publishedTs:desc', 'id:desc']
        : query.near && (query.sort === 'distance' || !query.q?.trim())
          ? [`_geoPoint(${query.near.lat}, ${query.near.lng}):asc`, 'id:asc']
          : query.q?.trim()
            ? undefined
            : ['publishedTs:desc', 'id:desc'];
    const active = facetNames.filter((name) => facet[name]);
    const { results } = await this.client.multiSearch({
      queries: [
        {
          indexUid: this.uid,
          q: query.q ?? '',
          filter: all,
          sort,
          facets: facetNames.filter((n) => !facet[n]).map((n) => facetAttribute[n]),
          // A count (perPage 0) still asks for one hit, left out below.
          hitsPerPage: Math.max(1, query.perPage),
          page: query.page,
          attributesToRetrieve: ['*'],
        },
        ...active.map((name) => ({
          indexUid: this.uid,
          q: query.q ?? '',
          filter: [
            ...base,
            ...Object.entries(facet)
              .filter(([n]) => n !== name)
              .map(([, f]) => f as string),
          ],
          facets: [facetAttribute[name]],
          limit: 0,
        })),
      ],
    });
    const [main, ...others] = results;
    const facets = emptyFacets();
    const distributions = [main!.facetDistribution ?? {}, ...others.map((r) => r.facetDistribution ?? {})];
    for (const name of facetNames) {
      const source = facet[name] ? distributions[1 + active.indexOf(name)] : distributions[0];
      for (const [value, count] of Object.entries(source?.[facetAttribute[name]] ?? {})) {
        if (value in facets[name]) facets[name][value] = count;
      }
    }
    const near = query.near;
    const hits = (main!.hits as (StoredOffer & { _geo?: unknown })[]).slice(0, query.perPage);
    return {
      total: main!.totalHits ?? main!.estimatedTotalHits ?? 0,
      page: query.page,
      perPage: query.perPage,
      items: hits.map((hit) => {
        const { _geo, ...document } = hit as StoredOffer & Record<string, unknown>;
        const stored = pick(document as StoredOffer);
        return {
          document: stored,
          distanceKm: near && stored.lat !== null && stored.lng !== null ? distanceKm(near.lat, near.lng, stored.lat, stored.lng) : null,
        };
      }),
      facets,
      terms: [],
      corrections: {},
    };
  }

  async suggest(q: string, limit: number): Promise<string[]> {
    await this.ensureIndex();
    const response = await this.client.index(this.uid).search(q, { attributesToRetrieve: ['title'], limit });
    return [...new Set((response.hits as { title: string }[]).map((h) => h.title))];
  }

  async mapOffers(query: MapQuery): Promise<MapResult> {
    await this.ensureIndex();
    const grid = gridFor(query.bbox, query.zoom);
    const { base, facet } = await this.filters({ ...query, bbox: grid.bbox });
    const filter = [...base, ...Object.values(facet)];
    const index = this.client.index(this.uid);
    if (query.zoom >= POINTS_ZOOM) {
      const response = await index.search(query.q ?? '', { filter, limit: MAX_FEATURES + 1, sort: ['id:asc'] });
      if (response.hits.length <= MAX_FEATURES) {
        const features = (response.hits as StoredOffer[]).map((h) => pointFeature(pick(h)));
        return { type: 'FeatureCollection', total: features.length, clustered: false, features };
      }
    }
    const k = Math.round(Math.log2(grid.cell));
    const attribute = gridAttribute(Math.min(GRID_MAX, Math.max(GRID_MIN, k)));
    const response = await index.search(query.q ?? '', { filter, facets: [attribute], limit: 0 });
    const cells = Object.entries(response.facetDistribution?.[attribute] ?? {});
    const singles = cells.filter(([, n]) => n === 1).map(([cell]) => cell);
    const singleDocs = new Map<string, StoredOffer>();
    if (singles.length) {
      const found = await index.search(query.q ?? '', { filter: [...filter, `${attribute} IN [${singles.map(quote).join(', ')}]`], limit: singles.length });
      for (const hit of found.hits as (StoredOffer & Record<string, string>)[]) singleDocs.set(hit[attribute]!, pick(hit));
    }
    const size = 2 ** Math.min(GRID_MAX, Math.max(GRID_MIN, k));
    const features: MapFeature[] = cells.map(([cell, n]) => {
      const single = singleDocs.get(cell);
      if (n === 1 && single) return pointFeature(single);
      const [x, y] = cell.split(':').map(Number) as [number, number];
      return {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [(x + 0.5) * size, (y + 0.5) * size] },
        properties: { cluster: true, count: n, bbox: [x * size, y * size, (x + 1) * size, (y + 1) * size] },
      };
    });
    return { type: 'FeatureCollection', total: cells.reduce((sum, [, n]) => sum + n, 0), clustered: true, features };
  }
}

function gridAttribute(k: number): string {
  return `grid_${k < 0 ? `m${-k}` : k}`;
}

/** The StoredOffer fields of an index hit (drops the search-only attributes). */
function pick(hit: StoredOffer): StoredOffer {
  return {
    id: hit.id,
    organisationId: hit.organisationId,
    externalId: hit.externalId,
    slug: hit.slug,
    title: hit.title,
    summary: hit.summary,
    themes: hit.themes,
    subthemes: hit.subthemes,
    formats: hit.formats,
    venue: hit.venue,
    travelKm: hit.travelKm,
    departmentsServed: hit.departmentsServed,
    ageMin: hit.ageMin,
    ageMax: hit.ageMax,
    ageBands: hit.ageBands,
    price: hit.price,
    accessibility: hit.accessibility,
    natures: hit.natures,
    slots: hit.slots,
    startDate: hit.startDate ?? null,
    endDate: hit.endDate ?? null,
    orgName: hit.orgName,
    orgType: hit.orgType,
    orgSlug: hit.orgSlug,
    lat: hit.lat,
    lng: hit.lng,
    codeInsee: hit.codeInsee,
    communeName: hit.communeName,
    department: hit.department,
    region: hit.region,
    publishedAt: hit.publishedAt,
    photoPath: hit.photoPath ?? null,
    photoAlt: hit.photoAlt ?? null,
  };
}
