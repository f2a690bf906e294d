import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { slugs, subthemes, themes } from '../server/kernel/taxonomy.js';
import { LruCache } from './cache.js';
import { intersectSorted } from './geo-grid.js';
import type { OfferSnapshot } from './snapshot.js';
import { lexiconWords } from './text.js';

/** More offers written than this since a group's ids were read: read them again rather than patch them. */
const PATCH_LIMIT = 2_000;

/** The offers written between two index versions, or null when the change log cannot tell. */
export type ChangedOffers = (from: number, to: number, limit: number) => Promise<Set<number> | null>;

/**
 * Full-text matches as snapshot positions, cached per snapshot version and per query group (a
 * word with its synonyms, corrections and completions): a tsquery is the AND of its groups, so
 * its matches are the intersection of theirs, and "atelier judo" reuses "judo" and "atelier".
 * Concurrent requests for the same group share one GIN query. A group's matching ids outlive
 * the version: after a write, only the offers written since are checked again, instead of one
 * GIN query per word (hundreds of milliseconds at a million offers) after every write.
 */
export class TextMatches {
  private readonly cache = new LruCache<Int32Array>(2000, { maxWeight: 6_000_000, weigh: (positions) => positions.length + 16 });
  /** Per group, the ids matching it when last read, and the index version they are valid for. */
  private readonly matchingIds = new LruCache<{ version: number; ids: Int32Array }>(2000, {
    maxWeight: 3_000_000,
    weigh: (entry) => entry.ids.length + 16,
  });
  /** The offers written between two versions, read once for all the groups brought from one to the other. */
  private readonly changesBetween = new LruCache<Set<number> | null>(64);
  /** Groups read whole (a GIN query over the index), and groups brought to a newer version by checking only the offers written since. */
  readonly stats = { reads: 0, patches: 0 };

  constructor(
    private readonly db: Db,
    private readonly changedOffers: ChangedOffers,
  ) {}

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
    positions = shared(positions);
    this.cache.set(key, positions);
    return positions;
  }

  private groupPositions(snapshot: OfferSnapshot, part: string): Promise<Int32Array> {
    return this.cache.getOrCompute(`${snapshot.version}|${part}`, async () => snapshot.positionsOf(await this.idsAt(snapshot.version, part)));
  }

  /** The ids matching a group at `version`: patched from an older version's when the change log allows, read whole otherwise. */
  private async idsAt(version: number, part: string): Promise<Int32Array> {
    const known = this.matchingIds.get(part);
    if (known?.version === version) return known.ids;
    const changed =
      known && known.version < version
        ? await this.changesBetween.getOrCompute(`${known.version}|${version}`, () => this.changedOffers(known.version, version, PATCH_LIMIT))
        : null;
    let ids: Int32Array;
    if (known && changed) {
      this.stats.patches++;
      const again = changed.size > 0 ? await this.idsMatching(part, [...changed]) : [];
      ids = Int32Array.from([...known.ids.filter((id) => !changed.has(id)), ...again]);
    } else {
      this.stats.reads++;
      ids = Int32Array.from(await this.idsMatching(part, null));
    }
    const latest = this.matchingIds.get(part);
    if (!latest || latest.version < version) this.matchingIds.set(part, { version, ids });
    return ids;
  }

  /** The ids of the indexed offers matching a group's tsquery, among `among` when given. */
  private async idsMatching(part: string, among: number[] | null): Promise<number[]> {
    // One string rather than thousands of rows: parsing rows would cost more than the query.
    const [found] = await rows<{ ids: string | null }>(
      this.db,
      among
        ? sql`select string_agg(id::text, ',') as ids from search_offers where id = any(${sql.param(among)}::int[]) and tsv @@ ${part}::tsquery`
        : sql`select string_agg(id::text, ',') as ids from search_offers where tsv @@ ${part}::tsquery`,
    );
    return found?.ids ? found.ids.split(',').map(Number) : [];
  }
}

/** Words people search first: those of the theme and sub-theme labels and slugs ("danse", "theatre", "musique"). */
export function warmUpWords(): string[] {
  const texts = [...themes.map((t) => t.label), ...subthemes.map((s) => s.label), ...slugs.subtheme.map((s) => s.replaceAll('-', ' '))];
  return [...new Set(texts.flatMap(lexiconWords))].filter((word) => word.length >= 4);
}

/**
 * The positions in shared memory: every search with these words posts them to an evaluation
 * thread, and a thousands-long list copied at each post cost the main thread more than the rest
 * of the message.
 */
function shared(positions: Int32Array): Int32Array {
  if (positions.buffer instanceof SharedArrayBuffer) return positions;
  const copy = new Int32Array(new SharedArrayBuffer(positions.byteLength));
  copy.set(positions);
  return copy;
}
