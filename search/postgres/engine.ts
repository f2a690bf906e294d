import type { Db } from '../../db/client.js';
import { LruCache } from '../cache.js';
import { gridFor } from '../map-grid.js';
import { type NeedIndex, PostgresNeedIndex } from '../need-index.js';
import type { DocumentKind, MapQuery, MapResult, OfferDocument, OfferSearch, OfferSearchResult, SearchEngine } from '../types.js';
import { EvaluatorPool } from './evaluator-pool.js';
import { IndexVersion, VERSION_TTL_MS } from './index-version.js';
import { LiveSnapshot } from './live-snapshot.js';
import { mapFromSnapshot, mapInSql } from './map.js';
import { MemoryEvaluator } from './memory-evaluator.js';
import { SqlEvaluator } from './sql-evaluator.js';
import { TextQueryBuilder } from './tsquery.js';
import { OfferIndexWriter } from './writer.js';

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
  /** How the in-memory snapshot was kept current: full loads, and catch-ups from the change log. */
  readonly stats: LiveSnapshot['stats'];
  /** How text matches were found: groups read whole from the GIN index, and groups patched after writes. */
  readonly textStats: MemoryEvaluator['textStats'];
  /** Answers by index version and query, kept from a query's second request on; concurrent identical searches share one computation. */
  private readonly cache = new LruCache<unknown>(5000, { repeatedOnly: true });
  private readonly version: IndexVersion;
  private readonly writer: OfferIndexWriter;
  private readonly snapshots: LiveSnapshot;
  private readonly inMemory: MemoryEvaluator;
  private readonly inSql: SqlEvaluator;
  private readonly pool: EvaluatorPool | null;

  /**
   * `memory` (default on): filters and facets are evaluated on an in-memory snapshot of the
   * filterable fields (search/snapshot.ts); off, everything runs in SQL (same results — both
   * modes pass the contract suite). `threads` (default 0): evaluate on that many worker threads
   * instead of this one (search/postgres/evaluator-pool.ts; the app's SEARCH_THREADS).
   */
  constructor(
    private readonly db: Db,
    private readonly options: { versionTtlMs?: number; cache?: boolean; memory?: boolean; threads?: number } = {},
  ) {
    this.needs = new PostgresNeedIndex(db);
    this.version = new IndexVersion(db, options.versionTtlMs ?? VERSION_TTL_MS);
    this.writer = new OfferIndexWriter(db, this.version);
    const threads = options.memory === false ? 0 : (options.threads ?? 0);
    this.pool = threads > 0 ? new EvaluatorPool(threads) : null;
    this.snapshots = new LiveSnapshot(db, this.version, this.pool === null);
    this.stats = this.snapshots.stats;
    const texts = new TextQueryBuilder(db, this.version);
    this.inMemory = new MemoryEvaluator(db, this.snapshots, texts, this.pool);
    this.textStats = this.inMemory.textStats;
    this.inSql = new SqlEvaluator(db, texts);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * Loads the in-memory snapshot ahead of the first search (production start), then analyses the
   * words people search first and fetches their matches, so that their first searches find them
   * in the caches.
   */
  async warm(): Promise<void> {
    if (this.options.memory === false) return;
    await this.inMemory.warm();
  }

  async index(_kind: DocumentKind, documents: OfferDocument[]): Promise<void> {
    const upserts = await this.writer.upsert(documents);
    await this.snapshots.applyOwnWrite(await this.writer.bump(documents.map((d) => d.id)), upserts, []);
  }

  async remove(_kind: DocumentKind, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.writer.delete(ids);
    await this.snapshots.applyOwnWrite(await this.writer.bump(ids), [], ids);
  }

  rebuild(_kind: DocumentKind, batches: AsyncIterable<OfferDocument[]>): Promise<{ count: number }> {
    return this.writer.rebuild(batches);
  }

  count(_kind: DocumentKind): Promise<number> {
    return this.writer.count();
  }

  async searchOffers(query: OfferSearch): Promise<OfferSearchResult> {
    return this.cached(`search|${JSON.stringify(query)}`, () => (this.options.memory === false ? this.inSql.search(query) : this.inMemory.search(query)));
  }

  async suggest(q: string, limit: number): Promise<string[]> {
    return this.cached(`suggest|${limit}|${q}`, () => this.inSql.suggest(q, limit));
  }

  async mapOffers(query: MapQuery): Promise<MapResult> {
    const grid = gridFor(query.bbox, query.zoom);
    const snapped: MapQuery = { ...query, bbox: grid.bbox };
    return this.cached(`map|${grid.cell}|${JSON.stringify(snapped)}`, async () => {
      if (this.options.memory === false) return mapInSql(this.db, snapped, grid.cell, await this.inSql.conditions(snapped));
      const { snapshot, evaluation } = await this.inMemory.evaluate(snapped);
      return mapFromSnapshot(this.db, snapped, grid.cell, snapshot, evaluation.matches);
    });
  }

  private async cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.options.cache === false) return compute();
    return this.cache.getOrCompute(`${await this.version.current()}|${key}`, compute, key) as Promise<T>;
  }
}
