import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { LruCache } from '../cache.js';
import { parseGroup, type QueryGroup } from '../relevance.js';
import { editDistance, queryUnits, queryWords, type SynonymMap, sortedLetters, typoBudget } from '../text.js';
import type { IndexVersion } from './index-version.js';

export interface TextQuery {
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
 * Builds the tsquery of a search text with the `search_words` lexicon (typo corrections, the last
 * word's completions) and `search_synonyms`; cached per index version and words.
 */
export class TextQueryBuilder {
  private readonly cache = new LruCache<TextQuery | null>(5000);
  private synonyms: { map: SynonymMap; readAt: number } | null = null;

  constructor(
    private readonly db: Db,
    private readonly version: IndexVersion,
  ) {}

  private async synonymMap(): Promise<SynonymMap> {
    if (this.synonyms && performance.now() - this.synonyms.readAt < 60_000) return this.synonyms.map;
    const found = await rows<{ term: string; expansion: string }>(this.db, sql`select term, expansion from search_synonyms order by term, expansion`);
    const map: SynonymMap = new Map();
    for (const { term, expansion } of found) map.set(term, [...(map.get(term) ?? []), expansion]);
    this.synonyms = { map, readAt: performance.now() };
    return map;
  }

  /** q → a tsquery: AND of the words, each OR its synonyms and typo corrections, the last one as a prefix. */
  async build(q: string | undefined): Promise<TextQuery | null> {
    const words = queryWords(q);
    if (words.length === 0) return null;
    const key = `${await this.version.current()}|${words.join(' ')}`;
    const hit = this.cache.get(key);
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
    this.cache.set(key, result);
    return result;
  }
}
