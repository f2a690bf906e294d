import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfferSearch } from '../../search/types.js';
import { cardExtras } from '../catalogue/catalogue.pages.js';
import { parseFilters } from '../catalogue/catalogue.query.js';
import { cardView } from '../catalogue/catalogue.view.js';
import * as taxonomy from '../kernel/taxonomy.js';
import { NotFoundError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import type { App } from '../types.js';
import type { Scope } from './scopes.js';
import {
  activeCommunesOfDepartment,
  departmentsOfRegion,
  epcisOfDepartment,
  findCommuneByCode,
  findDepartmentByCode,
  findEpciByCode,
  findRegionBySlug,
  offerCountsByRegion,
  partnersOf,
  territoryBounds,
} from './territories.repository.js';

/** The legal forms of intercommunalités, as @etalab/decoupage-administratif codes them. */
const epciTypeLabels: Record<string, string> = {
  CC: 'Communauté de communes',
  CA: 'Communauté d’agglomération',
  CU: 'Communauté urbaine',
  METRO: 'Métropole',
  MET69: 'Métropole de Lyon (collectivité à statut particulier)',
  EPT: 'Établissement public territorial de la Métropole du Grand Paris',
};
/** The public territory pages: the régions index, then a page per région, département, intercommunalité and commune. */
export default async function territoryPages(app: App) {
  const { deps } = app;

  app.get('/territoires', { schema: { hide: true } }, async (_request, reply) => {
    const regions = await offerCountsByRegion(deps.db);
    return reply.page('territories/index', { title: 'Territoires', regions, max: Math.max(1, ...regions.map((r) => r.offers)) });
  });

  async function territoryPage(request: FastifyRequest, reply: FastifyReply, scope: Scope, view: Record<string, unknown>) {
    const filter: OfferSearch = {
      ...(scope.kind === 'region' ? { region: [scope.code] } : {}),
      ...(scope.kind === 'department' ? { department: [scope.code] } : {}),
      sort: 'recent',
      page: 1,
      perPage: 12,
    };
    if (scope.kind === 'epci') {
      const epci = await parseFilters(deps, { epci: [scope.code] }).then((f) => f.epci ?? []);
      if (epci.length) filter.epci = epci;
    }
    if (scope.kind === 'commune') {
      const [commune] = await parseFilters(deps, { commune: [scope.code] }).then((f) => f.commune ?? []);
      if (commune) filter.commune = [commune];
    }
    const result = await deps.search.searchOffers(filter);
    const themeCounts = taxonomy.themes.map((t) => ({ ...t, count: result.facets.theme[t.value] ?? 0 }));
    const partners = await partnersOf(deps.db, scope);
    const extras = await cardExtras(deps, request, result);
    return reply.page('territories/territory', {
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
        { kind: 'region', code: region.code },
        {
          title: region.name,
          heading: region.name,
          level: 'région',
          breadcrumb: [{ href: '/territoires', label: 'Territoires' }],
          children: {
            title: 'Départements',
            items: departments.map((d) => ({ href: `/territoires/departements/${d.code}`, label: `${d.name} (${d.code})`, count: d.offers })),
          },
          bounds: await territoryBounds(deps.db, { kind: 'region', code: region.code }),
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
        { kind: 'department', code: department.code },
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
          bounds: await territoryBounds(deps.db, { kind: 'department', code: department.code }),
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
        { kind: 'epci', code: epci.code },
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
          bounds: await territoryBounds(deps.db, { kind: 'epci', code: epci.code }),
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
        { kind: 'commune', code: commune.code },
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
