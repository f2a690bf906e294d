import { offerPath, organisationPath } from '../../search/map-grid.js';
import type { Facets, OfferHit, OfferSearch, OfferSearchResult } from '../../search/types.js';
import { type Marks, starView } from '../favourites/favourites.usecases.js';
import * as taxonomy from '../kernel/taxonomy.js';
import { frenchStopWords, normalize } from '../kernel/text.js';
import { clipped, de, frenchDate } from '../lib/format.js';
import { mediaUrl, thumbnailKey } from '../offers/offers.view.js';
import type { PageState } from './catalogue.pages.js';

export function queryString(params: Record<string, string | string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  }
  return search.toString();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function matches(word: string, term: string): boolean {
  const w = normalize(word);
  if (w.length < 2 || term.length < 2 || frenchStopWords.has(w)) return false;
  if (w.startsWith(term)) return true;
  // Stemmed matches: "velos" for "velo", "lectures" for "lecture".
  const stem = Math.max(4, term.length - 2);
  return w.length >= stem && term.length >= stem && w.slice(0, stem) === term.slice(0, stem);
}

/** Escaped text with the matching words in <mark> (trusted HTML for <%~ %>). */
export function highlight(text: string, terms: string[]): string {
  if (terms.length === 0) return escapeHtml(text);
  return text
    .split(/([\p{L}\p{N}]+)/u)
    .map((part, index) => (index % 2 === 1 && terms.some((t) => matches(part, t)) ? `<mark>${escapeHtml(part)}</mark>` : escapeHtml(part)))
    .join('');
}

const labelOf = taxonomy.labelOf;

/** What the page adds to the search documents: the user's favourites and requests. */
export interface CardExtras {
  marks?: Marks | null;
}

/** What a result card shows, including why it matched. */
export function cardView(hit: OfferHit, result: OfferSearchResult, search: OfferSearch, extras: CardExtras = {}) {
  const offer = hit.document;
  const reasons: string[] = [];
  const subthemeLabels = offer.subthemes.map((s) => labelOf(taxonomy.subthemes, s));
  for (const label of subthemeLabels) {
    if (result.terms.some((t) => label.split(/[^\p{L}\p{N}]+/u).some((w) => matches(w, t)))) reasons.push(`sous-thème « ${label} »`);
  }
  const inTitleOrSummary = (text: string) => result.terms.some((t) => text.split(/[^\p{L}\p{N}]+/u).some((w) => matches(w, t)));
  if (result.terms.length && reasons.length === 0 && !inTitleOrSummary(`${offer.title} ${offer.summary}`)) {
    reasons.push(inTitleOrSummary(offer.orgName) ? `structure « ${offer.orgName} »` : 'description de l’offre');
  }
  for (const [typed, fixed] of Object.entries(result.corrections)) reasons.push(`« ${typed} » compris comme « ${fixed.join(' » ou « ')} »`);
  const comesToYou =
    search.near && offer.venue === 'dans-l-accueil' && offer.travelKm !== null && hit.distanceKm !== null && hit.distanceKm > search.near.radiusKm;
  if (comesToYou) reasons.push(`se déplace jusqu’à ${offer.travelKm} km de sa base`);
  return {
    id: offer.id,
    href: offerPath(offer),
    titleHtml: highlight(offer.title, result.terms),
    summaryHtml: highlight(offer.summary, result.terms),
    organisation: offer.orgName,
    organisationHref: organisationPath(offer),
    orgType: labelOf(taxonomy.orgTypes, offer.orgType),
    commune: offer.communeName,
    distance: hit.distanceKm === null ? null : hit.distanceKm < 10 ? hit.distanceKm.toFixed(1).replace('.', ',') : String(Math.round(hit.distanceKm)),
    ages: offer.ageMin === offer.ageMax ? `${offer.ageMin} ans` : `${offer.ageMin}–${offer.ageMax} ans`,
    themes: offer.themes.map((t) => labelOf(taxonomy.themes, t)),
    venue: labelOf(taxonomy.venues, offer.venue),
    price: labelOf(taxonomy.prices, offer.price),
    reasons,
    lat: offer.lat,
    lng: offer.lng,
    travelKm: offer.venue === 'dans-l-accueil' ? offer.travelKm : null,
    thumbUrl: offer.photoPath ? mediaUrl(thumbnailKey(offer.photoPath)) : null,
    thumbAlt: offer.photoAlt ?? '',
    ...personalParts(offer.id, offer.organisationId, offer.title, extras),
  };
}

