import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { findUserById } from '../accounts/accounts.repository.js';
import { currentUser, requireAdmin } from '../accounts/guards.js';
import { labelOf, orgTypes } from '../kernel/taxonomy.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { formBody, formText, IdParam, safeNext } from '../lib/schemas.js';
import { auditTrail, findOrganisationWithPlace, listMembers, searchOrganisations } from '../organisations/organisations.repository.js';
import { kindLabels, organisationPath, roleLabels, type StatusAction, setOrganisationStatus, statusLabels } from '../organisations/organisations.usecases.js';
import type { App } from '../types.js';
import { overviewCounts, searchUsers, userMemberships, userScopes } from './admin.repository.js';
import { addCoordinatorScope, reinstateUser, removeCoordinatorScope, scopeKinds, scopeLabels, suspendUser } from './admin.usecases.js';

const PER_PAGE = 25;

const OrganisationsQuery = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('partner'), Type.Literal('acm'), Type.Literal('')])),
    status: Type.Optional(Type.Union([Type.Literal('unverified'), Type.Literal('verified'), Type.Literal('suspended'), Type.Literal('')])),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

const UsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('coordinator'), Type.Literal('suspended'), Type.Literal('')])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

const ScopeParams = Type.Object({
  id: IdParam.properties.id,
  scope: Type.Union(scopeKinds.map((s) => Type.Literal(s))),
  code: Type.String({ pattern: '^([0-9A-Za-z]{1,5}|[0-9]{9})$' }),
});

/** "?kind=partner&page=2" from the current filters, for pagination links. */
function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

function pagination(total: number, page: number, base: string, params: Record<string, string | undefined>) {
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  return {
    page,
    pages,
    total,
    previous: page > 1 ? `${base}${queryString({ ...params, page: page - 1 })}` : null,
    next: page < pages ? `${base}${queryString({ ...params, page: page + 1 })}` : null,
  };
}

