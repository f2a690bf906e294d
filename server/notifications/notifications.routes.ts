import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import { currentUser, requireUser } from '../accounts/guards.js';
import { showFormErrors } from '../lib/forms.js';
import { formBody, IdParam } from '../lib/schemas.js';
import { emailModes } from './notification-types.js';
import { listNotifications, markRead, unreadCount } from './notifications.repository.js';
import { openNotification, preferencesPage, readUnsubscribeToken, savePreferences, unsubscribe } from './notifications.usecases.js';
import { UNSUBSCRIBE_TOKEN_PATTERN } from './unsubscribe.js';

const PER_PAGE = 30;
const TokenParam = Type.Object({ token: Type.String({ pattern: UNSUBSCRIBE_TOKEN_PATTERN, maxLength: 120 }) });
const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })), nonlues: Type.Optional(Type.Literal('1')) });

/** The header bell's count comes with the session (findSessionWithUser), read once per request. */
export default fp(
  async (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const { deps } = app;

    app.get('/notifications/compteur', async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      // An expired session: leave the bell as it is rather than swap a sign-in page into it.
      if (!request.user) return reply.code(204).send();
      const count = await unreadCount(deps.db, request.user.id);
      return reply.fragment('notifications/bell', { count });
    });

    app.get('/notifications', { preHandler: requireUser, schema: { querystring: PageQuery } }, async (request, reply) => {
      const user = currentUser(request);
      const page = request.query.page ?? 1;
      const unreadOnly = request.query.nonlues === '1';
      const { items, total } = await listNotifications(deps.db, user.id, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE, unreadOnly });
      return reply.page('notifications/index', {
        title: 'Notifications',
        items,
        total,
        page,
        pages: Math.max(1, Math.ceil(total / PER_PAGE)),
        unreadOnly,
        unread: user.unreadNotifications ?? 0,
      });
    });

    app.get('/notifications/:id/ouvrir', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
      const target = await openNotification(deps, currentUser(request).id, request.params.id);
      return reply.redirect(target);
    });

    app.post('/notifications/:id/lue', { preHandler: requireUser, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
      await markRead(deps.db, currentUser(request).id, [request.params.id], deps.clock.now());
      return reply.redirect('/notifications', 303);
    });

    app.post('/notifications/tout-lu', { preHandler: requireUser, schema: { body: formBody({}) } }, async (request, reply) => {
      await markRead(deps.db, currentUser(request).id, 'all', deps.clock.now());
      reply.flash('success', 'Toutes vos notifications sont marquées comme lues.');
      return reply.redirect('/notifications', 303);
    });

    const preferencesData = { title: 'Préférences de notification', modes: emailModes };

    app.get('/compte/notifications', { preHandler: requireUser }, async (request, reply) => {
      const { groups } = await preferencesPage(deps, currentUser(request).id);
      return reply.page('notifications/preferences', { ...preferencesData, groups });
    });

    app.post(
      '/compte/notifications',
      {
        preHandler: requireUser,
        schema: {
          body: Type.Object(
            { _csrf: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: Type.String({ maxLength: 20 }), maxProperties: 200 },
          ),
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        try {
          await savePreferences(deps, user.id, request.body);
        } catch (error) {
          const { groups } = await preferencesPage(deps, user.id);
          return showFormErrors(reply, 'notifications/preferences', request.body, { ...preferencesData, groups })(error);
        }
        reply.flash('success', 'Vos préférences de notification sont enregistrées.');
        return reply.redirect('/compte/notifications', 303);
      },
    );

    app.get('/notifications/desabonnement/:token', { schema: { params: TokenParam } }, async (request, reply) => {
      const target = readUnsubscribeToken(deps, request.params.token);
      if (!target) return reply.page('notifications/unsubscribe', { title: 'Lien de désinscription invalide', invalid: true }, 404);
      return reply.page('notifications/unsubscribe', { title: 'Se désinscrire', target, token: request.params.token });
    });

    // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" (urlencoded or multipart)
    // without any cookie, so this route has no CSRF check and no body schema: the signed token in
    // the path is what authorises it, whatever the body holds.
    app.post('/notifications/desabonnement/:token', { schema: { params: TokenParam }, config: { csrf: false } }, async (request, reply) => {
      const target = readUnsubscribeToken(deps, request.params.token);
      if (!target) return reply.page('notifications/unsubscribe', { title: 'Lien de désinscription invalide', invalid: true }, 404);
      await unsubscribe(deps, request.params.token);
      return reply.page('notifications/unsubscribe', { title: 'Désinscription enregistrée', target, done: true });
    });
  },
  { name: 'notifications-routes', dependencies: ['view', 'session'] },
);
