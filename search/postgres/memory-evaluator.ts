import type { Db } from '../../db/client.js';
import { distanceKm } from '../../server/kernel/distance.js';
import { LruCache } from '../cache.js';
import { nearestFirst } from '../nearest.js';
import type { Evaluation, OfferSnapshot } from '../snapshot.js';
import { TextMatches, warmUpWords } from '../text-matches.js';
import type { MapQuery, OfferSearch, OfferSearchResult, StoredOffer } from '../types.js';
import type { EvaluatorPool } from './evaluator-pool.js';
import type { LiveSnapshot } from './live-snapshot.js';
import { storedOffers } from './stored-offers.js';
import type { TextQuery, TextQueryBuilder } from './tsquery.js';

/**
 * Searches on the in-memory snapshot (the default mode): the filters and facets are evaluated on
 * the snapshot's typed arrays, the text match is a list of ids from the GIN index, and only the
 * page's documents are read from the database.
 */
export class MemoryEvaluator {
  private readonly textMatchCache: TextMatches;
  /**
   * Filters evaluated on a snapshot, shared by every page, size and sort of the same filters
   * (weighed with the orders they may get); concurrent searches of the same filters share one evaluation.
   * Kept from the filters' second search on (a second page, a return), as the answers are: during
   * the first-time mix each evaluation kept lived long enough to reach the old generation, and the
   * event loop's longest delay was over 20 ms in 7 runs of 10 (11–26 ms), in 2 of 7 without them (12–25 ms).
   */
  private readonly evaluations = new LruCache<Evaluation>(500, { maxWeight: 6_000_000, weigh: (e) => 3 * e.matches.length + 100, repeatedOnly: true });

  /** `pool`: evaluation threads (search/postgres/evaluator-pool.ts); null evaluates on this thread. */
  constructor(
    private readonly db: Db,
    private readonly snapshots: LiveSnapshot,
    private readonly texts: TextQueryBuilder,
    private readonly pool: EvaluatorPool | null = null,
  ) {
    this.textMatchCache = new TextMatches(db, (from, to, limit) => snapshots.changedOffers(from, to, limit));
  }

  /** How text matches were found: groups read whole, and groups patched after writes. */
  get textStats(): TextMatches['stats'] {
    return this.textMatchCache.stats;
  }

  /** Starts the evaluation threads, analyses the words people search first and fetches their matches on the current snapshot. */
  async warm(): Promise<void> {
    const snapshot = await this.snapshots.current();
    await this.pool?.warm(snapshot);
    for (const word of warmUpWords()) {
      const text = await this.texts.build(word);
      if (text) await this.textMatches(text, snapshot);
    }
  }

  /** The filters of a search or map query evaluated on the current snapshot (cached per version and filters). */
  async evaluate(query: OfferSearch | MapQuery): Promise<{ snapshot: OfferSnapshot; text: TextQuery | null; evaluation: Evaluation }> {
    const text = await this.texts.build(query.q);
    const snapshot = await this.snapshots.current();
    const { sort: _sort, page: _page, perPage: _perPage, zoom: _zoom, ...filters } = query as Partial<OfferSearch & MapQuery>;
    const question = JSON.stringify(filters);
    const evaluation = await this.evaluations.getOrCompute(
      `${snapshot.version}|${question}`,
      async () => {
        const candidates = text ? await this.textMatches(text, snapshot) : null;
        // A thread also orders a text query's matches by relevance: most such searches ask for it.
        return this.pool ? this.pool.evaluate(snapshot, filters, candidates, text?.groups ?? null) : snapshot.evaluate(filters, candidates);
      },
      question,
    );
    return { snapshot, text, evaluation };
  }

  async search(query: OfferSearch): Promise<OfferSearchResult> {
    const { snapshot, text, evaluation } = await this.evaluate(query);
    const { matches, facets } = evaluation;
    // A count (0 per page) neither orders the matches nor reads a document.
    const pageIds = query.perPage === 0 ? [] : Array.from(this.pagePositions(query, snapshot, text, evaluation), (i) => snapshot.ids[i]!);
    const docs = await storedOffers(this.db, pageIds);
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

  /** The snapshot positions of the page asked for, in the order asked for. */
  private pagePositions(query: OfferSearch, snapshot: OfferSnapshot, text: TextQuery | null, evaluation: Evaluation): Int32Array {
    const { matches, distances } = evaluation;
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
    return ordered.subarray(offset, offset + query.perPage);
  }

  /**
   * The snapshot positions of the documents matching the text (GIN index, ids only), cached per
   * snapshot version and tsquery: every filter combination and page of the same words reuses them.
   */
  private textMatches(text: TextQuery, snapshot: OfferSnapshot): Promise<Int32Array> {
    return this.textMatchCache.positions(snapshot, text.tsquery, text.parts);
  }
}