export default async function adminRoutes(app: App) {
  const { deps } = app;
  const guard = { preHandler: requireAdmin };

  app.get('/admin', guard, async (_request, reply) => {
    const counts = await overviewCounts(deps.db, deps.clock.now());
    return reply.page('admin/index', { title: 'Administration', counts, section: 'overview' });
  });

  app.get('/admin/structures', { ...guard, schema: { querystring: OrganisationsQuery } }, async (request, reply) => {
    const { kind, status, q } = request.query;
    const page = request.query.page ?? 1;
    const filter = { kind: kind || undefined, status: status || undefined, q: q?.trim() || undefined };
    const { items, total } = await searchOrganisations(deps.db, filter, page, PER_PAGE);
    return reply.page('admin/organisations', {
      title: 'Structures — administration',
      section: 'organisations',
      filter: { kind: kind ?? '', status: status ?? '', q: q ?? '' },
      items: items.map((o) => ({
        ...o,
        path: organisationPath(o),
        kindLabel: kindLabels[o.kind],
        statusLabel: statusLabels[o.status],
        typeLabel: labelOf(orgTypes, o.type),
      })),
      pagination: pagination(total, page, '/admin/structures', { kind, status, q }),
      back: request.url,
    });
  });

  async function organisationPage(reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const found = await findOrganisationWithPlace(deps.db, id);
    if (!found) throw new NotFoundError();
    const [members, history] = await Promise.all([listMembers(deps.db, id), auditTrail(deps.db, 'organisation', id)]);
    const o = found.organisation;
    return reply.page(
      'admin/organisation',
      {
        title: `${o.name} — administration`,
        section: 'organisations',
        organisation: o,
        commune: found.commune,
        publicPath: organisationPath(o),
        kindLabel: kindLabels[o.kind],
        statusLabel: statusLabels[o.status],
        typeLabel: labelOf(orgTypes, o.type),
        members,
        roleLabels,
        history,
        ...extra,
      },
      status,
    );
  }

  app.get('/admin/structures/:id', { ...guard, schema: { params: IdParam } }, async (request, reply) => organisationPage(reply, request.params.id));

  const statusRoutes: [string, StatusAction, string][] = [
    ['verifier', 'verify', 'La structure est vérifiée ; ses responsables ont été prévenus.'],
    ['suspendre', 'suspend', 'La structure est suspendue ; ses responsables ont reçu le motif par e-mail.'],
    ['retablir', 'reinstate', 'La suspension est levée.'],
  ];
  for (const [segment, action, success] of statusRoutes) {
    app.post(
      `/admin/structures/:id/${segment}`,
      { ...guard, schema: { params: IdParam, body: formBody({ reason: formText(), retour: formText(500) }) } },
      async (request, reply) => {
        const admin = currentUser(request);
        const fallback = `/admin/structures/${request.params.id}`;
        const back = request.body.retour && /^\/admin\/structures(\/|\?|$)/.test(request.body.retour) ? safeNext(request.body.retour, fallback) : fallback;
        try {
          await setOrganisationStatus(deps, admin, request.params.id, action, request.body);
        } catch (error) {
          if (error instanceof ValidationError) return organisationPage(reply, request.params.id, { values: request.body, errors: error.fields }, 422);
          if (!(error instanceof ConflictError)) throw error;
          reply.flash('error', error.message);
          return reply.redirect(back, 303);
        }
        reply.flash('success', success);
        return reply.redirect(back, 303);
      },
    );
  }

  app.get('/admin/utilisateurs', { ...guard, schema: { querystring: UsersQuery } }, async (request, reply) => {
    const { q, role } = request.query;
    const page = request.query.page ?? 1;
    const { items, total } = await searchUsers(deps.db, { q: q?.trim() || undefined, role: role || undefined }, page, PER_PAGE);
    return reply.page('admin/users', {
      title: 'Utilisateurs — administration',
      section: 'users',
      filter: { q: q ?? '', role: role ?? '' },
      items,
      pagination: pagination(total, page, '/admin/utilisateurs', { q, role }),
    });
  });

  async function userPage(reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) {
    const target = await findUserById(deps.db, id);
    if (!target) throw new NotFoundError();
    const [organisations, scopes, history] = await Promise.all([userMemberships(deps.db, id), userScopes(deps.db, id), auditTrail(deps.db, 'user', id)]);
    return reply.page(
      'admin/user',
      {
        title: `${target.name} — administration`,
        section: 'users',
        target,
        organisations: organisations.map((o) => ({
          ...o,
          path: organisationPath({ ...o, id: o.organisationId }),
          kindLabel: kindLabels[o.kind],
          statusLabel: statusLabels[o.status],
        })),
        scopes: scopes.map((s) => ({ ...s, scopeLabel: scopeLabels[s.scope] })),
        scopeOptions: scopeKinds.map((value) => ({ value, label: scopeLabels[value] })),
        roleLabels,
        history,
        ...extra,
      },
      status,
    );
  }

  app.get('/admin/utilisateurs/:id', { ...guard, schema: { params: IdParam } }, async (request, reply) => userPage(reply, request.params.id));

  async function userAction(reply: FastifyReply, id: number, action: () => Promise<void>, success: string) {
    try {
      await action();
      reply.flash('success', success);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      reply.flash('error', error.message);
    }
    return reply.redirect(`/admin/utilisateurs/${id}`, 303);
  }

  app.post('/admin/utilisateurs/:id/suspendre', { ...guard, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) =>
    userAction(
      reply,
      request.params.id,
      () => suspendUser(deps, currentUser(request), request.params.id),
      'Le compte est suspendu ; ses sessions sont fermées.',
    ),
  );

  app.post('/admin/utilisateurs/:id/retablir', { ...guard, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) =>
    userAction(reply, request.params.id, () => reinstateUser(deps, currentUser(request), request.params.id), 'Le compte est rétabli.'),
  );

  app.post(
    '/admin/utilisateurs/:id/territoires',
    { ...guard, schema: { params: IdParam, body: formBody({ scope: formText(), code: formText() }) } },
    async (request, reply) => {
      const admin = currentUser(request);
      try {
        const { label } = await addCoordinatorScope(deps, admin, request.params.id, request.body);
        reply.flash('success', `Coordination ajoutée — ${label}.`);
        return reply.redirect(`/admin/utilisateurs/${request.params.id}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return userPage(reply, request.params.id, { values: request.body, errors: error.fields }, 422);
        throw error;
      }
    },
  );

  app.post(
    '/admin/utilisateurs/:id/territoires/:scope/:code/retirer',
    { ...guard, schema: { params: ScopeParams, body: formBody({}) } },
    async (request, reply) => {
      const { id, scope, code } = request.params;
      await removeCoordinatorScope(deps, currentUser(request), id, scope, code);
      reply.flash('success', 'Le territoire a été retiré.');
      return reply.redirect(`/admin/utilisateurs/${id}`, 303);
    },
  );
}
