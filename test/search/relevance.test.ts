import { describe, expect, it } from 'vitest';
import { encodeFields, Lexicon, orderByRelevance, parseGroup } from '../../search/relevance.js';
import { type Ragged, RaggedBuilder } from '../../search/shared-columns.js';

function raggedOf(rows: Int32Array[]): Ragged {
  const builder = new RaggedBuilder(rows.length);
  rows.forEach((row, i) => {
    builder.push(i, row);
  });
  return builder.finish();
}

describe('in-memory relevance', () => {
  it('reads the exact and prefix lexemes of a parsed tsquery group, quotes included', () => {
    expect(parseGroup("'velo':* | 'cyclism'")).toEqual({ exact: ['cyclism'], prefixes: ['velo'] });
    expect(parseGroup("'art' <-> 'plastiqu'")).toEqual({ exact: ['art', 'plastiqu'], prefixes: [] });
    expect(parseGroup("'l''ecol'")).toEqual({ exact: ["l'ecol"], prefixes: [] });
    expect(parseGroup('')).toEqual({ exact: [], prefixes: [] });
  });

  it('puts title matches first, adds up the groups, and keeps the given order for equal scores', () => {
    const lexicon = new Lexicon();
    // Positions in recent order: 0 is the most recent.
    const fields = [
      { lex_a: 'balad', lex_b: null, lex_c: 'judo' }, // judo in the summary only
      { lex_a: 'ateli judo', lex_b: 'sport', lex_c: null }, // both words in the title
      { lex_a: 'judo', lex_b: null, lex_c: 'ateli' }, // judo in the title, atelier in the summary
      { lex_a: 'judo', lex_b: null, lex_c: null }, // judo in the title, atelier elsewhere (description)
      { lex_a: 'judoka', lex_b: null, lex_c: null }, // a prefix match in the title
    ].map((row) => encodeFields(lexicon, row));
    const terms = raggedOf(fields);
    const groups = [parseGroup("'ateli'"), parseGroup("'judo':*")];
    const order = orderByRelevance(Int32Array.of(0, 1, 2, 3, 4), terms, lexicon, groups);
    expect([...order]).toEqual([1, 2, 3, 4, 0]);
  });

  it('leaves the order alone when the query has no lexeme', () => {
    const lexicon = new Lexicon();
    const fields = [encodeFields(lexicon, { lex_a: 'judo', lex_b: null, lex_c: null })];
    expect([...orderByRelevance(Int32Array.of(0), raggedOf(fields), lexicon, [parseGroup('')])]).toEqual([0]);
  });
});
