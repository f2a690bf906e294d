import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { slugs, subthemes, themes } from '../server/kernel/taxonomy.js';
import { LruCache } from './cache.js';
import { intersectSorted } from './geo-grid.js';
import type { OfferSnapshot } from './snapshot.js';
import { lexiconWords } from './text.js';

/**
 * Full-text matches as snapshot positions, cached per snapshot version and per query group (a
 * word with its synonyms, corrections and completions): a tsquery is the AND of its groups, so
 * its matches are the intersection of theirs, and "atelier judo" reuses "judo" and "atelier".
 * Concurrent requests for the same group share one GIN query.
 */
export class TextMatches {
  private readonly cache = new LruCache<Int32Array>(2000, { maxWeight: 6_000_000, weigh: (positions) => positions.length + 16 });

  constructor(private readonly db: Db) {}

  /** `parts`: the tsquery of each group (empty ones, all stop words, are left out as in the whole tsquery). */
  async positions(snapshot: OfferSnapshot, tsquery: string, parts: string[]): Promise<Int32Array> {
    const key = `${snapshot.version}|${tsquery}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const groups = parts.filter((part) => part.trim() !== '');
    const lists = await Promise.all((groups.length > 0 ? groups : [tsquery]).map((part) => this.groupPositions(snapshot, part)));
    lists.sort((a, b) => a.length - b.length);
    let positions = lists[0]!;
    for (const list of lists.slice(1)) positions = intersectSorted(positions, list);
    this.cache.set(key, positions);
    return positions;
  }

  private groupPositions(snapshot: OfferSnapshot, part: string): Promise<Int32Array> {
    return this.cache.getOrCompute(`${snapshot.version}|${part}`, async () => {
      // One string rather than thousands of rows: parsing rows would cost more than the query.
      const [found] = await rows<{ ids: string | null }>(
        this.db,
        sql`select string_agg(id::text, ',') as ids from search_offers where tsv @@ ${part}::tsquery`,
      );
      return snapshot.positionsOf(found?.ids ? found.ids.split(',').map(Number) : []);
    });
  }
}

/** Words people search first: those of the theme and sub-theme labels and slugs ("danse", "theatre", "musique"). */
export function warmUpWords(): string[] {
  const texts = [...themes.map((t) => t.label), ...subthemes.map((s) => s.label), ...slugs.subtheme.map((s) => s.replaceAll('-', ' '))];
  return [...new Set(texts.flatMap(lexiconWords))].filter((word) => word.length >= 4);
}
