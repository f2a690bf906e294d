import { Type } from '@sinclair/typebox';
import { currentUser, requireUser } from '../accounts/guards.js';
import { parisToday } from '../kernel/paris-time.js';
import { charterAxes, partnershipReasons } from '../kernel/taxonomy.js';
import { ValidationError } from '../lib/errors.js';
import { showFormErrors } from '../lib/forms.js';
import { formBody, formList, formText, IdParam } from '../lib/schemas.js';
import { dashboardSections } from '../organisations/dashboard.js';
import type { App } from '../types.js';
import animationRoutes from './animation.routes.js';
import { listUserFeeds } from './calendar.repository.js';
import conventionRoutes from './convention.routes.js';
import { loadDashboardBlock } from './dashboard.js';
import documentsRoutes from './documents.routes.js';
import { documentsSummary } from './documents.usecases.js';
import { createFeed, renderFeed, revokeUserFeed } from './ical.js';
import { statusLabels } from './labels.js';
import { progressOf } from './overview.js';
import { listHistory } from './partnerships.repository.js';
import {
  confirmPartnership,
  declinePartnership,
  INTERVENANT_ROWS_EXTRA,
  listUserPartnerships,
  MAX_INTERVENANTS,
  MAX_OBJECTIVES,
  OBJECTIVE_ROWS_EXTRA,
  updateCommitments,
  updateDefinition,
  updateIntervenants,
} from './partnerships.usecases.js';
import { partnerOfferOptions, prescribePartnership, prescriptionChoices, prescriptionPartnerSwap, prescriptionPrefill } from './prescription.usecases.js';
import reviewRoutes from './review.routes.js';
import { accessFor, handleForm, renderWorkspacePage } from './workspace.http.js';

const objectiveFields = Object.fromEntries(
  Array.from({ length: MAX_OBJECTIVES + OBJECTIVE_ROWS_EXTRA }, (_, i) => [
    [`objective_${i}`, formText(1000)],
    [`operational_${i}`, formText(5000)],
  ]).flat(),
);
const intervenantFields = Object.fromEntries(
  Array.from({ length: MAX_INTERVENANTS + INTERVENANT_ROWS_EXTRA }, (_, i) =>
    ['name', 'birthDate', 'birthPlace', 'qualification', 'cardNumber', 'cardExpiry'].map((k) => [`intervenant_${k}_${i}`, formText(500)]),
  ).flat(),
);
const IntegerId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
/** The prescription form opened from a coverage gap or a need: the ACM, the theme and age band that lack offers or the need, a partner chosen among the suggestions. */
const PrescribeQuery = Type.Object({
  accueil: Type.Optional(IntegerId),
  partenaire: Type.Optional(IntegerId),
  theme: Type.Optional(Type.String({ maxLength: 30 })),
  age: Type.Optional(Type.String({ maxLength: 10 })),
  besoin: Type.Optional(IntegerId),
});
const FeedParam = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' }) });

