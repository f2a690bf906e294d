import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { distanceKm } from '../../server/kernel/distance.js';
import { LruCache } from '../cache.js';
import { emptyFacets, facetColumns, facetDefs, selectedValues, WORD_BITS, wordsOf } from '../facets.js';
import { gridFor, MAX_FEATURES, POINTS_ZOOM, pointFeature, toStored } from '../map-grid.js';
import { nearestFirst } from '../nearest.js';
import { type NeedIndex, PostgresNeedIndex } from '../need-index.js';
import { Lexicon, parseGroup, type QueryGroup } from '../relevance.js';
import { type Evaluation, OfferSnapshot, SNAPSHOT_COLUMNS, type SnapshotRow } from '../snapshot.js';
import { editDistance, lexiconWords, queryUnits, queryWords, type SynonymMap, sortedLetters, typoBudget } from '../text.js';
import { TextMatches, warmUpWords } from '../text-matches.js';
import {
  type DocumentKind,
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
} from '../types.js';

/** Weights of D, C, B, A: title ≫ themes and sub-themes > summary > description and organisation. */
const RANK_WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';
const BATCH = 500;
const BIT_COLUMNS = sql.raw(facetColumns.map((c) => c.column).join(', '));
const BIT_COLUMN_TYPES = sql.raw(facetColumns.map((c) => `${c.column} int`).join(', '));
const BIT_COLUMN_UPDATES = sql.raw(facetColumns.map((c) => `${c.column} = excluded.${c.column}`).join(', '));

/** The facet bit-mask columns of a document (search/facets.ts). */
function bitColumns(d: OfferDocument): Record<string, number> {
  const values: Record<(typeof facetNames)[number], (string | null)[]> = {
    theme: d.themes,
    subtheme: d.subthemes,
    age_band: d.ageBands,
    format: d.formats,
    venue: [d.venue],
    price: [d.price],
    accessibility: d.accessibility,
    org_type: [d.orgType],
    slot: d.slots,
  };
  const columns: Record<string, number> = {};
  for (const name of facetNames) {
    const words = wordsOf(name, values[name]);
    facetDefs[name].columns.forEach((column, word) => {
      columns[column] = words[word]!;
    });
  }
  return columns;
}
/** In the change log: a rebuild (every offer may have changed), or a write that changed none. */
const ALL_OFFERS = 0;
const NO_OFFER = -1;
/** Versions kept in the change log; an instance further behind reloads its snapshot. */
const CHANGE_LOG_VERSIONS = 10_000;

interface TextQuery {
  /** The tsquery, already parsed and stemmed (cast back with ::tsquery). */
  tsquery: string;
  terms: string[];
  corrections: Record<string, string[]>;
  /** Each word's stemmed alternatives, for the in-memory relevance order. */
  groups: QueryGroup[];
  /** Each word's tsquery (the tsquery is their AND), for the text matches cached per word. */
  parts: string[];
}

/**
 * Search in PostgreSQL: a denormalised `search_offers` table (db/schema/search.ts) with a weighted
 * French tsvector (accents removed before stemming), GIN/GiST indexes for every filter, facets
 * counted in one scan with bit masks, typo tolerance from the `search_words` lexicon (pg_trgm and
 * sorted letters) and query expansion from `search_synonyms`.
 *
 * Responses are cached by query and index version: every write bumps `search_state.version`, and
 * an instance re-reads it at most every `versionTtlMs`, so a cached answer is never served for an
 * index state older than that (its own writes are seen at once).
 */
export class PostgresSearchEngine implements SearchEngine {
  readonly name = 'postgres' as const;
  readonly needs: NeedIndex;
  private readonly cache = new LruCache<unknown>(5000);
  /** Computations in progress by cache key: concurrent identical searches share one. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly textCache = new LruCache<TextQuery | null>(5000);
  private version = -1;
  private versionReadAt = 0;
  private synonyms: { map: SynonymMap; readAt: number } | null = null;
  private snapshot: Promise<OfferSnapshot> | null = null;
  private readonly lexicon = new Lexicon();
  /** How the in-memory snapshot was kept current: full loads, and catch-ups from the change log. */
  readonly stats = { snapshotLoads: 0, snapshotCatchUps: 0 };
  private readonly textMatchCache: TextMatches;
  /** Filters evaluated on a snapshot, shared by every page, size and sort of the same filters (weighed with the orders they may get). */
  private readonly evaluations = new LruCache<Evaluation>(500, { maxWeight: 6_000_000, weigh: (e) => 3 * e.matches.length + 100 });