function personalParts(offerId: number, partnerId: number, title: string, { marks }: CardExtras) {
  return {
    star: marks ? starView('offer', offerId, title, marks.favouriteOffers.has(offerId)) : null,
    contacted: Boolean(marks?.contactedOffers.has(offerId)),
    partnerContacted: Boolean(marks && !marks.contactedOffers.has(offerId) && marks.contactedPartners.has(partnerId)),
  };
}

const facetOrder: { name: keyof Facets; param: string; label: string; options: taxonomy.Option[] }[] = [
  { name: 'theme', param: 'theme', label: 'Thèmes', options: taxonomy.themes },
  { name: 'slot', param: 'slot', label: 'Créneau du mercredi', options: taxonomy.slots },
  { name: 'age_band', param: 'age_band', label: 'Tranches d’âge', options: taxonomy.ageBands },
  { name: 'format', param: 'format', label: 'Formats', options: taxonomy.formats },
  { name: 'venue', param: 'venue', label: 'Lieu de l’activité', options: taxonomy.venues },
  { name: 'price', param: 'price', label: 'Gratuit ou payant', options: taxonomy.prices },
  { name: 'accessibility', param: 'accessibility', label: 'Accessibilité : handicaps accueillis', options: taxonomy.accessibility },
  { name: 'org_type', param: 'org_type', label: 'Types de structure', options: taxonomy.orgTypes },
];

interface FacetOption {
  value: string;
  label: string;
  count: number;
  checked: boolean;
  /** Sub-themes under a theme, shown once the theme or one of them is ticked. */
  children?: FacetOption[];
}

/** Facet checkboxes: every value with its count (checked ones kept even at 0); sub-themes under their theme. */
export function facetGroups(facets: Facets, params: Record<string, string | string[]>) {
  const selectedSub = ([] as string[]).concat(params.subtheme ?? []);
  return facetOrder.map((group) => {
    const selected = ([] as string[]).concat(params[group.param] ?? []);
    const options: FacetOption[] = group.options
      .map((o) => ({ value: o.value, label: o.label, count: facets[group.name][o.value] ?? 0, checked: selected.includes(o.value) }))
      .filter((o) => o.count > 0 || o.checked || group.name === 'theme' || group.name === 'age_band' || group.name === 'slot');
    if (group.name === 'theme') {
      for (const option of options) {
        const children = (taxonomy.subthemesByTheme[option.value as taxonomy.Theme] ?? [])
          .map((s) => ({ value: s.value, label: s.label, count: facets.subtheme[s.value] ?? 0, checked: selectedSub.includes(s.value) }))
          .filter((s) => s.count > 0 || s.checked);
        if (option.checked || children.some((c) => c.checked)) option.children = children;
      }
    }
    return { ...group, options, collapsed: group.name === 'org_type' };
  });
}

const paramLabels: Record<string, taxonomy.Option[]> = {
  theme: taxonomy.themes,
  subtheme: taxonomy.subthemes,
  age_band: taxonomy.ageBands,
  format: taxonomy.formats,
  venue: taxonomy.venues,
  price: taxonomy.prices,
  accessibility: taxonomy.accessibility,
  org_type: taxonomy.orgTypes,
  nature: taxonomy.natures,
  slot: taxonomy.slots,
};

