import { slugs } from '../server/kernel/taxonomy.js';
import { type FacetName, type Facets, facetNames, type OfferFilters } from './types.js';

/** Each facet: the filter it comes from, its values (bit i = values[i]) and its bit-mask column. */
export const facetDefs: Record<FacetName, { filter: keyof OfferFilters; values: readonly string[]; column: string }> = {
  theme: { filter: 'theme', values: slugs.theme, column: 'theme_bits' },
  age_band: { filter: 'ageBand', values: slugs.age_band, column: 'age_bits' },
  format: { filter: 'format', values: slugs.format, column: 'format_bits' },
  venue: { filter: 'venue', values: slugs.venue, column: 'venue_bits' },
  price: { filter: 'price', values: slugs.price, column: 'price_bits' },
  accessibility: { filter: 'accessibility', values: slugs.accessibility, column: 'access_bits' },
  org_type: { filter: 'orgType', values: slugs.org_type, column: 'org_bits' },
};

export function bitsOf(values: readonly string[], selected: readonly (string | null)[]): number {
  let bits = 0;
  for (const value of selected) {
    const index = value === null ? -1 : values.indexOf(value);
    if (index >= 0) bits |= 1 << index;
  }
  return bits;
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
