import { slugs, subthemes } from '../../server/kernel/taxonomy.js';

/**
 * Adds the filters directors use (issue 11) to a search query string of the first-time mix:
 * Wednesday slot, sub-theme of the chosen theme, age range, availability period, price and
 * accessibility, each on part of the requests, so that the bench measures them too.
 */
export function withDirectorFilters(query: string, r: () => number): string {
  const params = new URLSearchParams(query);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  if (r() < 0.3) params.set('slot', pick(slugs.slot));
  const theme = params.get('theme');
  const children = theme ? subthemes.filter((s) => s.theme === theme) : [];
  if (children.length && r() < 0.3) params.set('subtheme', pick(children).value);
  if (r() < 0.3) {
    params.delete('age');
    const min = 3 + Math.floor(r() * 10);
    params.set('age_min', String(min));
    params.set('age_max', String(Math.min(17, min + 1 + Math.floor(r() * 4))));
  }
  if (r() < 0.2) {
    const month = 1 + Math.floor(r() * 6);
    params.set('available_from', `2027-${String(month).padStart(2, '0')}-01`);
    params.set('available_to', `2027-${String(month + 2).padStart(2, '0')}-28`);
  }
  if (r() < 0.2) params.set('price', pick(slugs.price));
  if (r() < 0.1) params.set('accessibility', pick(slugs.accessibility));
  return params.toString();
}