/** The active filters as links that remove them. */
export function filterChips(state: PageState, basePath: string) {
  const chips: { label: string; href: string; wayOut: string }[] = [];
  const push = (label: string, href: string, wayOut = `Sans le filtre ${label}`) => chips.push({ label, href, wayOut });
  const without = (key: string, value?: string) => {
    const next: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(state.params)) {
      if (k === 'page') continue;
      if (k === key && value === undefined) continue;
      if (k === key && Array.isArray(v)) next[k] = v.filter((x) => x !== value);
      else if (k === key && v === value) continue;
      else next[k] = v;
    }
    if (key === 'lieu' || key === 'accueil') {
      delete next.near;
      delete next.radius_km;
    }
    const qs = queryString(next);
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const withoutAll = (keys: string[]) => {
    const kept = Object.fromEntries(Object.entries(state.params).filter(([k]) => k !== 'page' && !keys.includes(k)));
    const qs = queryString(kept);
    return qs ? `${basePath}?${qs}` : basePath;
  };
  for (const [key, value] of Object.entries(state.params)) {
    if (paramLabels[key]) for (const v of [value].flat()) push(labelOf(paramLabels[key]!, v), without(key, v));
  }
  // Words or an age the page ignored stay in the form to be mended, but are no filter to remove.
  if (state.search.q) {
    const words = clipped(String(state.params.q));
    push(`« ${words} »`, without('q'), `Sans les mots « ${words} »`);
  }
  if (state.search.age !== undefined) push(`${state.search.age} ans`, without('age'), 'Sans l’âge');
  const range = state.search.ageRange;
  if (range) {
    const label =
      state.params.age_min && state.params.age_max
        ? `De ${range.min} à ${range.max} ans`
        : state.params.age_min
          ? `Dès ${range.min} ans`
          : `Jusqu’à ${range.max} ans`;
    push(label, withoutAll(['age_min', 'age_max']), 'Sans l’âge');
  }
  const period = state.search.period;
  if (period) {
    const label =
      period.from && period.to
        ? `Du ${frenchDate(period.from)} au ${frenchDate(period.to)}`
        : period.from
          ? `À partir du ${frenchDate(period.from)}`
          : `Jusqu’au ${frenchDate(period.to!)}`;
    push(label, withoutAll(['available_from', 'available_to']), 'Sans les dates');
  }
  if (state.comesToLabel) push(`Vient dans mon accueil (${state.comesToLabel})`, without('vient'), 'Sans le filtre Vient dans mon accueil');
  for (const e of state.search.epci ?? []) push(e.name, without('epci', e.code), `Sans le filtre ${e.name}`);
  if (state.params.bbox) push('Zone de la carte', without('bbox'), 'Hors de la zone de la carte');
  if (state.placeLabel && state.search.near) {
    push(`Autour ${de(state.placeLabel)} (${state.search.near.radiusKm} km)`, without(state.params.accueil ? 'accueil' : 'lieu'), 'Partout, sans le lieu');
  }
  return chips;
}

/** The API parameters equivalent to an engine query (for the map and the JSON link). */
export function apiParams(search: Partial<OfferSearch>, options: { paging?: boolean } = {}): Record<string, string | string[]> {
  const p: Record<string, string | string[]> = {};
  const lists: [keyof OfferSearch, string][] = [
    ['theme', 'theme'],
    ['subtheme', 'subtheme'],
    ['ageBand', 'age_band'],
    ['format', 'format'],
    ['venue', 'venue'],
    ['price', 'price'],
    ['accessibility', 'accessibility'],
    ['orgType', 'org_type'],
    ['nature', 'nature'],
    ['slot', 'slot'],
    ['department', 'department'],
    ['region', 'region'],
  ];
  if (search.epci?.length) p.epci = search.epci.map((e) => e.code);
  if (search.q) p.q = search.q;
  for (const [key, param] of lists) {
    const value = search[key] as string[] | undefined;
    if (value?.length) p[param] = value;
  }
  if (search.age !== undefined) p.age = String(search.age);
  if (search.ageRange) {
    if (search.ageRange.min > 0) p.age_min = String(search.ageRange.min);
    if (search.ageRange.max < 99) p.age_max = String(search.ageRange.max);
  }
  if (search.period?.from) p.available_from = search.period.from;
  if (search.period?.to) p.available_to = search.period.to;
  if (search.comesTo?.code) p.comes_to = search.comesTo.code;
  if (search.commune?.length) p.commune = search.commune.map((c) => c.code);
  if (search.near) {
    p.near = `${search.near.lat},${search.near.lng}`;
    p.radius_km = String(search.near.radiusKm);
  }
  if (search.bbox) p.bbox = [search.bbox.west, search.bbox.south, search.bbox.east, search.bbox.north].join(',');
  if (options.paging) {
    if (search.sort && search.sort !== 'relevance') p.sort = search.sort;
    if (search.page && search.page > 1) p.page = String(search.page);
  }
  return p;
}
