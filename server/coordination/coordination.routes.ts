import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import { csvDownloadHeaders, csvStream } from '../lib/csv.js';
import { NotFoundError } from '../lib/errors.js';
import type { App } from '../types.js';
import { scopeSummary } from './coordination.repository.js';
import {
  exportFilename,
  isCoordinator,
  type ListQuery,
  listBySlug,
  lists,
  loadList,
  openTerritory,
  scopeFromPath,
  type Territory,
  territoryChoices,
} from './coordination.usecases.js';
import { funnelChart, funnelCsvRows, loadFunnel } from './funnel.js';

const TerritoryParams = Type.Object({
  kind: Type.String({ pattern: '^(region|departement|commune)$' }),
  code: Type.String({ pattern: '^[0-9][0-9AB][0-9]{0,3}$' }),
});
const filterValue = Type.Optional(Type.String({ maxLength: 200 }));
const ListQuerySchema = Type.Object(
  {
    q: filterValue,
    tri: Type.Optional(Type.String({ maxLength: 30 })),
    ordre: Type.Optional(Type.String({ maxLength: 10 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    label: filterValue,
    pedt: filterValue,
    type: filterValue,
    offres: filterValue,
    statut: filterValue,
    etape: filterValue,
    annee: filterValue,
    retard: filterValue,
    theme: filterValue,
    sansreponse: filterValue,
  },
  { additionalProperties: false },
);
const ChooseQuery = Type.Object({ territoire: Type.Optional(Type.String({ maxLength: 30 })) }, { additionalProperties: false });

/** "?statut=active&tri=title": the query without empty values, with some keys replaced. */
function queryString(query: ListQuery, changes: ListQuery = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export default async function coordinationRoutes(app: App) {
  const { deps } = app;

  async function territoryOf(request: FastifyRequest): Promise<Territory> {
    const params = request.params as { kind: string; code: string };
    return openTerritory(deps, currentUser(request), scopeFromPath(params.kind, params.code));
  }

  app.get('/coordination', { preHandler: requireUser, schema: { querystring: ChooseQuery } }, async (request, reply) => {
    const user = currentUser(request);
    const chosen = request.query.territoire;
    if (chosen) {
      const match = /^(region|departement|commune)-([0-9A-Z]{2,5})$/.exec(chosen);
      if (!match || !isCoordinator(user)) throw new NotFoundError();
      return reply.redirect(`/coordination/${match[1]}/${match[2]}`, 303);
    }
    const choices = await territoryChoices(deps, user);
    if (!choices.all && choices.own.length === 1) return reply.redirect(choices.own[0]!.path, 303);
    return reply.page('coordination/choose', { title: 'Coordination de territoire', ...choices });
  });

  app.get('/coordination/:kind/:code', { preHandler: requireUser, schema: { params: TerritoryParams } }, async (request, reply) => {
    const territory = await territoryOf(request);
    const [summary, funnel] = await Promise.all([scopeSummary(deps.db, territory), loadFunnel(deps, territory)]);
    return reply.page('coordination/dashboard', {
      title: `Coordination — ${territory.label}`,
      territory,
      summary,
      funnel,
      chart: funnelChart(funnel),
      lists,
      section: 'dashboard',
    });
  });

  app.get('/coordination/:kind/:code/export/entonnoir.csv', { preHandler: requireUser, schema: { params: TerritoryParams } }, async (request, reply) => {
    const territory = await territoryOf(request);
    const rows = funnelCsvRows(await loadFunnel(deps, territory));
    reply.headers(csvDownloadHeaders(exportFilename(territory, 'entonnoir', deps.clock.now())));
    return reply.send(csvStream(Object.keys(rows[0]!), rows));
  });

  for (const list of lists) {
    app.get(
      `/coordination/:kind/:code/${list.slug}`,
      { preHandler: requireUser, schema: { params: TerritoryParams, querystring: ListQuerySchema } },
      async (request, reply) => {
        const territory = await territoryOf(request);
        const query = request.query as ListQuery;
        const result = await loadList(deps, territory, list, query);
        const base = `${territory.path}/${list.slug}`;
        const kept = { ...query, page: undefined };
        return reply.page('coordination/list', {
          title: `${list.title} — ${territory.label}`,
          territory,
          list,
          lists,
          section: list.slug,
          ...result,
          query: kept,
          sortLinks: Object.fromEntries(
            list.columns
              .filter((c) => c.sort)
              .map((c) => {
                const current = result.sort.key === c.sort;
                const next = current && !result.sort.desc ? 'desc' : 'asc';
                return [c.key, `${base}${queryString(kept, { tri: c.sort, ordre: next })}`];
              }),
          ),
          previous: result.page > 1 ? `${base}${queryString(kept, { page: result.page - 1 })}` : null,
          next: result.page < result.pages ? `${base}${queryString(kept, { page: result.page + 1 })}` : null,
          exportHref: `${territory.path}/export/${list.slug}.csv${queryString(kept)}`,
        });
      },
    );

    app.get(
      `/coordination/:kind/:code/export/${list.slug}.csv`,
      { preHandler: requireUser, schema: { params: TerritoryParams, querystring: ListQuerySchema } },
      async (request, reply) => {
        const territory = await territoryOf(request);
        const result = await loadList(deps, territory, listBySlug(list.slug), request.query as ListQuery, { whole: true });
        const columns = list.columns.map((c) => ({ key: c.key, header: c.header }));
        const records = result.rows.map((cells) => Object.fromEntries(list.columns.map((c, i) => [c.key, cells[i]!.text])));
        reply.headers(csvDownloadHeaders(exportFilename(territory, list.slug, deps.clock.now())));
        return reply.send(csvStream(columns, records));
      },
    );
  }
}