  /**
   * `memory` (default on): filters and facets are evaluated on an in-memory snapshot of the
   * filterable fields (search/snapshot.ts); off, everything runs in SQL (same results — both
   * modes pass the contract suite).
   */
  constructor(
    private readonly db: Db,
    private readonly options: { versionTtlMs?: number; cache?: boolean; memory?: boolean } = {},
  ) {
    this.needs = new PostgresNeedIndex(db);
    this.textMatchCache = new TextMatches(db);
  }

  async close(): Promise<void> {}

  /**
   * Loads the in-memory snapshot ahead of the first search (production start), then analyses the
   * words people search first and fetches their matches, so that their first searches find them
   * in the caches.
   */
  async warm(): Promise<void> {
    if (this.options.memory === false) return;
    const snapshot = await this.currentSnapshot();
    for (const word of warmUpWords()) {
      const text = await this.textQuery(word);
      if (text) await this.textMatches(text, snapshot);
    }
  }

  // ---- writes ----------------------------------------------------------------------------

  async index(_kind: DocumentKind, documents: OfferDocument[]): Promise<void> {
    const upserts: SnapshotRow[] = [];
    for (let i = 0; i < documents.length; i += BATCH) upserts.push(...(await this.upsert(documents.slice(i, i + BATCH))));
    await this.applyOwnWrite(await this.bump(documents.map((d) => d.id)), upserts, []);
  }

  async remove(_kind: DocumentKind, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await rows(this.db, sql`delete from search_offers where id = any(${sql.param(ids)}::int[])`);
    await this.applyOwnWrite(await this.bump(ids), [], ids);
  }

  /** Our own write moved the version by one: patch the loaded snapshot instead of reloading it. */
  private async applyOwnWrite(version: number, upserts: SnapshotRow[], removed: number[]): Promise<void> {
    const pending = this.snapshot;
    if (!pending) return;
    const snapshot = await pending.catch(() => null);
    if (!snapshot || snapshot.version !== version - 1 || this.snapshot !== pending) return;
    this.snapshot = Promise.resolve(withGrid(snapshot.withChanges(version, upserts, removed)));
  }

