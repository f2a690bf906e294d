import { type Static, Type } from '@sinclair/typebox';
import { sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import { rows } from '../../db/client.js';
import type { NeedFacets, NeedFilters, NeedHit, NeedSearch, NeedSearchResult } from '../../search/need-index.js';
import { needPath } from '../../search/need-index.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { criterionMessage, forgetIgnoredCriteria, rangeEnds } from '../catalogue/catalogue.pages.js';
import { parseFilters } from '../catalogue/catalogue.query.js';
import { offerFilterProperties } from '../catalogue/catalogue.schemas.js';
import { apiParams, queryString } from '../catalogue/catalogue.view.js';
import type { Deps } from '../deps.js';
import * as taxonomy from '../kernel/taxonomy.js';
import { separator } from '../kernel/text.js';
import { clipped, de } from '../lib/format.js';
import { readLeniently } from '../lib/lenient-search.js';
import { applySearchPlace, settleRadius } from '../territories/search-place.js';
import { periodLabel } from './matching.view.js';
import type { AlertItem } from './saved-search-alerts.js';
import { formParams } from './saved-searches.js';

/** The query of the needs search page (/besoins): the offers' parameters that make sense for needs. */
const NeedsQuery = Type.Object(
  {
    q: offerFilterProperties.q,
    theme: offerFilterProperties.theme,
    subtheme: offerFilterProperties.subtheme,
    age: offerFilterProperties.age,
    age_band: offerFilterProperties.age_band,
    venue: offerFilterProperties.venue,
    accessibility: offerFilterProperties.accessibility,
    slot: offerFilterProperties.slot,
    near: offerFilterProperties.near,
    radius_km: offerFilterProperties.radius_km,
    bbox: offerFilterProperties.bbox,
    commune: offerFilterProperties.commune,
    department: offerFilterProperties.department,
    epci: offerFilterProperties.epci,
    region: offerFilterProperties.region,
    sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('distance'), Type.Literal('recent')])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
type NeedsQueryType = Static<typeof NeedsQuery>;

const NEEDS_PER_PAGE = 20;

/** Schema-valid parameters → need filters (places checked like the offers search does). */
async function parseNeedFilters(deps: Deps, raw: NeedsQueryType): Promise<NeedFilters> {
  const filters = await parseFilters(deps, raw);
  const kept: NeedFilters = {
    q: filters.q,
    theme: filters.theme,
    subtheme: filters.subtheme,
    age: filters.age,
    ageBand: filters.ageBand,
    venue: filters.venue,
    accessibility: filters.accessibility,
    slot: filters.slot,
    near: filters.near,
    bbox: filters.bbox,
    commune: filters.commune,
    department: filters.department,
    epci: filters.epci,
    region: filters.region,
  };
  return Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as NeedFilters;
}

async function parseNeedSearch(deps: Deps, raw: NeedsQueryType, perPage = NEEDS_PER_PAGE): Promise<NeedSearch> {
  return { ...(await parseNeedFilters(deps, raw)), sort: raw.sort ?? 'relevance', page: raw.page ?? 1, perPage };
}

/** Open needs matching a saved search (read like the needs page reads its form), posted after `since`, newest first. */
export async function findNewNeeds(deps: Deps, user: CurrentUser, query: string, since: Date): Promise<AlertItem[]> {
  const state = await readNeedSearchForm(deps, user, formParams(query));
  if (state.error) return [];
  const found: AlertItem[] = [];
  for (let page = 1; page <= 4; page++) {
    const result = await deps.search.needs.search({ ...state.search, sort: 'recent', page, perPage: 50 });
    for (const hit of result.items) {
      const doc = hit.document;
      if (new Date(doc.createdAt) <= since) return found;
      found.push({ id: doc.id, title: doc.title, path: needPath(doc), detail: [doc.acmName, doc.communeName].filter(Boolean).join(separator) });
    }
    if (result.items.length < 50) break;
  }
  return found;
}

const listKeys = ['theme', 'subtheme', 'age_band', 'venue', 'accessibility', 'slot', 'commune', 'department', 'epci', 'region'];
export const RADII = [5, 10, 20, 30, 50, 100];

interface NeedPageState {
  /** Parameters as the URL carries them (API names plus lieu / structure). */
  params: Record<string, string | string[]>;
  search: NeedSearch;
  placeLabel: string | null;
  error: string | null;
  /** The parameter the error is about, when a filter of the URL is invalid (the map's JSON answers 400 naming it). */
  parameter?: string;
}

/** The partner structures of a user that have a place (the "autour de ma structure" choice). */
export async function partnerPlaces(deps: Deps, user: CurrentUser) {
  const ids = user.memberships.filter((m) => m.kind === 'partner').map((m) => m.organisationId);
  if (ids.length === 0) return [];
  return rows<{ id: number; name: string; lat: number; lng: number }>(
    deps.db,
    sql`select id, name, lat, lng from organisations where id = any(${sql.param(ids)}::int[]) and lat is not null and lng is not null order by ${byFrenchName(sql`name`)}`,
  );
}

/** Reads the needs search form like the offers page reads its own: a typed place ("lieu") or one of the user's structures ("structure"). */
export async function readNeedSearchForm(deps: Deps, user: CurrentUser, raw: Record<string, string | string[]>): Promise<NeedPageState> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length) params[key] = listKeys.includes(key) ? values : values[0]!;
  }
  let placeLabel: string | null = null;
  let error: string | null = null;
  const api: Record<string, unknown> = {};
  for (const key of Object.keys(NeedsQuery.properties)) if (params[key] !== undefined) api[key] = params[key];
  if (params.structure) {
    const place = (await partnerPlaces(deps, user)).find((p) => String(p.id) === params.structure);
    if (place) {
      api.near = `${place.lat},${place.lng}`;
      placeLabel = place.name;
    }
  } else {
    const place = await applySearchPlace(deps.db, params, api);
    placeLabel = place.label;
    error = place.error ?? error;
  }
  const read = await readLeniently({
    schema: NeedsQuery,
    params: api,
    parse: (valid) => parseNeedSearch(deps, valid),
    settle: settleRadius,
    dropsWith: rangeEnds,
    message: criterionMessage,
    fallback: { sort: 'relevance', page: 1, perPage: NEEDS_PER_PAGE } as NeedSearch,
  });
  const { search } = read;
  error = read.error ?? error;
  forgetIgnoredCriteria(params, read.dropped);
  const parameter = read.parameter;
  return { params, search, placeLabel, error, ...(parameter ? { parameter } : {}) };
}

