import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfferSearch, OfferSearchResult } from '../../search/types.js';
import type { Deps } from '../deps.js';
import { marksFor } from '../favourites/favourites.usecases.js';
import * as taxonomy from '../kernel/taxonomy.js';
import { NotFoundError, ParameterError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { recordUnmetSearch } from '../observatory/unmet-demand.js';
import { resolveCommune } from '../territories/territories.repository.js';
import type { App } from '../types.js';
import { parseFilters, parseOfferSearch } from './catalogue.query.js';
import {
  acmPlaces,
  activeCommunesOfDepartment,
  departmentsOfRegion,
  epcisOfDepartment,
  findCommuneByCode,
  findDepartmentByCode,
  findEpciByCode,
  findRegionBySlug,
  offerCountsByRegion,
  offerPhotos,
  partnersOf,
  territoryBounds,
} from './catalogue.repository.js';
import { OffersQuery } from './catalogue.schemas.js';
import { apiParams, type CardExtras, cardView, facetGroups, filterChips, queryString } from './catalogue.view.js';

/** The page's GET form: every field a string or a list of strings (empty fields are dropped). */
const PageQuery = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([Type.String({ maxLength: 300 }), Type.Array(Type.String({ maxLength: 300 }), { maxItems: 60 })]),
);
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
/** The legal forms of intercommunalités, as @etalab/decoupage-administratif codes them. */
const epciTypeLabels: Record<string, string> = {
  CC: 'Communauté de communes',
  CA: 'Communauté d’agglomération',
  CU: 'Communauté urbaine',
  METRO: 'Métropole',
  MET69: 'Métropole de Lyon (collectivité à statut particulier)',
  EPT: 'Établissement public territorial de la Métropole du Grand Paris',
};
const pageMessages: Record<string, string> = {
  age_max: 'Âge des enfants : le second âge doit être au moins égal au premier. Le critère a été ignoré.',
  available_from: 'Disponible du : cette date n’existe pas. Le critère a été ignoré.',
  available_to: 'Disponible au : la date de fin doit suivre la date de début. Le critère a été ignoré.',
};
/** The page's names of the parameters, for its messages. */
const pageLabels: Record<string, string> = {
  age_min: 'âge de',
  age_max: 'âge jusqu’à',
  available_from: 'disponible à partir du',
  available_to: 'disponible jusqu’au',
  age: 'âge',
  radius_km: 'rayon',
};

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
  } else if (params.lieu && !params.near) {
    const found = await resolveCommune(deps.db, String(params.lieu));
    if ('commune' in found) {
      api.near = `${found.commune.lat},${found.commune.lng}`;
      placeLabel = found.commune.name;
    } else {
      error =
        found.error === 'unknown'
          ? 'Lieu introuvable : vérifiez l’orthographe ou saisissez le code postal.'
          : 'Plusieurs communes correspondent : précisez le code postal.';
      delete api.near;
    }
  } else if (params.lieu) {
    placeLabel = String(params.lieu);
  }
  if (api.near && api.radius_km === undefined) api.radius_km = 20;
  if (!api.near) delete api.radius_km;

  const converted = Value.Convert(OffersQuery, api);
  const first = Value.Errors(OffersQuery, converted).First();
  let search: OfferSearch = { sort: 'relevance', page: 1, perPage: 20 };
  if (first) {
    const parameter = first.path.split('/').filter(Boolean)[0] ?? 'recherche';
    error = `Le critère « ${pageLabels[parameter] ?? parameter} » n’est pas valide : il a été ignoré.`;
  } else {
    try {
      search = await parseOfferSearch(deps, converted as Static<typeof OffersQuery>);
    } catch (failure) {
      if (!(failure instanceof ParameterError)) throw failure;
      error = pageMessages[failure.parameter] ?? failure.message;
    }
  }
  return { params, search, placeLabel, comesToLabel: search.comesTo ? comesToLabel : null, error };
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
      return (await deps.search.searchOffers({ ...nextState.search, page: 1, perPage: 1 })).total;
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
    const found: typeof ways = [];
    for (const chip of filterChips(state, basePath)) {
      const next: Record<string, string[]> = {};
      for (const [key, value] of new URLSearchParams(chip.href.split('?')[1] ?? '')) next[key] = [...(next[key] ?? []), value];
      const count = await countOf(next);
      if (count > 0) found.push({ label: chip.wayOut, href: chip.href, count });
    }
    found.sort((a, b) => b.count - a.count);
    return [...ways, ...found].slice(0, 4);
  }

  /** Thumbnails for everyone; stars and "déjà contacté" for ACM members. */
  async function cardExtras(request: FastifyRequest, result: OfferSearchResult): Promise<CardExtras> {
    const offerIds = result.items.map((hit) => hit.document.id);
    const partnerIds = [...new Set(result.items.map((hit) => hit.document.organisationId))];
    const [photos, marks] = await Promise.all([offerPhotos(deps.db, offerIds), marksFor(deps, request.user, offerIds, partnerIds)]);
    return { photos, marks };
  }

  function resultsData(state: PageState, result: OfferSearchResult, basePath: string, extras: CardExtras = {}) {
    const pages = Math.max(1, Math.ceil(result.total / result.perPage));
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

  app.get('/offres', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const state = await readSearchForm(deps, request, request.query);
    const result = await deps.search.searchOffers(state.search);
    if (!state.error) recordUnmetSearch(deps, state.search, result.total, 'page');
    const data = {
      title: state.search.q ? `Offres : « ${state.search.q} »` : 'Rechercher une offre',
      ...resultsData(state, result, '/offres', await cardExtras(request, result)),
      waysOut: result.total === 0 ? await waysOut(request, state, '/offres') : [],
      acms: await acmChoices(request),
      radii: RADII,
      taxonomy,
      map: true,
      scripts: ['/static/js/search.js', '/static/js/map.js'],
    };
    reply.header('Cache-Control', 'private, no-cache');
    if (request.wantsFragment('search-results')) return reply.fragment('catalogue/results', data);
    return reply.page('catalogue/search', data);
  });

  app.get('/carte', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) => {
    const state = await readSearchForm(deps, request, request.query);
    const result = await deps.search.searchOffers({ ...state.search, page: 1, perPage: 1 });
    const { page: _page, ...listParams } = state.params;
    const data = {
      title: 'Carte des offres',
      ...resultsData(state, result, '/carte'),
      waysOut: result.total === 0 ? await waysOut(request, state, '/carte') : [],
      listQuery: queryString(listParams),
      radii: RADII,
      acms: await acmChoices(request),
      taxonomy,
      map: true,
      scripts: ['/static/js/search.js', '/static/js/map.js'],
    };
    reply.header('Cache-Control', 'private, no-cache');
    if (request.wantsFragment('search-results')) return reply.fragment('catalogue/map-results', data);
    return reply.page('catalogue/map', data);
  });

  app.get('/territoires', { schema: { hide: true } }, async (_request, reply) => {
    const regions = await offerCountsByRegion(deps.db);
    return reply.page('catalogue/territories', { title: 'Territoires', regions, max: Math.max(1, ...regions.map((r) => r.offers)) });
  });

  async function territoryPage(
    request: FastifyRequest,
    reply: FastifyReply,
    where: { region?: string; department?: string; epci?: string; commune?: string },
    view: Record<string, unknown>,
  ) {
    const filter: OfferSearch = {
      ...(where.region ? { region: [where.region] } : {}),
      ...(where.department ? { department: [where.department] } : {}),
      sort: 'recent',
      page: 1,
      perPage: 12,
    };
    if (where.epci) {
      const epci = await parseFilters(deps, { epci: [where.epci] }).then((f) => f.epci ?? []);
      if (epci.length) filter.epci = epci;
    }
    if (where.commune) {
      const [commune] = await parseFilters(deps, { commune: [where.commune] }).then((f) => f.commune ?? []);
      if (commune) filter.commune = [commune];
    }
    const result = await deps.search.searchOffers(filter);
    const themeCounts = taxonomy.themes.map((t) => ({ ...t, count: result.facets.theme[t.value] ?? 0 }));
    const partners = await partnersOf(deps.db, where);
    const extras = await cardExtras(request, result);
    return reply.page('catalogue/territory', {
      ...view,
      result,
      cards: result.items.map((hit) => cardView(hit, result, filter, extras)),
      themeCounts,
      maxCount: Math.max(1, ...themeCounts.map((t) => t.count)),
      partners,
      map: true,
      scripts: ['/static/js/map.js'],
    });
  }

  app.get(
    '/territoires/:region',
    { schema: { hide: true, params: Type.Object({ region: Type.String({ pattern: '^[a-z0-9-]{2,80}$' }) }) } },
    async (request, reply) => {
      const region = await findRegionBySlug(deps.db, request.params.region);
      if (!region) throw new NotFoundError('Région introuvable.');
      const departments = await departmentsOfRegion(deps.db, region.code);
      return territoryPage(
        request,
        reply,
        { region: region.code },
        {
          title: region.name,
          heading: region.name,
          level: 'région',
          breadcrumb: [{ href: '/territoires', label: 'Territoires' }],
          children: {
            title: 'Départements',
            items: departments.map((d) => ({ href: `/territoires/departements/${d.code}`, label: `${d.name} (${d.code})`, count: d.offers })),
          },
          bounds: await territoryBounds(deps.db, { region: region.code }),
          filterQuery: `region=${region.code}`,
          statisticsHref: `/territoires/${region.slug}/statistiques`,
        },
      );
    },
  );

  app.get(
    '/territoires/departements/:code',
    { schema: { hide: true, params: Type.Object({ code: Type.String({ pattern: '^([0-9]{2,3}|2A|2B)$' }) }) } },
    async (request, reply) => {
      const department = await findDepartmentByCode(deps.db, request.params.code);
      if (!department) throw new NotFoundError('Département introuvable.');
      const [communes, epcis] = await Promise.all([activeCommunesOfDepartment(deps.db, department.code), epcisOfDepartment(deps.db, department.code)]);
      return territoryPage(
        request,
        reply,
        { department: department.code },
        {
          title: `${department.name} (${department.code})`,
          heading: `${department.name} (${department.code})`,
          level: 'département',
          breadcrumb: [
            { href: '/territoires', label: 'Territoires' },
            { href: `/territoires/${department.regionSlug}`, label: department.regionName },
          ],
          children: {
            title: 'Communes ayant des offres',
            items: communes.map((c) => ({ href: `/territoires/communes/${c.code}`, label: c.name, count: c.offers })),
          },
          groups: {
            title: 'Intercommunalités',
            items: epcis.map((e) => ({ href: `/territoires/intercommunalites/${e.code}`, label: e.name, count: e.offers })),
          },
          bounds: await territoryBounds(deps.db, { department: department.code }),
          filterQuery: `department=${department.code}`,
          statisticsHref: `/territoires/departements/${department.code}/statistiques`,
        },
      );
    },
  );

  app.get(
    '/territoires/intercommunalites/:code',
    { schema: { hide: true, params: Type.Object({ code: Type.String({ pattern: '^[0-9]{9}$' }) }) } },
    async (request, reply) => {
      const epci = await findEpciByCode(deps.db, request.params.code);
      if (!epci) throw new NotFoundError('Intercommunalité introuvable.');
      const communes = await activeCommunesOfDepartment(deps.db, '', 60, epci.code);
      return territoryPage(
        request,
        reply,
        { epci: epci.code },
        {
          title: epci.name,
          heading: epci.name,
          level: 'intercommunalité',
          facts: [
            epciTypeLabels[epci.type] ?? epci.type,
            formatters.plural(epci.communes, 'commune', 'communes'),
            formatters.plural(epci.population, 'habitant', 'habitants'),
          ],
          breadcrumb: [
            { href: '/territoires', label: 'Territoires' },
            ...epci.regions.map((r) => ({ href: `/territoires/${r.slug}`, label: r.name })),
            ...epci.departments.map((d) => ({ href: `/territoires/departements/${d.code}`, label: d.name })),
          ],
          children: {
            title: 'Communes ayant des offres',
            items: communes.map((c) => ({ href: `/territoires/communes/${c.code}`, label: c.name, count: c.offers })),
          },
          bounds: await territoryBounds(deps.db, { epci: epci.code }),
          filterQuery: `epci=${epci.code}`,
          statisticsHref: `/territoires/intercommunalites/${epci.code}/statistiques`,
        },
      );
    },
  );

  app.get(
    '/territoires/communes/:insee',
    { schema: { hide: true, params: Type.Object({ insee: Type.String({ pattern: '^[0-9][0-9AB][0-9]{3}$' }) }) } },
    async (request, reply) => {
      const commune = await findCommuneByCode(deps.db, request.params.insee);
      if (!commune) throw new NotFoundError('Commune introuvable.');
      const lat = Number(commune.lat);
      const lng = Number(commune.lng);
      return territoryPage(
        request,
        reply,
        { commune: commune.code },
        {
          title: commune.name,
          heading: `${commune.name}${commune.postcodes[0] ? ` (${commune.postcodes[0]})` : ''}`,
          level: 'commune',
          breadcrumb: [
            { href: '/territoires', label: 'Territoires' },
            { href: `/territoires/${commune.regionSlug}`, label: commune.regionName },
            { href: `/territoires/departements/${commune.departmentCode}`, label: commune.departmentName },
            ...(commune.epciCode && commune.epciName ? [{ href: `/territoires/intercommunalites/${commune.epciCode}`, label: commune.epciName }] : []),
            ...(commune.eptCode && commune.eptName ? [{ href: `/territoires/intercommunalites/${commune.eptCode}`, label: commune.eptName }] : []),
          ],
          children: null,
          bounds: { west: lng - 0.08, south: lat - 0.05, east: lng + 0.08, north: lat + 0.05 },
          filterQuery: `commune=${commune.code}`,
          statisticsHref: `/territoires/communes/${commune.code}/statistiques`,
        },
      );
    },
  );
}