  async rebuild(_kind: DocumentKind, batches: AsyncIterable<OfferDocument[]>): Promise<{ count: number }> {
    // Upsert everything, then delete what was not rewritten: searches see a full index throughout.
    const [start] = await rows<{ t: string }>(this.db, sql`select clock_timestamp()::text as t`);
    await rows(this.db, sql`delete from search_words`);
    let count = 0;
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += BATCH) await this.upsert(batch.slice(i, i + BATCH));
      count += batch.length;
    }
    await rows(this.db, sql`delete from search_offers where indexed_at < ${start!.t}::timestamptz`);
    await rows(this.db, sql`update search_state set rebuilt_at = now() where kind = 'offer'`);
    await rows(this.db, sql`analyze search_offers`);
    await this.bump([ALL_OFFERS]);
    return { count };
  }

  async count(_kind: DocumentKind): Promise<number> {
    const [row] = await rows<{ n: number }>(this.db, sql`select count(*)::int as n from search_offers`);
    return row?.n ?? 0;
  }

  /** Writes the documents; returns them as the snapshot keeps them (lexemes as PostgreSQL stemmed them). */
  private async upsert(documents: OfferDocument[]): Promise<SnapshotRow[]> {
    if (documents.length === 0) return [];
    const payload = documents.map((d) => {
      const comesToYou = d.venue === 'dans-l-accueil';
      return {
        id: d.id,
        organisation_id: d.organisationId,
        title: d.title,
        doc: toStored(d),
        themes: d.themes,
        subthemes: d.subthemes,
        formats: d.formats,
        accessibility: d.accessibility,
        natures: d.natures,
        slots: d.slots,
        age_bands: d.ageBands,
        venue: d.venue,
        price: d.price,
        org_type: d.orgType,
        age_min: d.ageMin,
        age_max: d.ageMax,
        ...bitColumns(d),
        start_date: d.startDate,
        end_date: d.endDate,
        lat: d.lat,
        lng: d.lng,
        travel_km: comesToYou && d.travelKm && d.travelKm > 0 ? d.travelKm : null,
        code_insee: d.codeInsee,
        department: d.department,
        region: d.region,
        departments_served: comesToYou ? d.departmentsServed : [],
        departments: [...new Set([...(d.department ? [d.department] : []), ...(comesToYou ? d.departmentsServed : [])])],
        regions: [...new Set([...(d.region ? [d.region] : []), ...(comesToYou ? d.regionsServed : [])])],
        text_a: d.title,
        text_b: [...d.subthemeLabels, ...d.themeLabels].join(' · '),
        text_c: d.summary,
        text_d: `${d.description} ${d.orgName}`,
        published_at: d.publishedAt,
      };
    });
    const written = await rows<SnapshotRow>(
      this.db,
      sql`insert into search_offers (id, organisation_id, title, doc, themes, subthemes, formats, accessibility, natures, slots, age_bands,
            venue, price, org_type, age_min, age_max, ${BIT_COLUMNS}, start_date, end_date,
            lat, lng, pt, lnglat, travel_km, travel_area, code_insee, department, region, departments_served, departments, regions, tsv, published_at, indexed_at)
          select id, organisation_id, title, doc, themes, subthemes, formats, accessibility, natures, slots, age_bands,
            venue, price, org_type, age_min, age_max, ${BIT_COLUMNS}, start_date, end_date,
            lat, lng,
            case when lat is not null and lng is not null then ll_to_earth(lat, lng) end,
            case when lat is not null and lng is not null then point(lng, lat) end,
            travel_km,
            case when lat is not null and lng is not null and travel_km is not null then earth_box(ll_to_earth(lat, lng), travel_km * 1000.0) end,
            code_insee, department, region, departments_served, departments, regions,
            setweight(to_tsvector('french', immutable_unaccent(text_a)), 'A')
              || setweight(to_tsvector('french', immutable_unaccent(text_b)), 'B')
              || setweight(to_tsvector('french', immutable_unaccent(text_c)), 'C')
              || setweight(to_tsvector('french', immutable_unaccent(text_d)), 'D'),
            published_at, clock_timestamp()
          from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as d(id int, organisation_id int, title text, doc jsonb, themes text[],
            subthemes text[], formats text[], accessibility text[], natures text[], slots text[], age_bands text[], venue text, price text,
            org_type text, age_min int, age_max int, ${BIT_COLUMN_TYPES}, start_date date, end_date date, lat float8, lng float8, travel_km int, code_insee text, department text, region text,
            departments_served text[], departments text[], regions text[], text_a text, text_b text, text_c text, text_d text, published_at timestamptz)
          on conflict (id) do update set organisation_id = excluded.organisation_id, title = excluded.title, doc = excluded.doc,
            themes = excluded.themes, subthemes = excluded.subthemes, formats = excluded.formats, accessibility = excluded.accessibility,
            natures = excluded.natures, slots = excluded.slots, age_bands = excluded.age_bands, venue = excluded.venue, price = excluded.price,
            org_type = excluded.org_type, age_min = excluded.age_min, age_max = excluded.age_max, ${BIT_COLUMN_UPDATES},
            start_date = excluded.start_date, end_date = excluded.end_date, lat = excluded.lat, lng = excluded.lng, pt = excluded.pt,
            lnglat = excluded.lnglat, travel_km = excluded.travel_km, travel_area = excluded.travel_area, code_insee = excluded.code_insee,
            department = excluded.department, region = excluded.region, departments_served = excluded.departments_served,
            departments = excluded.departments, regions = excluded.regions, tsv = excluded.tsv, published_at = excluded.published_at,
            indexed_at = excluded.indexed_at
          returning ${SNAPSHOT_COLUMNS}`,
    );
    const words = new Set<string>();
    for (const d of documents) {
      for (const text of [d.title, d.summary, d.description, d.orgName, ...d.themeLabels, ...d.subthemeLabels]) {
        for (const word of lexiconWords(text)) words.add(word);
      }
    }
    const list = [...words];
    if (list.length > 0) {
      await rows(
        this.db,
        sql`insert into search_words (word, sig) select * from unnest(${sql.param(list)}::text[], ${sql.param(list.map(sortedLetters))}::text[])
            on conflict do nothing`,
      );
    }
    return written;
  }

  /** Moves the index version by one, logging the offers it changed in the same statement. */
  private async bump(changed: number[]): Promise<number> {
    const ids = changed.length > 0 ? changed : [NO_OFFER];
    const [row] = await rows<{ version: string | number }>(
      this.db,
      sql`with next as (
            insert into search_state (kind, version) values ('offer', 1)
            on conflict (kind) do update set version = search_state.version + 1 returning version
          ), logged as (
            insert into search_offer_changes (version, offer_id) select next.version, unnest(${sql.param(ids)}::int[]) from next
          )
          select version from next`,
    );
    this.version = Number(row?.version ?? 0);
    this.versionReadAt = performance.now();
    if (this.version % 100 === 0) {
      await rows(this.db, sql`delete from search_offer_changes where version <= ${this.version - CHANGE_LOG_VERSIONS}`);
    }
    return this.version;
  }

  private async currentVersion(): Promise<number> {
    const ttl = this.options.versionTtlMs ?? 500;
    if (this.version >= 0 && performance.now() - this.versionReadAt < ttl) return this.version;
    const [row] = await rows<{ version: string | number }>(this.db, sql`select version from search_state where kind = 'offer'`);
    this.version = Number(row?.version ?? 0);
    this.versionReadAt = performance.now();
    return this.version;
  }

  private async cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.options.cache === false) return compute();
    const fullKey = `${await this.currentVersion()}|${key}`;
    const hit = this.cache.get(fullKey) as T | undefined;
    if (hit !== undefined) return hit;
    const pending = this.inFlight.get(fullKey) as Promise<T> | undefined;
    if (pending) return pending;
    const computing = compute().then((value) => {
      this.cache.set(fullKey, value);
      return value;
    });
    this.inFlight.set(fullKey, computing);
    try {
      return await computing;
    } finally {
      this.inFlight.delete(fullKey);
    }
  }

  // ---- text analysis ---------------------------------------------------------------------

  private async synonymMap(): Promise<SynonymMap> {
    if (this.synonyms && performance.now() - this.synonyms.readAt < 60_000) return this.synonyms.map;
    const found = await rows<{ term: string; expansion: string }>(this.db, sql`select term, expansion from search_synonyms order by term, expansion`);
    const map: SynonymMap = new Map();
    for (const { term, expansion } of found) map.set(term, [...(map.get(term) ?? []), expansion]);
    this.synonyms = { map, readAt: performance.now() };
    return map;
  }

  /** q → a tsquery: AND of the words, each OR its synonyms and typo corrections, the last one as a prefix. */
  private async textQuery(q: string | undefined): Promise<TextQuery | null> {
    const words = queryWords(q);
    if (words.length === 0) return null;
    const key = `${await this.currentVersion()}|${words.join(' ')}`;
    const hit = this.textCache.get(key);
    if (hit !== undefined) return hit;

    const units = queryUnits(words, await this.synonymMap());
    const corrections: Record<string, string[]> = {};
    const checked = units.filter((u) => !u.isPhrase && typoBudget(u.text) > 0 && !/\d/.test(u.text)).map((u) => u.text);
    if (checked.length > 0) {
      const known = await rows<{ w: string; found: boolean }>(
        this.db,
        sql`select w, exists (select 1 from search_words where word like w || '%') as found from unnest(${sql.param(checked)}::text[]) as w`,
      );
      for (const { w } of known.filter((k) => !k.found)) {
        const candidates = await rows<{ word: string }>(this.db, sql`select word from search_words where word % ${w} or sig = ${sortedLetters(w)} limit 100`);
        const budget = typoBudget(w);
        const best = candidates
          .map((c) => ({ word: c.word, d: editDistance(w, c.word) }))
          .filter((c) => c.d <= budget)
          .sort((a, b) => a.d - b.d || a.word.localeCompare(b.word))
          .slice(0, 3)
          .map((c) => c.word);
        if (best.length > 0) corrections[w] = best;
      }
    }
    // A prefix does not always stem like the word it starts ("initiat" vs "initi"): the last word
    // also matches the lexicon words it begins.
    const lastUnit = units[units.length - 1]!;
    let completions: string[] = [];
    if (!lastUnit.isPhrase && lastUnit.text.length >= 3 && !/^\d+$/.test(lastUnit.text)) {
      const found = await rows<{ word: string }>(
        this.db,
        sql`select word from search_words where word like ${`${lastUnit.text}%`} and word <> ${lastUnit.text} order by length(word), word limit 8`,
      );
      completions = found.map((r) => r.word);
    }
    const terms = new Set<string>();
    const groups = units.map((unit, index) => {
      const last = index === units.length - 1;
      const alternatives = [...unit.alternatives, ...(corrections[unit.text] ?? []), ...(last ? completions : [])];
      const parts = alternatives.map((alt) => {
        for (const w of alt.split(' ')) terms.add(w);
        if (alt.includes(' ')) return `(${alt.split(' ').join(' <-> ')})`;
        return last && alt === unit.text ? `${alt}:*` : alt;
      });
      return `(${parts.join(' | ')})`;
    });
    const [parsed] = await rows<{ tsq: string; n: number; parts: string[] | null }>(
      this.db,
      sql`select q::text as tsq, numnode(q) as n,
            (select array_agg(to_tsquery('french', g)::text order by o) from unnest(${sql.param(groups)}::text[]) with ordinality as u(g, o)) as parts
          from to_tsquery('french', ${groups.join(' & ')}) as q`,
    );
    const parts = parsed?.parts ?? [];
    const result = parsed && parsed.n > 0 ? { tsquery: parsed.tsq, terms: [...terms], corrections, groups: parts.map(parseGroup), parts } : null;
    this.textCache.set(key, result);
    return result;
  }

  // ---- queries ---------------------------------------------------------------------------

  /** The non-facet filters (text, age, age range, period, nature, places, organisation). */
  private baseConditions(filters: OfferFilters, text: TextQuery | null): SQL[] {
    const where: SQL[] = [];
    if (text) where.push(sql`tsv @@ ${text.tsquery}::tsquery`);
    if (filters.age !== undefined) where.push(sql`age_min <= ${filters.age} and age_max >= ${filters.age}`);
    if (filters.ageRange) where.push(sql`age_min <= ${filters.ageRange.max} and age_max >= ${filters.ageRange.min}`);
    if (filters.period?.from) where.push(sql`(end_date is null or end_date >= ${filters.period.from}::date)`);
    if (filters.period?.to) where.push(sql`(start_date is null or start_date <= ${filters.period.to}::date)`);
    if (filters.nature?.length) where.push(sql`natures && ${sql.param(filters.nature)}::text[]`);
    if (filters.comesTo) {
      const { lat, lng, department } = filters.comesTo;
      const point = sql`ll_to_earth(${lat}::float8, ${lng}::float8)`;
      where.push(
        sql`venue = 'dans-l-accueil' and (${department ?? ''} = any(departments_served)
          or (travel_area @> ${point} and earth_distance(pt, ${point}) <= travel_km * 1000.0))`,
      );
    }
    if (filters.organisationId !== undefined) where.push(sql`organisation_id = ${filters.organisationId}`);
    if (filters.near) {
      const { lat, lng, radiusKm } = filters.near;
      const point = sql`ll_to_earth(${lat}::float8, ${lng}::float8)`;
      const radius = radiusKm * 1000;
      where.push(
        sql`((pt <@ earth_box(${point}, ${radius}::float8) and earth_distance(pt, ${point}) <= ${radius}::float8)
          or (travel_area @> ${point} and earth_distance(pt, ${point}) <= travel_km * 1000.0))`,
      );
    }
    if (filters.bbox) {
      const { west, south, east, north } = filters.bbox;
      where.push(sql`lnglat <@ box(point(${west}::float8, ${south}::float8), point(${east}::float8, ${north}::float8))`);
    }
    if (filters.commune?.length) {
      const alternatives = filters.commune.map((c) => {
        const point = sql`ll_to_earth(${c.lat}::float8, ${c.lng}::float8)`;
        return sql`(code_insee = ${c.code} or ${c.department} = any(departments_served)
          or (travel_area @> ${point} and earth_distance(pt, ${point}) <= travel_km * 1000.0))`;
      });
      where.push(sql`(${sql.join(alternatives, sql` or `)})`);
    }
    if (filters.department?.length) where.push(sql`departments && ${sql.param(filters.department)}::text[]`);
    if (filters.region?.length) where.push(sql`regions && ${sql.param(filters.region)}::text[]`);
    if (filters.epci?.length) {
      const communes = [...new Set(filters.epci.flatMap((e) => e.communes))];
      const departments = [...new Set(filters.epci.flatMap((e) => e.departments))];
      where.push(sql`(code_insee = any(${sql.param(communes)}::text[]) or departments_served && ${sql.param(departments)}::text[])`);
    }
    return where;
  }

  /** Facet filters as array conditions (index-backed), for the result list. */
  private facetConditions(filters: OfferFilters): SQL[] {
    const where: SQL[] = [];
    const list = (values: string[] | undefined, column: string, scalar = false) => {
      if (!values?.length) return;
      where.push(scalar ? sql`${sql.raw(column)} = any(${sql.param(values)}::text[])` : sql`${sql.raw(column)} && ${sql.param(values)}::text[]`);
    };
    list(filters.theme, 'themes');
    list(filters.subtheme, 'subthemes');
    list(filters.slot, 'slots');
    list(filters.ageBand, 'age_bands');
    list(filters.format, 'formats');
    list(filters.venue, 'venue', true);
    list(filters.price, 'price', true);
    list(filters.accessibility, 'accessibility');
    list(filters.orgType, 'org_type', true);
    return where;
  }

  async searchOffers(query: OfferSearch): Promise<OfferSearchResult> {
    return this.cached(`search|${JSON.stringify(query)}`, () => (this.options.memory === false ? this.runSqlSearch(query) : this.runMemorySearch(query)));
  }

  /** The snapshot of the current index version (loaded once per version, shared by concurrent searches). */
  private async currentSnapshot(): Promise<OfferSnapshot> {
    const version = await this.currentVersion();
    const pending = this.snapshot;
    let behind: OfferSnapshot | null = null;
    if (pending) {
      const snapshot = await pending;
      if (snapshot.version === version) return snapshot;
      if (this.snapshot !== pending) return this.currentSnapshot();
      if (snapshot.version < version) behind = snapshot;
    }
    const loading = behind ? this.catchUp(behind, version) : this.loadSnapshot(version);
    this.snapshot = loading;
    loading.catch(() => {
      if (this.snapshot === loading) this.snapshot = null;
    });
    return loading;
  }

  private loadSnapshot(version: number): Promise<OfferSnapshot> {
    this.stats.snapshotLoads++;
    return OfferSnapshot.load(this.db, version, this.lexicon).then(withGrid);
  }

  /**
   * Another instance wrote: the snapshot is brought to `version` with the rows the change log
   * names, or reloaded when the log cannot tell (a rebuild, versions pruned, or a large change).
   */
  private async catchUp(snapshot: OfferSnapshot, version: number): Promise<OfferSnapshot> {
    const changes = await rows<{ version: string | number; offer_id: number }>(
      this.db,
      sql`select version, offer_id from search_offer_changes where version > ${snapshot.version} and version <= ${version}`,
    );
    const versions = new Set(changes.map((c) => Number(c.version)));
    const ids = new Set(changes.map((c) => c.offer_id));
    if (versions.size !== version - snapshot.version || ids.has(ALL_OFFERS) || ids.size > snapshot.size / 4 + 100) return this.loadSnapshot(version);
    ids.delete(NO_OFFER);
    const found = ids.size > 0 ? await OfferSnapshot.rowsOf(this.db, [...ids]) : [];
    const present = new Set(found.map((r) => r.id));
    this.stats.snapshotCatchUps++;
    return withGrid(
      snapshot.withChanges(
        version,
        found,
        [...ids].filter((id) => !present.has(id)),
      ),
    );
  }

  /**
   * The snapshot positions of the documents matching the text (GIN index, ids only), cached per
   * snapshot version and tsquery: every filter combination and page of the same words reuses them.
   */
  private textMatches(text: TextQuery, snapshot: OfferSnapshot): Promise<Int32Array> {
    return this.textMatchCache.positions(snapshot, text.tsquery, text.parts);
  }

  private async documents(ids: number[]): Promise<Map<number, StoredOffer>> {
    const docs = new Map<number, StoredOffer>();
    if (ids.length === 0) return docs;
    const found = await rows<{ doc: StoredOffer | string }>(this.db, sql`select doc from search_offers where id = any(${sql.param(ids)}::int[])`);
    for (const r of found) {
      const doc = typeof r.doc === 'string' ? (JSON.parse(r.doc) as StoredOffer) : r.doc;
      docs.set(doc.id, doc);
    }
    return docs;
  }

  /** What a map marker needs (not the whole document). */
  private async markers(ids: number[]): Promise<Map<number, StoredOffer>> {
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
      this.db,
      sql`select id, title, doc->>'slug' as slug, doc->>'orgName' as "orgName", venue, travel_km as "travelKm", lat, lng, themes
          from search_offers where id = any(${sql.param(ids)}::int[])`,
    );
    return new Map(found.map((m) => [m.id, { ...m, lat: Number(m.lat), lng: Number(m.lng) } as unknown as StoredOffer]));
  }

  /** The filters of a search or map query evaluated on the current snapshot (cached per version and filters). */
  private async evaluate(query: OfferSearch | MapQuery): Promise<{ snapshot: OfferSnapshot; text: TextQuery | null; evaluation: Evaluation }> {
    const text = await this.textQuery(query.q);
    const snapshot = await this.currentSnapshot();
    const { sort: _sort, page: _page, perPage: _perPage, zoom: _zoom, ...filters } = query as Partial<OfferSearch & MapQuery>;
    const key = `${snapshot.version}|${JSON.stringify(filters)}`;
    let evaluation = this.evaluations.get(key);
    if (!evaluation) {
      evaluation = snapshot.evaluate(filters, text ? await this.textMatches(text, snapshot) : null);
      this.evaluations.set(key, evaluation);
    }
    return { snapshot, text, evaluation };
  }

  private async runMemorySearch(query: OfferSearch): Promise<OfferSearchResult> {
    const { snapshot, text, evaluation } = await this.evaluate(query);
    const { matches, distances, facets } = evaluation;
    const offset = (query.page - 1) * query.perPage;
    const byDistance = distances && (query.sort === 'distance' || (query.sort === 'relevance' && !text));
    let ordered = matches;
    // Orders are kept with the cached evaluation: the next pages reuse them. Distance without a
    // point falls back to relevance, as in SQL.
    if (text && (query.sort === 'relevance' || (query.sort === 'distance' && !distances))) {
      evaluation.byRelevance ??= snapshot.byRelevance(matches, text.groups);
      ordered = evaluation.byRelevance;
    } else if (byDistance) {
      // The order's beginning is kept (the pages asked so far, at least 100): the next pages reuse it.
      const needed = offset + query.perPage;
      const known = evaluation.byDistance;
      ordered =
        known && (known.length >= needed || known.length >= matches.length) ? known : nearestFirst(matches, distances, snapshot.ids, Math.max(needed, 100));
      evaluation.byDistance = ordered;
    }
    const pageIds = ordered.slice(offset, offset + query.perPage).map((i) => snapshot.ids[i]!);
    const docs = await this.documents(pageIds);
    const near = query.near;
    const items = pageIds
      .map((id) => docs.get(id))
      .filter((d): d is StoredOffer => d !== undefined)
      .map((document) => ({
        document,
        distanceKm: near && document.lat !== null && document.lng !== null ? distanceKm(near.lat, near.lng, document.lat, document.lng) : null,
      }));
    return { total: matches.length, page: query.page, perPage: query.perPage, items, facets, terms: text?.terms ?? [], corrections: text?.corrections ?? {} };
  }

  private async runSqlSearch(query: OfferSearch): Promise<OfferSearchResult> {
    const text = await this.textQuery(query.q);
    const base = this.baseConditions(query, text);
    const [counts, page] = await Promise.all([this.facetCounts(query, base), this.page(query, text, base)]);
    return {
      total: counts.total,
      page: query.page,
      perPage: query.perPage,
      items: page,
      facets: counts.facets,
      terms: text?.terms ?? [],
      corrections: text?.corrections ?? {},
    };
  }

  /** Total and disjunctive facet counts in one scan: each facet counted with the other facets' filters. */
  private async facetCounts(filters: OfferFilters, base: SQL[]) {
    const masks = facetNames.map((name) => ({ name, words: wordsOf(name, selectedValues(filters, name)) }));
    // A facet's filter holds when any of its words intersects the selection.
    const condition = (name: string) => {
      const { words } = masks.find((m) => m.name === name)!;
      const parts = facetDefs[name as keyof typeof facetDefs].columns.map((column, w) => `(${column} & ${words[w]}) <> 0`);
      return sql.raw(`(${parts.join(' or ')})`);
    };
    const active = masks.filter((m) => m.words.some((w) => w !== 0));
    const allOf = (except?: string) => {
      const parts = active.filter((m) => m.name !== except).map((m) => condition(m.name));
      return parts.length ? sql.join(parts, sql` and `) : sql`true`;
    };
    const columns: SQL[] = [sql`count(*) filter (where ${allOf()})::int as total`];
    for (const name of facetNames) {
      const { columns: bitColumns, values } = facetDefs[name];
      values.forEach((_value, index) => {
        const column = bitColumns[Math.floor(index / WORD_BITS)]!;
        const bit = 1 << (index % WORD_BITS);
        columns.push(
          sql`count(*) filter (where (${sql.raw(column)} & ${sql.raw(String(bit))}) <> 0 and ${allOf(name)})::int as ${sql.identifier(`${name}:${index}`)}`,
        );
      });
    }
    const where = base.length ? sql.join(base, sql` and `) : sql`true`;
    const [row] = await rows<Record<string, number>>(this.db, sql`select ${sql.join(columns, sql`, `)} from search_offers where ${where}`);
    const facets = emptyFacets();
    for (const name of facetNames) {
      facetDefs[name].values.forEach((value, index) => {
        facets[name][value] = Number(row?.[`${name}:${index}`] ?? 0);
      });
    }
    return { total: Number(row?.total ?? 0), facets };
  }

  private async page(query: OfferSearch, text: TextQuery | null, base: SQL[]) {
    const where = [...base, ...this.facetConditions(query)];
    const near = query.near ? sql`ll_to_earth(${query.near.lat}::float8, ${query.near.lng}::float8)` : null;
    const distance = near ? sql`earth_distance(pt, ${near}) / 1000.0` : sql`null::float8`;
    const recent = sql`published_at desc nulls last, id desc`;
    let order: SQL;
    if (query.sort === 'recent') order = recent;
    else if (near && (query.sort === 'distance' || !text)) order = sql`earth_distance(pt, ${near}), id`;
    else if (text) order = sql`ts_rank(${RANK_WEIGHTS}::float4[], tsv, ${text.tsquery}::tsquery) desc, ${recent}`;
    else order = recent;
    const found = await rows<{ doc: StoredOffer | string; distance: number | null }>(
      this.db,
      sql`select doc, ${distance} as distance from search_offers
          where ${where.length ? sql.join(where, sql` and `) : sql`true`}
          order by ${order} limit ${query.perPage} offset ${(query.page - 1) * query.perPage}`,
    );
    return found.map((r) => ({
      document: typeof r.doc === 'string' ? (JSON.parse(r.doc) as StoredOffer) : r.doc,
      distanceKm: r.distance === null ? null : Number(r.distance),
    }));
  }

  async suggest(q: string, limit: number): Promise<string[]> {
    return this.cached(`suggest|${limit}|${q}`, async () => {
      const text = await this.textQuery(q);
      if (!text) return [];
      const found = await rows<{ title: string }>(
        this.db,
        sql`select title from search_offers where tsv @@ ${text.tsquery}::tsquery
            order by ts_rank(${RANK_WEIGHTS}::float4[], setweight(to_tsvector('french', immutable_unaccent(title)), 'A'), ${text.tsquery}::tsquery) desc, id desc limit ${limit * 3}`,
      );
      return [...new Set(found.map((r) => r.title))].slice(0, limit);
    });
  }

  async mapOffers(query: MapQuery): Promise<MapResult> {
    const grid = gridFor(query.bbox, query.zoom);
    const snapped: MapQuery = { ...query, bbox: grid.bbox };
    return this.cached(`map|${grid.cell}|${JSON.stringify(snapped)}`, () =>
      this.options.memory === false ? this.runSqlMap(snapped, grid.cell) : this.runMemoryMap(snapped, grid.cell),
    );
  }

  private async runMemoryMap(query: MapQuery, cell: number): Promise<MapResult> {
    const { snapshot, evaluation } = await this.evaluate(query);
    const { matches } = evaluation;
    if (query.zoom >= POINTS_ZOOM && matches.length <= MAX_FEATURES) {
      const ids = matches.map((i) => snapshot.ids[i]!).sort((a, b) => a - b);
      const docs = await this.markers(ids);
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
    const docs = await this.markers(list.filter((c) => c.n === 1).map((c) => c.id));
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

  private async runSqlMap(query: MapQuery, cell: number): Promise<MapResult> {
    const text = await this.textQuery(query.q);
    const where = [...this.baseConditions(query, text), ...this.facetConditions(query)];
    const condition = sql.join(where, sql` and `);
    if (query.zoom >= POINTS_ZOOM) {
      const found = await rows<{ doc: StoredOffer | string }>(
        this.db,
        sql`select doc from search_offers where ${condition} order by id limit ${MAX_FEATURES + 1}`,
      );
      if (found.length <= MAX_FEATURES) {
        const features = found.map((r) => pointFeature(typeof r.doc === 'string' ? JSON.parse(r.doc) : r.doc));
        return { type: 'FeatureCollection', total: features.length, clustered: false, features };
      }
    }
    const cells = await rows<{ n: number; id: number; lat: number; lng: number; s: number; w: number; no: number; e: number }>(
      this.db,
      sql`select count(*)::int as n, min(id) as id, avg(lat) as lat, avg(lng) as lng, min(lat) as s, min(lng) as w, max(lat) as no, max(lng) as e
          from search_offers where ${condition}
          group by floor(lng / ${cell}::float8), floor(lat / ${cell}::float8)`,
    );
    const singles = cells.filter((c) => Number(c.n) === 1).map((c) => c.id);
    const docs = new Map<number, StoredOffer>();
    if (singles.length) {
      const found = await rows<{ doc: StoredOffer | string }>(this.db, sql`select doc from search_offers where id = any(${sql.param(singles)}::int[])`);
      for (const r of found) {
        const doc = typeof r.doc === 'string' ? (JSON.parse(r.doc) as StoredOffer) : r.doc;
        docs.set(doc.id, doc);
      }
    }
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
}

/** Builds the snapshot's spatial grids with the snapshot, rather than in the first search that needs them. */
function withGrid(snapshot: OfferSnapshot): OfferSnapshot {
  snapshot.geo();
  return snapshot;
}