const facetOrder: { name: keyof NeedFacets; param: string; label: string; options: taxonomy.Option[] }[] = [
  { name: 'theme', param: 'theme', label: 'Thèmes', options: taxonomy.themes },
  { name: 'age_band', param: 'age_band', label: 'Tranches d’âge', options: taxonomy.ageBands },
  { name: 'slot', param: 'slot', label: 'Créneaux', options: taxonomy.slots },
  { name: 'venue', param: 'venue', label: 'Lieu accepté', options: taxonomy.venues },
  { name: 'accessibility', param: 'accessibility', label: 'Handicaps à accueillir', options: taxonomy.accessibility },
];

/** Facet groups in the shape of the catalogue's facets partial. */
function needFacetGroups(facets: NeedFacets, params: Record<string, string | string[]>) {
  return facetOrder.map((group) => {
    const selected = ([] as string[]).concat(params[group.param] ?? []);
    const options = group.options.map((o) => ({
      value: o.value,
      label: o.label,
      count: facets[group.name][o.value] ?? 0,
      checked: selected.includes(o.value),
    }));
    return {
      ...group,
      options: options.filter((o) => o.count > 0 || o.checked || group.name === 'theme' || group.name === 'age_band'),
      collapsed: group.name === 'accessibility',
    };
  });
}

const labelOf = taxonomy.labelOf;

function needCardView(hit: NeedHit) {
  const doc = hit.document;
  return {
    id: doc.id,
    href: needPath(doc),
    title: doc.title,
    acmName: doc.acmName,
    commune: doc.communeName,
    distance: hit.distanceKm === null ? null : hit.distanceKm < 10 ? hit.distanceKm.toFixed(1).replace('.', ',') : String(Math.round(hit.distanceKm)),
    ages: doc.ageMin === doc.ageMax ? `${doc.ageMin} ans` : `${doc.ageMin}–${doc.ageMax} ans`,
    activities: doc.subthemes.length ? doc.subthemes.map((s) => labelOf(taxonomy.subthemes, s)) : doc.themes.map((t) => labelOf(taxonomy.themes, t)),
    slots: doc.slots.map((s) => labelOf(taxonomy.slots, s)),
    groupSize: doc.groupSize,
    period: periodLabel(doc.startDate, doc.endDate),
    lat: doc.lat,
    lng: doc.lng,
  };
}

const chipLabels: Record<string, taxonomy.Option[]> = {
  theme: taxonomy.themes,
  subtheme: taxonomy.subthemes,
  age_band: taxonomy.ageBands,
  venue: taxonomy.venues,
  accessibility: taxonomy.accessibility,
  slot: taxonomy.slots,
};

/** The active filters as links that remove them. */
function needFilterChips(state: NeedPageState) {
  const without = (key: string, value?: string) => {
    const next: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(state.params)) {
      if (k === 'page' || (k === key && value === undefined)) continue;
      if (k === key && Array.isArray(v)) next[k] = v.filter((x) => x !== value);
      else if (!(k === key && v === value)) next[k] = v;
    }
    if (key === 'lieu' || key === 'structure') {
      delete next.near;
      delete next.radius_km;
    }
    const qs = queryString(next);
    return qs ? `/besoins?${qs}` : '/besoins';
  };
  const chips: { label: string; href: string }[] = [];
  for (const [key, value] of Object.entries(state.params)) {
    if (chipLabels[key]) for (const v of [value].flat()) chips.push({ label: labelOf(chipLabels[key]!, v), href: without(key, v) });
  }
  // Words or an age the page ignored stay in the form to be mended, but are no filter to remove.
  if (state.search.q) chips.push({ label: `« ${clipped(String(state.params.q))} »`, href: without('q') });
  if (state.search.age !== undefined) chips.push({ label: `${state.search.age} ans`, href: without('age') });
  if (state.params.bbox) chips.push({ label: 'Zone de la carte', href: without('bbox') });
  for (const e of state.search.epci ?? []) chips.push({ label: e.name, href: without('epci', e.code) });
  if (state.placeLabel && state.search.near) {
    chips.push({ label: `Autour ${de(state.placeLabel)} (${state.search.near.radiusKm} km)`, href: without(state.params.structure ? 'structure' : 'lieu') });
  }
  return chips;
}

/** Everything the needs search page and its htmx fragment show. */
export function needResultsData(state: NeedPageState, result: NeedSearchResult) {
  const pages = Math.max(1, Math.ceil(result.total / result.perPage));
  const { page: _page, ...withoutPage } = state.params;
  return {
    state,
    result,
    cards: result.items.map(needCardView),
    facetGroups: needFacetGroups(result.facets, state.params),
    chips: needFilterChips(state),
    pages,
    pageHref: (page: number) => `/besoins?${queryString({ ...withoutPage, ...(page > 1 ? { page: String(page) } : {}) })}`,
    mapQuery: queryString(apiParams(state.search)),
  };
}
