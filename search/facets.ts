import { slugs } from '../server/kernel/taxonomy.js';
import { type FacetName, type Facets, facetNames, type OfferFilters } from './types.js';

/** Values per bit-mask word: a facet with more values (sub-themes) spans several words and columns. */
export const WORD_BITS = 31;

/**
 * Each facet: the filter it comes from, its values (value i = bit i % 31 of word i / 31) and its
 * bit-mask columns, one per word.
 */
export const facetDefs: Record<FacetName, { filter: keyof OfferFilters; values: readonly string[]; columns: readonly string[] }> = {
  theme: { filter: 'theme', values: slugs.theme, columns: ['theme_bits'] },
  subtheme: { filter: 'subtheme', values: slugs.subtheme, columns: ['subtheme_bits', 'subtheme_bits2'] },
  age_band: { filter: 'ageBand', values: slugs.age_band, columns: ['age_bits'] },
  format: { filter: 'format', values: slugs.format, columns: ['format_bits'] },
  venue: { filter: 'venue', values: slugs.venue, columns: ['venue_bits'] },
  price: { filter: 'price', values: slugs.price, columns: ['price_bits'] },
  accessibility: { filter: 'accessibility', values: slugs.accessibility, columns: ['access_bits'] },
  org_type: { filter: 'orgType', values: slugs.org_type, columns: ['org_bits'] },
  slot: { filter: 'slot', values: slugs.slot, columns: ['slot_bits'] },
};

/** Every bit-mask column, facet after facet (the snapshot keeps them in this order). */
export const facetColumns: { facet: number; word: number; column: string }[] = facetNames.flatMap((name, facet) =>
  facetDefs[name].columns.map((column, word) => ({ facet, word, column })),
);

/** The mask of one word (bit i = values[word * 31 + i]); values outside the taxonomy are ignored. */
export function bitsOf(values: readonly string[], selected: readonly (string | null)[], word = 0): number {
  let bits = 0;
  for (const value of selected) {
    const index = value === null ? -1 : values.indexOf(value) - word * WORD_BITS;
    if (index >= 0 && index < WORD_BITS) bits |= 1 << index;
  }
  return bits;
}

/** The masks of every word of a facet. */
export function wordsOf(name: FacetName, selected: readonly (string | null)[]): number[] {
  const def = facetDefs[name];
  return def.columns.map((_column, word) => bitsOf(def.values, selected, word));
}

/** Every facet with every value at 0 (the response lists all values, in taxonomy order). */
export function emptyFacets(): Facets {
  const facets = {} as Facets;
  for (const name of facetNames) facets[name] = Object.fromEntries(facetDefs[name].values.map((v) => [v, 0]));
  return facets;
}

export function selectedValues(filters: OfferFilters, name: FacetName): string[] {
  const value = filters[facetDefs[name].filter];
  return Array.isArray(value) ? (value as string[]) : [];
}
