import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { emptyFacets, facetDefs, selectedValues, WORD_BITS, wordsOf } from '../facets.js';
import { facetNames, type OfferFilters, type OfferSearch, type OfferSearchResult, type StoredOffer } from '../types.js';
import { baseConditions, facetConditions } from './sql-filters.js';
import { storedOffer } from './stored-offers.js';
import type { TextQuery, TextQueryBuilder } from './tsquery.js';

/** Weights of D, C, B, A: title ≫ themes and sub-themes > summary > description and organisation. */
const RANK_WEIGHTS = '{0.1, 0.2, 0.4, 1.0}';

/**
 * Searches entirely in SQL (`{ memory: false }`): earthdistance box and exact recheck, GIN arrays,
 * one scan with `count(*) filter` per facet value, `ts_rank`. Same results as the in-memory mode.
 */
export class SqlEvaluator {
  constructor(
    private readonly db: Db,
    private readonly texts: TextQueryBuilder,
  ) {}

  async search(query: OfferSearch): Promise<OfferSearchResult> {
    const text = await this.texts.build(query.q);
    const base = baseConditions(query, text);
    const [counts, page] = await Promise.all([this.facetCounts(query, base), query.perPage === 0 ? [] : this.page(query, text, base)]);
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
    const where = [...base, ...facetConditions(query)];
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
      document: storedOffer(r.doc),
      distanceKm: r.distance === null ? null : Number(r.distance),
    }));
  }

  /** Every condition of a search or map query (text, places, facets), for the map's queries. */
  async conditions(query: OfferFilters & { q?: string }): Promise<SQL[]> {
    const text = await this.texts.build(query.q);
    return [...baseConditions(query, text), ...facetConditions(query)];
  }

  /** Titles matching the words, best ranked on the title first (both modes suggest in SQL). */
  async suggest(q: string, limit: number): Promise<string[]> {
    const text = await this.texts.build(q);
    if (!text) return [];
    const found = await rows<{ title: string }>(
      this.db,
      sql`select title from search_offers where tsv @@ ${text.tsquery}::tsquery
          order by ts_rank(${RANK_WEIGHTS}::float4[], setweight(to_tsvector('french', immutable_unaccent(title)), 'A'), ${text.tsquery}::tsquery) desc, id desc limit ${limit * 3}`,
    );
    return [...new Set(found.map((r) => r.title))].slice(0, limit);
  }
}
