/**
 * Relevance without ts_rank over every match: the snapshot keeps, per offer, the lexemes of its
 * weighted fields (A title, B themes and sub-themes, C summary) as ids in a shared lexicon, and
 * a query is scored in memory from them. Each query group (a word with its synonyms and typo
 * corrections) scores the weight of the best field it appears in — title 1, themes 0.4, summary
 * 0.2, otherwise (description, organisation) 0.1, the weights ts_rank is given in SQL mode — and
 * the scores add up, like Meilisearch's "attribute" rule. Equal scores keep the recent order.
 */

import type { Ragged } from './shared-columns.js';

const FIELD_WEIGHTS = [1, 0.4, 0.2] as const;
const OTHER_FIELD_WEIGHT = 0.1;

/** The stemmed lexemes one query group may match: exactly, or as prefixes (the word being typed). */
export interface QueryGroup {
  exact: string[];
  prefixes: string[];
}

/** Lexemes interned as small integers, shared by every snapshot of an engine (append-only). */
export class Lexicon {
  private readonly index = new Map<string, number>();
  readonly words: string[] = [];

  idOf(word: string): number {
    let id = this.index.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.index.set(word, id);
    }
    return id;
  }

  find(word: string): number | undefined {
    return this.index.get(word);
  }
}

/** The lexemes of an offer's weighted fields (space-separated, as the snapshot query returns them). */
export interface FieldLexemes {
  lex_a: string | null;
  lex_b: string | null;
  lex_c: string | null;
}

/** Field lexemes → one Int32Array of (lexeme id << 2 | field index). */
export function encodeFields(lexicon: Lexicon, row: FieldLexemes): Int32Array {
  const terms: number[] = [];
  [row.lex_a, row.lex_b, row.lex_c].forEach((text, field) => {
    if (!text) return;
    for (const word of text.split(' ')) if (word) terms.push((lexicon.idOf(word) << 2) | field);
  });
  return Int32Array.from(terms);
}

/** One group of a parsed tsquery (`'velo':* | 'cyclism'`, `'art' <-> 'plastiqu'`) → its lexemes. */
export function parseGroup(tsquery: string): QueryGroup {
  const group: QueryGroup = { exact: [], prefixes: [] };
  for (const match of tsquery.matchAll(/'((?:[^']|'')*)'(:\*)?/g)) {
    const lexeme = match[1]!.replaceAll("''", "'");
    (match[2] ? group.prefixes : group.exact).push(lexeme);
  }
  return group;
}

/**
 * `matches` (positions in recent order) by score, highest first; equal scores keep their order.
 * `terms`: per position, its encodeFields terms.
 */
export function orderByRelevance(matches: Int32Array, terms: Ragged, lexicon: Lexicon, groups: QueryGroup[]): Int32Array {
  const live = groups.filter((g) => g.exact.length + g.prefixes.length > 0).slice(0, 31);
  if (live.length === 0) return matches;
  // Bit g of groupsOf[lexeme id] says that the lexeme answers group g.
  const groupsOf = new Int32Array(lexicon.words.length);
  live.forEach((group, g) => {
    for (const word of group.exact) {
      const id = lexicon.find(word);
      if (id !== undefined) groupsOf[id]! |= 1 << g;
    }
    if (group.prefixes.length === 0) return;
    lexicon.words.forEach((word, id) => {
      if (group.prefixes.some((prefix) => word.startsWith(prefix))) groupsOf[id]! |= 1 << g;
    });
  });
  const scores = new Float64Array(matches.length);
  const best = new Float64Array(live.length);
  for (let k = 0; k < matches.length; k++) {
    best.fill(OTHER_FIELD_WEIGHT);
    const position = matches[k]!;
    const end = terms.starts[position + 1]!;
    for (let t = terms.starts[position]!; t < end; t++) {
      const term = terms.values[t]!;
      let bits = groupsOf[term >> 2] ?? 0;
      if (bits === 0) continue;
      const weight = FIELD_WEIGHTS[term & 3]!;
      while (bits) {
        const g = 31 - Math.clz32(bits);
        if (weight > best[g]!) best[g] = weight;
        bits &= ~(1 << g);
      }
    }
    let score = 0;
    for (let g = 0; g < best.length; g++) score += best[g]!;
    scores[k] = score;
  }
  const order = Array.from(matches.keys());
  order.sort((a, b) => scores[b]! - scores[a]!);
  return Int32Array.from(order, (k) => matches[k]!);
}
