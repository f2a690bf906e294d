import type { FastifyRequest } from 'fastify';
import type { OfferSearch, OfferSearchResult } from '../../search/types.js';
import type { Deps } from '../deps.js';
import { marksFor } from '../favourites/favourites.usecases.js';
import * as taxonomy from '../kernel/taxonomy.js';
import type { ParameterError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { type Dropped, readLeniently, SearchFormQuery } from '../lib/lenient-search.js';
import { recordUnmetSearch } from '../observatory/unmet-demand.js';
import { applySearchPlace, settleRadius } from '../territories/search-place.js';
import type { App } from '../types.js';
import { parseOfferSearch } from './catalogue.query.js';
import { acmPlaces } from './catalogue.repository.js';
import { OffersQuery } from './catalogue.schemas.js';
import { apiParams, type CardExtras, cardView, facetGroups, filterChips, queryString } from './catalogue.view.js';

const listKeys = [
  'theme',
  'subtheme',
  'age_band',
  'format',
  'venue',
  'price',
  'accessibility',
  'org_type',
  'nature',
  'slot',
  'commune',
  'department',
  'epci',
  'region',
];
const RADII = [5, 10, 20, 30, 50, 100];
const pageMessages: Record<string, string> = {
  age_max: 'Âge des enfants\u00a0: le second âge doit être au moins égal au premier. Le critère a été ignoré.',
  available_from: 'Disponible du\u00a0: cette date n’existe pas. Le critère a été ignoré.',
  available_to: 'Disponible au\u00a0: la date de fin doit suivre la date de début. Le critère a été ignoré.',
};
/** The page's names of the parameters, for its messages. */
const pageLabels: Record<string, string> = {
  q: 'mots-clés',
  theme: 'thème',
  subtheme: 'sous-thème',
  age_band: 'tranche d’âge',
  format: 'format',
  venue: 'lieu de l’activité',
  price: 'gratuit ou payant',
  accessibility: 'accessibilité',
  org_type: 'type de structure',
  nature: 'nature du partenariat',
  slot: 'créneau du mercredi',
  age_min: 'âge de',
  age_max: 'âge jusqu’à',
  available_from: 'disponible à partir du',
  available_to: 'disponible jusqu’au',
  age: 'âge',
  radius_km: 'rayon',
  // Parameters a link or a hand-edited address can carry wrong: named as the page names them.
  near: 'lieu',
  bbox: 'zone de la carte',
  comes_to: 'vient dans mon accueil',
  sort: 'trier par',
  page: 'page',
  per_page: 'offres par page',
  department: 'département',
  region: 'région',
  epci: 'intercommunalité',
  commune: 'commune',
};
/** What a criterion must look like, for the page's message when a link carries it malformed (`near=abc`). */
const expectedForms: Record<string, string> = {
  near: 'point attendu sous la forme « latitude,longitude » (ex.\u00a045.76,4.83)',
  bbox: 'zone attendue sous la forme « ouest,sud,est,nord »',
  radius_km: 'nombre de kilomètres jusqu’à 1000 attendu',
  comes_to: 'code INSEE de commune attendu (ex.\u00a069123)',
  commune: 'code INSEE de commune attendu (ex.\u00a069123)',
  department: 'code de département attendu (ex.\u00a069, 2A ou 974)',
  region: 'code de région à 2 chiffres attendu (ex.\u00a084)',
  epci: 'numéro SIREN à 9 chiffres attendu',
  available_from: 'date attendue sous la forme AAAA-MM-JJ',
  available_to: 'date attendue sous la forme AAAA-MM-JJ',
};

/** The pairs a search page reads as one criterion: an impossible range is ignored whole. */
export const rangeEnds = { age_max: ['age_min'], available_to: ['available_from'] } as const;

/** Criteria a person types: kept in the form when ignored, so that they can be mended. */
const typedCriteria = new Set(['q', 'age', 'age_min', 'age_max', 'available_from', 'available_to']);

/** Forgets the ignored criteria a link brought (a sort, a page, a place), so that the page's links and form do not carry them on. */
export function forgetIgnoredCriteria(params: Record<string, string | string[]>, dropped: readonly Dropped[]): void {
  for (const { parameter, value } of dropped) {
    const list = params[parameter];
    if (value !== undefined && Array.isArray(list)) params[parameter] = list.filter((v) => v !== value);
    else if (!typedCriteria.has(parameter)) delete params[parameter];
  }
}

/** What a search page says of a criterion it ignores, in the page's own words (offers and needs); a no-break space keeps each colon on its word's line. */
export function criterionMessage(parameter: string, failure: ParameterError | null): string {
  const label = pageLabels[parameter] ?? parameter;
  if (!failure) {
    const expected = expectedForms[parameter];
    return expected ? `Le critère « ${label} » a été ignoré\u00a0: ${expected}.` : `Le critère « ${label} » n’est pas valide\u00a0: il a été ignoré.`;
  }
  return pageMessages[parameter] ?? `Le critère « ${label} » a été ignoré\u00a0: ${failure.reason}.`;
}

export interface PageState {
  /** Parameters as the URL carries them (API names plus lieu / accueil). */
  params: Record<string, string | string[]>;
  search: OfferSearch;
  placeLabel: string | null;
  /** The ACM of « Vient dans mon accueil », when ticked. */
  comesToLabel: string | null;
  error: string | null;
}

/** Reads the search form: API parameters plus a typed place ("lieu") or the ACM of the user ("accueil"). */
export async function readSearchForm(deps: Deps, request: FastifyRequest, raw: Record<string, string | string[]>): Promise<PageState> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) continue;
    params[key] = listKeys.includes(key) ? values : values[0]!;
  }
  let placeLabel: string | null = null;
  let error: string | null = null;
  const api: Record<string, unknown> = {};
  for (const key of Object.keys(OffersQuery.properties)) if (params[key] !== undefined) api[key] = params[key];

  const accueil = Number(params.accueil);
  const myAcms = request.user
    ? await acmPlaces(
        deps.db,
        request.user.memberships.filter((m) => m.kind === 'acm').map((m) => m.organisationId),
      )
    : [];
  let comesToLabel: string | null = null;
  if (params.vient) {
    // The ACM chosen as the place, or else the first of the user's ACMs.
    const acm = myAcms.find((a) => a.id === accueil) ?? myAcms[0];
    if (!acm) error = 'Connectez-vous avec le compte d’un accueil pour voir les offres qui viennent dans votre accueil.';
    else if (!acm.codeInsee) error = `La commune ${formatters.de(acm.name)} n’est pas renseignée : complétez son adresse pour voir les offres qui y viennent.`;
    else {
      api.comes_to = acm.codeInsee;
      comesToLabel = acm.name;
    }
  }
  if (params.accueil && request.user) {
    const acm = myAcms.find((a) => a.id === accueil);
    if (acm) {
      api.near = `${acm.lat},${acm.lng}`;
      placeLabel = acm.name;
    }
  } else {
    const place = await applySearchPlace(deps.db, params, api);
    placeLabel = place.label;
    error = place.error ?? error;
  }
  const {
    search,
    error: rejected,
    dropped,
  } = await readLeniently({
    schema: OffersQuery,
    params: api,
    parse: (valid) => parseOfferSearch(deps, valid),
    settle: settleRadius,
    dropsWith: rangeEnds,
    message: criterionMessage,
    fallback: { sort: 'relevance', page: 1, perPage: 20 } as OfferSearch,
  });
  error = rejected ?? error;
  forgetIgnoredCriteria(params, dropped);
  return { params, search, placeLabel, comesToLabel: search.comesTo ? comesToLabel : null, error };
}