export default async function partnershipsRoutes(app: App) {
  const { deps } = app;

  dashboardSections.register({ id: 'partnerships', order: 30, load: loadDashboardBlock });

  app.get('/partenariats', { preHandler: requireUser }, async (request, reply) => {
    const user = currentUser(request);
    const [rows, feeds] = await Promise.all([listUserPartnerships(deps, user), listUserFeeds(deps.db, user.id)]);
    const progress = await progressOf(
      deps.db,
      rows.map((r) => r.partnership),
      parisToday(deps.clock.now()),
    );
    return reply.page('partnerships/list', {
      title: 'Mes partenariats',
      rows,
      progress,
      feeds,
      statusLabels,
      isCoordinator: user.coordinatorScopes.length > 0,
    });
  });

  app.get('/partenariats/prescrire', { preHandler: requireUser, schema: { querystring: PrescribeQuery } }, async (request, reply) => {
    const choices = await prescriptionChoices(deps, currentUser(request));
    const prefill = await prescriptionPrefill(deps, choices, request.query);
    return reply.page('partnerships/prescribe', {
      title: 'Prescrire un partenariat',
      ...choices,
      values: prefill.values,
      offerOptions: prefill.offerOptions,
      suggestions: prefill.suggestions,
      openedQuery: prefill.openedQuery,
      context: prefill.context,
      query: request.query,
      reasons: partnershipReasons,
      axes: charterAxes,
    });
  });

  /**
   * The « Offre proposée » field for the partner just chosen (htmx swaps it when the partner select
   * changes), with that partner's best-suited offer selected and, for a form opened from a gap or a
   * need (its query kept in the select's URL), the suggestions with « choisi » moved to that partner.
   */
  app.get(
    '/partenariats/prescrire/offres',
    { preHandler: requireUser, schema: { querystring: Type.Composite([PrescribeQuery, Type.Object({ partnerId: Type.Optional(IntegerId) })]) } },
    async (request, reply) => {
      const { partnerId, ...opened } = request.query;
      const swap = await prescriptionPartnerSwap(deps, await prescriptionChoices(deps, currentUser(request)), opened, partnerId ?? null);
      return reply.fragment('partnerships/prescribe-partner', swap);
    },
  );

  app.post(
    '/partenariats/prescrire',
    {
      preHandler: requireUser,
      schema: {
        // What the form was opened for (its action keeps it), to show again with the errors.
        querystring: PrescribeQuery,
        body: formBody({
          acmId: formText(20),
          partnerId: formText(20),
          needId: formText(20),
          offerId: formText(20),
          title: formText(),
          message: formText(),
          objective: formText(),
          reasons: formList(),
          charterAxes: formList(),
        }),
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      try {
        const id = await prescribePartnership(deps, user, request.body);
        reply.flash('success', 'Le partenariat est proposé : les deux structures sont prévenues et doivent le confirmer.');
        return reply.redirect(`/partenariats/${id}`, 303);
      } catch (error) {
        // Ranking the suggestions again is only worth it for a form shown back with its errors.
        if (!(error instanceof ValidationError)) throw error;
        const choices = await prescriptionChoices(deps, user);
        const partnerId = Number(request.body.partnerId);
        const chosen = Number.isSafeInteger(partnerId) && partnerId > 0 ? partnerId : null;
        const { partenaire: _, ...opened } = request.query;
        const prefill = await prescriptionPrefill(deps, choices, { ...opened, ...(chosen ? { partenaire: chosen } : {}) });
        return showFormErrors(reply, 'partnerships/prescribe', request.body, {
          title: 'Prescrire un partenariat',
          ...choices,
          offerOptions: await partnerOfferOptions(deps, choices, chosen),
          suggestions: prefill.suggestions,
          context: prefill.context,
          openedQuery: prefill.openedQuery,
          reasons: partnershipReasons,
          axes: charterAxes,
        })(error);
      }
    },
  );

  app.get('/partenariats/:id', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'workspace', 'Espace de travail', async (ws) => ({
      history: await listHistory(deps.db, ws.partnership.id, 8),
      documents: await documentsSummary(deps, access),
    }));
  });

  app.get('/partenariats/:id/historique', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'history', 'Historique', async (ws) => ({ history: await listHistory(deps.db, ws.partnership.id) }));
  });

  app.get('/partenariats/:id/definition', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'definition', '1 · Définition');
  });

  app.get('/partenariats/:id/recherche', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'search', '2 · Recherche et choix');
  });

  const definitionForm = (form: string) => ({ template: 'definition', title: '1 · Définition', form });

  app.post(
    '/partenariats/:id/definition',
    {
      preHandler: requireUser,
      schema: {
        params: IdParam,
        body: formBody({
          confirm: formText(10),
          title: formText(),
          expectedResults: formText(),
          finalRealisation: formText(),
          reasons: formList(),
          charterAxes: formList(),
          childrenExpected: formText(20),
          ageMin: formText(20),
          ageMax: formText(20),
          budgetEur: formText(40),
          ...objectiveFields,
        }),
      },
    },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        ...definitionForm('definition'),
        run: () => updateDefinition(deps, access, request.body),
        success: 'La définition est enregistrée.',
        redirect: `/partenariats/${access.partnership.id}/definition`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/engagements',
    {
      preHandler: requireUser,
      schema: {
        params: IdParam,
        body: formBody({
          confirm: formText(10),
          side: formText(20),
          commitments: formText(),
          humanResources: formText(),
          materialResources: formText(),
          financialResources: formText(),
          referentName: formText(),
          referentContact: formText(),
        }),
      },
    },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        ...definitionForm(`commitments-${request.body.side ?? ''}`),
        run: () => updateCommitments(deps, access, request.body),
        success: 'Vos engagements et ressources sont enregistrés.',
        redirect: `/partenariats/${access.partnership.id}/definition#engagements`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/intervenants',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ ...intervenantFields, confirm: formText(10) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        ...definitionForm('intervenants'),
        run: () => updateIntervenants(deps, access, request.body),
        success: 'La liste des intervenants est enregistrée.',
        redirect: `/partenariats/${access.partnership.id}/definition#intervenants`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/confirmer',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ side: formText(20) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      const { started } = await confirmPartnership(deps, access, request.body);
      reply.flash(
        'success',
        started
          ? 'Les deux structures ont confirmé : le partenariat démarre.'
          : 'Votre confirmation est enregistrée ; l’autre structure doit confirmer à son tour.',
      );
      return reply.redirect(`/partenariats/${access.partnership.id}`, 303);
    },
  );

  app.post(
    '/partenariats/:id/refuser',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ side: formText(20), reason: formText() }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        template: 'workspace',
        title: 'Espace de travail',
        form: 'decline',
        run: () => declinePartnership(deps, access, request.body),
        success: 'Vous avez décliné ce partenariat.',
        redirect: `/partenariats/${access.partnership.id}`,
        values: request.body,
        load: async (ws) => ({ history: await listHistory(deps.db, ws.partnership.id, 8) }),
      });
    },
  );

  // iCal feeds: created by a signed-in member, read by calendar apps with the secret URL only.
  app.post('/partenariats/:id/agenda', { preHandler: requireUser, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const url = await createFeed(deps, currentUser(request), access);
    return reply.page('partnerships/feed-created', { title: 'Abonnement au calendrier', url, partnership: access.partnership });
  });

  app.post('/partenariats/agenda', { preHandler: requireUser, schema: { body: formBody({}) } }, async (request, reply) => {
    const url = await createFeed(deps, currentUser(request), null);
    return reply.page('partnerships/feed-created', { title: 'Abonnement au calendrier', url, partnership: null });
  });

  app.post(
    '/partenariats/agenda/:feedId/revoquer',
    {
      preHandler: requireUser,
      schema: { params: Type.Object({ feedId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }), body: formBody({ retour: formText(300) }) },
    },
    async (request, reply) => {
      await revokeUserFeed(deps, currentUser(request), request.params.feedId);
      reply.flash('success', 'Le lien d’abonnement est révoqué : les agendas qui l’utilisent ne recevront plus les séances.');
      const back = request.body.retour && /^\/partenariats(\/\d+\/animation)?$/.test(request.body.retour) ? request.body.retour : '/partenariats';
      return reply.redirect(back, 303);
    },
  );

  app.get('/calendriers/:token.ics', { schema: { params: FeedParam } }, async (request, reply) => {
    const ics = await renderFeed(deps, request.params.token);
    if (!ics) return reply.code(404).type('text/plain; charset=utf-8').send('Calendrier introuvable ou lien révoqué.');
    return reply.type('text/calendar; charset=utf-8').header('Cache-Control', 'private, max-age=300').header('X-Robots-Tag', 'noindex').send(ics);
  });

  await app.register(conventionRoutes);
  await app.register(animationRoutes);
  await app.register(reviewRoutes);
  await app.register(documentsRoutes);
}
