import { currentUser, requireUser } from '../accounts/guards.js';
import { ValidationError } from '../lib/errors.js';
import { formBody, formText, IdParam, OneClickUnsubscribeBody, TokenParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import {
  deleteSavedSearch,
  describeQuery,
  findByUnsubscribeToken,
  findOwnedSearch,
  frequencies,
  kinds,
  listSavedSearches,
  NAME_MAX,
  saveSearch,
  searchUrl,
  unsubscribeAlert,
  updateSavedSearch,
} from './saved-searches.js';

const labels = { name: 'Nom de la recherche', frequency: 'Alerte par e-mail' };

/** Saved searches (/recherches), their alerts job and the one-click unsubscribe. */
export async function savedSearchRoutes(app: App) {
  const { deps } = app;

  app.get('/recherches', { preHandler: requireUser }, async (request, reply) => {
    const user = currentUser(request);
    const list = await listSavedSearches(deps, user.id);
    return reply.page('matching/saved-searches', {
      title: 'Mes recherches enregistrées',
      searches: list.map((s) => ({
        ...s,
        url: searchUrl(s),
        kindLabel: kinds[s.kind].label,
        summary: describeQuery(s.query),
        frequencyLabel: frequencies.find((f) => f.value === s.frequency)?.label ?? '',
      })),
    });
  });

  app.post(
    '/recherches',
    { preHandler: requireUser, schema: { body: formBody({ kind: formText(10), query: formText(4000), name: formText(1000), frequency: formText(20) }) } },
    async (request, reply) => {
      const user = currentUser(request);
      try {
        const saved = await saveSearch(deps, user, request.body);
        reply.flash('success', `Recherche « ${saved.name} » enregistrée. Retrouvez-la dans « Mes recherches ».`);
        return reply.redirect(searchUrl(saved), 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page(
          'matching/saved-search-form',
          {
            title: 'Enregistrer cette recherche',
            action: '/recherches',
            labels,
            frequencies,
            nameMax: NAME_MAX,
            values: request.body,
            errors: error.fields,
            creating: true,
          },
          422,
        );
      }
    },
  );

  app.get('/recherches/:id/modifier', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const search = await findOwnedSearch(deps, currentUser(request), request.params.id);
    return reply.page('matching/saved-search-form', {
      title: 'Modifier la recherche',
      action: `/recherches/${search.id}/modifier`,
      labels,
      frequencies,
      nameMax: NAME_MAX,
      search: { ...search, url: searchUrl(search), summary: describeQuery(search.query) },
      values: { name: search.name, frequency: search.frequency },
    });
  });

  app.post(
    '/recherches/:id/modifier',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ name: formText(1000), frequency: formText(20) }) } },
    async (request, reply) => {
      const user = currentUser(request);
      const search = await findOwnedSearch(deps, user, request.params.id);
      try {
        await updateSavedSearch(deps, user, search.id, request.body);
        reply.flash('success', 'La recherche a été enregistrée.');
        return reply.redirect('/recherches', 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page(
          'matching/saved-search-form',
          {
            title: 'Modifier la recherche',
            action: `/recherches/${search.id}/modifier`,
            labels,
            frequencies,
            nameMax: NAME_MAX,
            search: { ...search, url: searchUrl(search), summary: describeQuery(search.query) },
            values: request.body,
            errors: error.fields,
          },
          422,
        );
      }
    },
  );

  app.post('/recherches/:id/supprimer', { preHandler: requireUser, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
    await deleteSavedSearch(deps, currentUser(request), request.params.id);
    reply.flash('success', 'La recherche a été supprimée.');
    return reply.redirect('/recherches', 303);
  });

  app.get('/recherches/desabonnement/:token', { schema: { params: TokenParam } }, async (request, reply) => {
    const search = await findByUnsubscribeToken(deps, request.params.token);
    if (!search) return reply.page('matching/alert-unsubscribe', { title: 'Lien de désinscription invalide', invalid: true }, 404);
    return reply.page('matching/alert-unsubscribe', { title: 'Arrêter cette alerte', search, token: request.params.token });
  });

  // RFC 8058 one-click: mail clients POST without cookies; the random token is what authorises it.
  app.post(
    '/recherches/desabonnement/:token',
    {
      schema: {
        params: TokenParam,
        body: OneClickUnsubscribeBody,
      },
      config: { csrf: false },
    },
    async (request, reply) => {
      const search = await unsubscribeAlert(deps, request.params.token);
      if (!search) return reply.page('matching/alert-unsubscribe', { title: 'Lien de désinscription invalide', invalid: true }, 404);
      return reply.page('matching/alert-unsubscribe', { title: 'Alerte arrêtée', search, done: true });
    },
  );
}