/** Stars and "déjà contacté" for ACM members (the thumbnails come with the search documents). */
export async function cardExtras(deps: Deps, request: FastifyRequest, result: OfferSearchResult): Promise<CardExtras> {
  const offerIds = result.items.map((hit) => hit.document.id);
  const partnerIds = [...new Set(result.items.map((hit) => hit.document.organisationId))];
  return { marks: await marksFor(deps, request.user, offerIds, partnerIds) };
}

export default async function cataloguePages(app: App) {
  const { deps } = app;

  async function acmChoices(request: FastifyRequest) {
    const ids = request.user?.memberships.filter((m) => m.kind === 'acm').map((m) => m.organisationId) ?? [];
    return acmPlaces(deps.db, ids);
  }

  /**
   * For a search without results, the nearest ways out: a wider radius, then each active filter
   * left out, with how many offers each gives (exact counts, as links; at most four).
   */
  async function waysOut(request: FastifyRequest, state: PageState, basePath: string): Promise<{ label: string; href: string; count: number }[]> {
    const { page: _page, ...params } = state.params;
    const countOf = async (next: Record<string, string | string[]>) => {
      const nextState = await readSearchForm(deps, request, next);
      if (nextState.error) return 0;
      return (await deps.search.searchOffers({ ...nextState.search, page: 1, perPage: 0 })).total;
    };
    const hrefOf = (next: Record<string, string | string[]>) => {
      const qs = queryString(next);
      return qs ? `${basePath}?${qs}` : basePath;
    };
    const ways: { label: string; href: string; count: number }[] = [];
    if (state.search.near) {
      for (const radius of RADII.filter((r) => r > state.search.near!.radiusKm)) {
        const next = { ...params, radius_km: String(radius) };
        const count = await countOf(next);
        if (count > 0) {
          ways.push({ label: `Élargir à ${radius} km`, href: hrefOf(next), count });
          break;
        }
      }
    }
    // Each filter left out is counted at once: they do not depend on each other.
    const counted = await Promise.all(
      filterChips(state, basePath).map(async (chip) => {
        const next: Record<string, string[]> = {};
        for (const [key, value] of new URLSearchParams(chip.href.split('?')[1] ?? '')) next[key] = [...(next[key] ?? []), value];
        return { label: chip.wayOut, href: chip.href, count: await countOf(next) };
      }),
    );
    const found = counted.filter((way) => way.count > 0);
    found.sort((a, b) => b.count - a.count);
    return [...ways, ...found].slice(0, 4);
  }

  function resultsData(state: PageState, result: OfferSearchResult, basePath: string, extras: CardExtras = {}) {
    const pages = result.perPage > 0 ? Math.max(1, Math.ceil(result.total / result.perPage)) : 1;
    const { page: _page, ...withoutPage } = state.params;
    return {
      state,
      result,
      cards: result.items.map((hit) => cardView(hit, result, state.search, extras)),
      facetGroups: facetGroups(result.facets, state.params),
      chips: filterChips(state, basePath),
      pages,
      pageHref: (page: number) => `${basePath}?${queryString({ ...withoutPage, ...(page > 1 ? { page: String(page) } : {}) })}`,
      mapQuery: queryString(apiParams(state.search)),
      apiQuery: queryString(apiParams(state.search, { paging: true })),
    };
  }

  app.get('/offres', { schema: { hide: true, querystring: SearchFormQuery } }, async (request, reply) => {
    const state = await readSearchForm(deps, request, request.query);
    const result = await deps.search.searchOffers(state.search);
    if (!state.error) recordUnmetSearch(deps, state.search, result.total, 'page');
    const data = {
      title: state.search.q ? `Offres : « ${state.search.q} »` : 'Rechercher une offre',
      ...resultsData(state, result, '/offres', await cardExtras(deps, request, result)),
      waysOut: result.total === 0 ? await waysOut(request, state, '/offres') : [],
      acms: await acmChoices(request),
      radii: RADII,
      taxonomy,
      bar: 'list',
      map: true,
      scripts: ['/static/js/search.js', '/static/js/map.js'],
    };
    reply.header('Cache-Control', 'private, no-cache');
    if (request.wantsFragment('search-results')) return reply.fragment('catalogue/results', { ...data, outOfBand: !request.triggeredBy('search-form') });
    return reply.page('catalogue/search', data);
  });

  app.get('/carte', { schema: { hide: true, querystring: SearchFormQuery } }, async (request, reply) => {
    const state = await readSearchForm(deps, request, request.query);
    const result = await deps.search.searchOffers({ ...state.search, page: 1, perPage: 0 });
    const { page: _page, ...listParams } = state.params;
    const data = {
      title: 'Carte des offres',
      ...resultsData(state, result, '/carte'),
      waysOut: result.total === 0 ? await waysOut(request, state, '/carte') : [],
      listQuery: queryString(listParams),
      radii: RADII,
      acms: await acmChoices(request),
      taxonomy,
      bar: 'map',
      map: true,
      scripts: ['/static/js/search.js', '/static/js/map.js'],
    };
    reply.header('Cache-Control', 'private, no-cache');
    if (request.wantsFragment('search-results')) return reply.fragment('catalogue/map-results', { ...data, outOfBand: !request.triggeredBy('search-form') });
    return reply.page('catalogue/map', data);
  });
}
