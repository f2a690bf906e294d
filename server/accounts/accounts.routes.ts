import { Type } from '@sinclair/typebox';
import { showFormErrors } from '../lib/forms.js';
import { formBody, formText, NextQuery, safeNext, TokenParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { findUserById, findValidEmailToken } from './accounts.repository.js';
import {
  authenticate,
  changePassword,
  confirmEmail,
  requestPasswordReset,
  resendConfirmation,
  resetPassword,
  signUp,
  UnconfirmedEmailError,
  updateProfile,
} from './accounts.usecases.js';
import { limitAttempts } from './attempt-limits.js';
import { currentUser, requireUser } from './guards.js';
import { deleteOwnSession, hashToken, listUserSessions } from './sessions.repository.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export default async function accountsRoutes(app: App) {
  const { deps } = app;
  const signInLimit = limitAttempts(app, 'sign-in', {
    perIpAndAccount: { max: 10, windowMs: 15 * MINUTE },
    perAccount: { max: 20, windowMs: HOUR },
    perIp: { max: 50, windowMs: 15 * MINUTE },
  });
  // Every attempt of these sends an email to the address: mail bombing is the risk.
  const mailLimit = (family: string, perAccount = 5) =>
    limitAttempts(app, family, { perAccount: { max: perAccount, windowMs: HOUR }, perIp: { max: 20, windowMs: HOUR } });
  // A sign-up form sent back with errors counts too: room for a few corrections.
  const signUpLimit = mailLimit('sign-up', 10);
  const resetLimit = mailLimit('password-reset');
  const resendLimit = mailLimit('confirmation-resend');
  const resetTokenLimit = limitAttempts(
    app,
    'reset-token',
    { perAccount: { max: 10, windowMs: 15 * MINUTE }, perIp: { max: 20, windowMs: 15 * MINUTE } },
    (request) => hashToken((request.params as { token: string }).token),
  );
  const passwordChangeLimit = limitAttempts(
    app,
    'password-change',
    { perAccount: { max: 10, windowMs: 15 * MINUTE }, perIp: { max: 50, windowMs: 15 * MINUTE } },
    (request) => String(request.user?.id ?? ''),
  );

  app.get('/inscription', async (request, reply) => {
    if (request.user) return reply.redirect('/tableau-de-bord');
    return reply.page('accounts/sign-up', { title: 'Créer un compte' });
  });

  app.post(
    '/inscription',
    {
      schema: { body: formBody({ name: formText(), email: formText(), password: formText(), passwordConfirm: formText(), terms: formText() }) },
      preHandler: signUpLimit,
    },
    async (request, reply) =>
      signUp(deps, request.body).then(
        ({ email }) => reply.page('accounts/check-email', { title: 'Vérifiez votre messagerie', email }),
        showFormErrors(reply, 'accounts/sign-up', { ...request.body, password: '', passwordConfirm: '' }, { title: 'Créer un compte' }),
      ),
  );

  app.get('/confirmation/:token', { schema: { params: TokenParam } }, async (request, reply) => {
    const user = await confirmEmail(deps, request.params.token);
    if (!user) return reply.page('accounts/token-invalid', { title: 'Lien expiré', kind: 'confirmation' }, 400);
    // No session from a link: whoever opens it (a link planted by someone else included) must sign in.
    if (request.user?.id === user.id) {
      reply.flash('success', 'Votre adresse e-mail est confirmée. Bienvenue sur Passerelle !');
      return reply.redirect('/bienvenue');
    }
    reply.flash('success', 'Votre adresse e-mail est confirmée. Connectez-vous pour commencer.');
    return reply.redirect(`/connexion?suivant=${encodeURIComponent('/bienvenue')}`);
  });

  app.post('/confirmation/renvoyer', { schema: { body: formBody({ email: formText(300) }) }, preHandler: resendLimit }, async (request, reply) => {
    if (request.body.email) await resendConfirmation(deps, request.body.email.trim().toLowerCase());
    return reply.page('accounts/check-email', { title: 'Vérifiez votre messagerie', email: request.body.email ?? '' });
  });

  app.get('/connexion', { schema: { querystring: NextQuery } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.suivant));
    return reply.page('accounts/sign-in', { title: 'Se connecter', next: request.query.suivant ?? '' });
  });

  app.post(
    '/connexion',
    {
      schema: { body: formBody({ email: formText(), password: formText(), suivant: formText(500) }) },
      preHandler: signInLimit,
    },
    async (request, reply) => {
      const next = request.body.suivant ?? '';
      try {
        const user = await authenticate(deps, request.body);
        await reply.signIn(user.id);
        return reply.redirect(safeNext(next), 303);
      } catch (error) {
        if (error instanceof UnconfirmedEmailError) {
          return reply.page('accounts/sign-in', { title: 'Se connecter', next, values: { email: error.email }, unconfirmedEmail: error.email }, 403);
        }
        return showFormErrors(reply, 'accounts/sign-in', { email: request.body.email }, { title: 'Se connecter', next })(error);
      }
    },
  );

  app.post('/deconnexion', { schema: { body: formBody({}) } }, async (_request, reply) => {
    await reply.signOut();
    reply.flash('info', 'Vous êtes déconnecté·e.');
    return reply.redirect('/', 303);
  });

  app.get('/mot-de-passe-oublie', async (_request, reply) => reply.page('accounts/forgot-password', { title: 'Mot de passe oublié' }));

  app.post('/mot-de-passe-oublie', { schema: { body: formBody({ email: formText() }) }, preHandler: resetLimit }, async (request, reply) =>
    requestPasswordReset(deps, request.body).then(
      () => reply.page('accounts/forgot-password-sent', { title: 'Vérifiez votre messagerie', email: request.body.email }),
      showFormErrors(reply, 'accounts/forgot-password', request.body, { title: 'Mot de passe oublié' }),
    ),
  );

  app.get('/reinitialisation/:token', { schema: { params: TokenParam } }, async (request, reply) => {
    const token = await findValidEmailToken(deps.db, request.params.token, 'reset-password', deps.clock.now());
    if (!token) return reply.page('accounts/token-invalid', { title: 'Lien expiré', kind: 'reset' }, 400);
    return reply.page('accounts/reset-password', { title: 'Nouveau mot de passe', token: request.params.token });
  });

  app.post(
    '/reinitialisation/:token',
    {
      schema: { params: TokenParam, body: formBody({ password: formText(), passwordConfirm: formText() }) },
      preHandler: resetTokenLimit,
    },
    async (request, reply) => {
      const data = { title: 'Nouveau mot de passe', token: request.params.token };
      try {
        const user = await resetPassword(deps, request.params.token, request.body);
        await reply.signIn(user.id);
        reply.flash('success', 'Votre mot de passe a été changé. Vos autres sessions ont été fermées.');
        return reply.redirect('/tableau-de-bord', 303);
      } catch (error) {
        return showFormErrors(reply, 'accounts/reset-password', {}, data)(error);
      }
    },
  );

  app.get('/compte', { preHandler: requireUser }, async (request, reply) => {
    const user = currentUser(request);
    const profile = await findUserById(deps.db, user.id);
    const userSessions = await listUserSessions(deps.db, user.id);
    return reply.page('accounts/settings', {
      title: 'Mon compte',
      values: { name: profile?.name, jobTitle: profile?.jobTitle, phone: profile?.phone },
      sessions: userSessions.map((s) => ({ ...s, current: request.sessionToken ? s.id === hashToken(request.sessionToken) : false })),
    });
  });

  app.post(
    '/compte',
    { preHandler: requireUser, schema: { body: formBody({ name: formText(), jobTitle: formText(), phone: formText() }) } },
    async (request, reply) => {
      const user = currentUser(request);
      try {
        await updateProfile(deps, user.id, request.body);
        reply.flash('success', 'Vos informations ont été enregistrées.');
        return reply.redirect('/compte', 303);
      } catch (error) {
        const userSessions = await listUserSessions(deps.db, user.id);
        return showFormErrors(reply, 'accounts/settings', request.body, { title: 'Mon compte', sessions: userSessions })(error);
      }
    },
  );

  app.post(
    '/compte/mot-de-passe',
    {
      preHandler: [requireUser, passwordChangeLimit],
      schema: { body: formBody({ currentPassword: formText(), password: formText(), passwordConfirm: formText() }) },
    },
    async (request, reply) => {
      const user = currentUser(request);
      try {
        await changePassword(deps, user.id, request.sessionToken, request.body);
        reply.flash('success', 'Mot de passe changé. Vos autres sessions ont été fermées.');
        return reply.redirect('/compte', 303);
      } catch (error) {
        const userSessions = await listUserSessions(deps.db, user.id);
        return showFormErrors(reply, 'accounts/settings', { name: user.name }, { title: 'Mon compte', sessions: userSessions, passwordErrors: true })(error);
      }
    },
  );

  app.post(
    '/compte/sessions/:sessionId/revoquer',
    { preHandler: requireUser, schema: { params: Type.Object({ sessionId: Type.String({ pattern: '^[a-f0-9]{64}$' }) }), body: formBody({}) } },
    async (request, reply) => {
      const user = currentUser(request);
      await deleteOwnSession(deps.db, user.id, request.params.sessionId);
      reply.flash('success', 'La session a été fermée.');
      return reply.redirect('/compte', 303);
    },
  );
}
