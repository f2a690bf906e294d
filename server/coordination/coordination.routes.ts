import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import { ageBands, themes } from '../kernel/taxonomy.js';
import { csvDownloadHeaders, csvStream } from '../lib/csv.js';
import { NotFoundError, ParameterError } from '../lib/errors.js';
import { formBody, formText, OneClickUnsubscribeBody } from '../lib/schemas.js';
import type { App } from '../types.js';
import { TerritoryParams, territoryOf as territoryFrom } from './coordination.http.js';
import { digestSubscribed, scopeSummary, setDigestSubscription } from './coordination.repository.js';
import { chooseEpci, exportFilename, isCoordinator, type ListQuery, listBySlug, lists, loadList, territoryChoices } from './coordination.usecases.js';
import {
  ageColumns,
  coverageCsv,
  coverageGroups,
  legendClasses,
  loadCoveragePage,
  MAX_RADIUS_KM,
  MIN_RADIUS_KM,
  readSelection,
  territoryCoverage,
} from './coverage.js';
import { DIGEST_TOKEN_PATTERN, digestTokenTerritory, unsubscribeDigest } from './digest.js';
import { funnelBreakdownCsvRows, funnelBreakdownOf, funnelCsvRows, funnelStepsOf, loadFunnel, loadFunnelBreakdown, territoryFunnel } from './funnel.js';

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
    inactif: filterValue,
  },
  { additionalProperties: false },
);
const DigestTokenParams = Type.Object({ token: Type.String({ pattern: DIGEST_TOKEN_PATTERN, maxLength: 100 }) });
const ChooseQuery = Type.Object(
  { territoire: Type.Optional(Type.String({ maxLength: 30 })), epci: Type.Optional(Type.String({ maxLength: 120 })) },
  { additionalProperties: false },
);
const CoverageQuery = Type.Object(
  {
    rayon: Type.Optional(Type.String({ maxLength: 20 })),
    theme: Type.Optional(Type.String({ maxLength: 30 })),
    age: Type.Optional(Type.String({ maxLength: 10 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

/** "?statut=active&tri=title": the query without empty values, with some keys replaced. */
function queryString(query: ListQuery, changes: ListQuery = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export default async function coordinationRoutes(app: App) {
  const { deps } = app;

  const territoryOf = (request: FastifyRequest) => territoryFrom(deps, request);

  app.get('/coordination', { preHandler: requireUser, schema: { querystring: ChooseQuery } }, async (request, reply) => {
    const user = currentUser(request);
    const chosen = request.query.territoire;
    if (chosen) {
      const match = /^(region|departement|commune)-([0-9A-Z]{2,5})$/.exec(chosen);
      if (!match || !isCoordinator(user)) throw new NotFoundError();
      return reply.redirect(`/coordination/${match[1]}/${match[2]}`, 303);
    }
    const epci = request.query.epci === undefined ? null : await chooseEpci(deps, user, request.query.epci);
    if (epci && 'path' in epci) return reply.redirect(epci.path, 303);
    const choices = await territoryChoices(deps, user);
    if (!choices.all && choices.own.length === 1) return reply.redirect(choices.own[0]!.path, 303);
    return reply.page('coordination/choose', {
      title: 'Coordination de territoire',
      ...choices,
      epci: { value: request.query.epci ?? '', error: epci?.error ?? null },
    });
  });

  app.get('/coordination/:kind/:code', { preHandler: requireUser, schema: { params: TerritoryParams } }, async (request, reply) => {
    const territory = await territoryOf(request);
    const user = currentUser(request);
    const appointed = user.coordinatorScopes.some((s) => s.scope === territory.kind && s.code === territory.code);
    // The funnel is read from its stored row (refreshed by a job), never computed per view.
    const [summary, stored, subscribed] = await Promise.all([
      scopeSummary(deps.db, territory),
      territoryFunnel(deps, territory),
      appointed ? digestSubscribed(deps.db, user.id, territory) : null,
    ]);
    const funnel = funnelStepsOf(stored);
    const breakdown = funnelBreakdownOf(stored);
    return reply.page('coordination/dashboard', {
      title: `Coordination — ${territory.label}`,
      territory,
      summary,
      digest: subscribed === null ? null : { subscribed },
      funnel,
      breakdown,
      funnelComputedAt: stored.computedAt,
      lists,
      section: 'dashboard',
    });
  });

  // The weekly digest of a scope: on by default, turned off by its one-click link, turned back on here.
  app.post(
    '/coordination/:kind/:code/resume-hebdomadaire',
    { preHandler: requireUser, schema: { params: TerritoryParams, body: formBody({ abonnement: formText(10) }) } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const choice = request.body.abonnement;
      if (choice !== 'oui' && choice !== 'non') throw new ParameterError('abonnement', 'oui ou non attendu');
      const done = await setDigestSubscription(deps.db, currentUser(request).id, territory, choice === 'oui' ? null : deps.clock.now());
      if (!done) throw new NotFoundError();
      reply.flash(
        'success',
        choice === 'oui'
          ? `Vous recevrez de nouveau le résumé hebdomadaire du territoire ${territory.label}.`
          : `Vous ne recevrez plus le résumé hebdomadaire du territoire ${territory.label}.`,
      );
      return reply.redirect(`${territory.path}#resume-hebdomadaire`, 303);
    },
  );

  app.get('/coordination/resume/desabonnement/:token', { schema: { params: DigestTokenParams } }, async (request, reply) => {
    const territory = await digestTokenTerritory(deps, request.params.token);
    if (!territory) return reply.page('coordination/digest-unsubscribe', { title: 'Lien de désinscription invalide', invalid: true }, 404);
    return reply.page('coordination/digest-unsubscribe', { title: 'Ne plus recevoir le résumé hebdomadaire', territory, token: request.params.token });
  });

  // RFC 8058 one-click: mail clients POST without cookies; the signed token is what authorises it.
  app.post(
    '/coordination/resume/desabonnement/:token',
    {
      schema: {
        params: DigestTokenParams,
        body: OneClickUnsubscribeBody,
      },
      config: { csrf: false },
    },
    async (request, reply) => {
      const territory = await unsubscribeDigest(deps, request.params.token);
      if (!territory) return reply.page('coordination/digest-unsubscribe', { title: 'Lien de désinscription invalide', invalid: true }, 404);
      return reply.page('coordination/digest-unsubscribe', { title: 'Résumé hebdomadaire arrêté', territory, done: true });
    },
  );

  app.get('/coordination/:kind/:code/export/entonnoir.csv', { preHandler: requireUser, schema: { params: TerritoryParams } }, async (request, reply) => {
    const territory = await territoryOf(request);
    const rows = funnelCsvRows(await loadFunnel(deps, territory));
    reply.headers(csvDownloadHeaders(exportFilename(territory, 'entonnoir', deps.clock.now())));
    return reply.send(csvStream(Object.keys(rows[0]!), rows));
  });

  app.get(
    '/coordination/:kind/:code/export/entonnoir-par-mois-et-theme.csv',
    { preHandler: requireUser, schema: { params: TerritoryParams } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const rows = funnelBreakdownCsvRows(await loadFunnelBreakdown(deps, territory));
      reply.headers(csvDownloadHeaders(exportFilename(territory, 'entonnoir-par-mois-et-theme', deps.clock.now())));
      return reply.send(csvStream(Object.keys(rows[0]!), rows));
    },
  );

  app.get(
    '/coordination/:kind/:code/couverture',
    { preHandler: requireUser, schema: { params: TerritoryParams, querystring: CoverageQuery } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const selection = readSelection(request.query);
      const coverage = await loadCoveragePage(deps, currentUser(request), territory, selection, request.query.page ?? 1);
      const kept = { rayon: selection.radiusError ? undefined : selection.radiusKm, theme: selection.theme, age: selection.age };
      const base = `${territory.path}/couverture`;
      return reply.page(
        'coordination/coverage',
        {
          title: `Couverture — ${territory.label}`,
          territory,
          lists,
          section: 'couverture',
          list: { slug: 'couverture', title: 'Couverture' },
          selection,
          ...coverage,
          themes,
          ageBands,
          ageColumns,
          legendClasses,
          minRadius: MIN_RADIUS_KM,
          maxRadius: MAX_RADIUS_KM,
          previous: coverage.page > 1 ? `${base}${queryString(kept, { page: coverage.page - 1 })}` : null,
          next: coverage.page < coverage.pages ? `${base}${queryString(kept, { page: coverage.page + 1 })}` : null,
          exportHref: `${territory.path}/export/couverture.csv${queryString(kept)}`,
        },
        selection.radiusError ? 422 : 200,
      );
    },
  );

  app.get(
    '/coordination/:kind/:code/export/couverture.csv',
    { preHandler: requireUser, schema: { params: TerritoryParams, querystring: CoverageQuery } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const selection = readSelection(request.query);
      if (selection.radiusError) throw new ParameterError('rayon', `entier de ${MIN_RADIUS_KM} à ${MAX_RADIUS_KM} attendu`);
      const { figures } = await territoryCoverage(deps, territory, selection.radiusKm);
      const { columns, records } = coverageCsv(coverageGroups(figures, selection), selection.radiusKm);
      reply.headers(csvDownloadHeaders(exportFilename(territory, 'couverture', deps.clock.now())));
      return reply.send(csvStream(columns, records));
    },
  );

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
