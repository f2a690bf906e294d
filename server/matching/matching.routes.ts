import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { accessibility, periodicities, slots, subthemesByTheme, themes, venues } from '../kernel/taxonomy.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { showFormErrors } from '../lib/forms.js';
import { SearchFormQuery } from '../lib/lenient-search.js';
import { formBody, formList, formText, IdParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { answerNeed } from './answer.js';
import { acmProfile } from './matching.repository.js';
import { needView, offerSuggestionView } from './matching.view.js';
import { needAnswers, needPrescriptions, partnerAnswerOptions } from './need-answers.js';
import { needResultsData, partnerPlaces, RADII, readNeedSearchForm } from './need-search.js';
import { needFormValues, needLabels } from './needs.form.js';
import { listNeedsOfAcms, proposalCounts } from './needs.repository.js';
import {
  acmMemberships,
  changeNeedStatus,
  createNeed,
  editableNeed,
  editNeed,
  loadNeed,
  needAccess,
  partnerMemberships,
  type statusActions,
} from './needs.usecases.js';
import { savedSearchRoutes } from './saved-searches.routes.js';
import { DEFAULT_MAX_TRAVEL_KM } from './score.js';
import { registerMatchingSections } from './sections.js';
import { suggestOffers, wishOfNeed } from './suggestions.js';

const needFields = {
  acmId: formText(20),
  title: formText(500),
  description: formText(10_000),
  themes: formList(20),
  subthemes: formList(60),
  ageMin: formText(10),
  ageMax: formText(10),
  groupSize: formText(10),
  slots: formList(5),
  periodicity: formText(30),
  startDate: formText(20),
  endDate: formText(20),
  budgetEur: formText(20),
  venuePreference: formList(5),
  maxTravelKm: formText(10),
  accessibilityRequired: formList(6),
};

const formOptions = {
  themes,
  subthemeGroups: themes.map((t) => ({ label: t.label, options: subthemesByTheme[t.value] })),
  accessibility,
  slots,
  periodicities,
  venues,
};

const statusButtons: Record<string, { value: keyof typeof statusActions; label: string }[]> = {
  open: [
    { value: 'fulfilled', label: 'Marquer comme pourvu' },
    { value: 'closed', label: 'Fermer sans suite' },
  ],
  fulfilled: [{ value: 'reopen', label: 'Rouvrir' }],
  closed: [{ value: 'reopen', label: 'Rouvrir' }],
};

export default async function matchingRoutes(app: App) {
  const { deps } = app;
  registerMatchingSections();

  function formPage(reply: FastifyReply, user: CurrentUser, data: Record<string, unknown>, status = 200) {
    return reply.page(
      'matching/need-form',
      { labels: needLabels, options: formOptions, defaultTripKm: DEFAULT_MAX_TRAVEL_KM, acms: acmMemberships(user), ...data },
      status,
    );
  }

  app.get('/besoins', { preHandler: requireUser, schema: { querystring: SearchFormQuery } }, async (request, reply) => {
    const user = currentUser(request);
    const acms = acmMemberships(user);
    const isPartner = partnerMemberships(user).length > 0 || user.isAdmin;
    let search: Record<string, unknown> = {};
    if (isPartner) {
      const state = await readNeedSearchForm(deps, user, request.query);
      search = { ...needResultsData(state, await deps.search.needs.search(state.search)), places: await partnerPlaces(deps, user), radii: RADII };
      if (request.wantsFragment('search-results'))
        return reply.fragment('matching/need-results', { ...search, outOfBand: !request.triggeredBy('search-form') });
    }
    const own = await listNeedsOfAcms(
      deps.db,
      acms.map((a) => a.organisationId),
    );
    const counts = await proposalCounts(
      deps.db,
      own.map((o) => o.need.id),
    );
    reply.header('Cache-Control', 'private, no-cache');
    return reply.page('matching/needs', {
      title: acms.length && !isPartner ? 'Mes besoins' : 'Besoins des accueils',
      isAcm: acms.length > 0,
      isPartner,
      acmNames: acms.length === 1 ? acms[0]!.name : 'vos accueils',
      showAcm: acms.length > 1,
      myNeeds: own.map((o) => ({ need: needView(o.need), acmName: o.acm.name, ...(counts.get(o.need.id) ?? { answers: 0, prescriptions: 0 }) })),
      ...search,
      ...(isPartner ? { map: true, scripts: ['/static/js/search.js', '/static/js/map.js'] } : {}),
    });
  });

  app.get('/besoins/carte.json', { preHandler: requireUser, schema: { querystring: SearchFormQuery } }, async (request, reply) => {
    const user = currentUser(request);
    if (!user.isAdmin && partnerMemberships(user).length === 0) throw new NotFoundError();
    const state = await readNeedSearchForm(deps, user, request.query);
    // JSON like the API's: a bad filter is a 400 that names it, not an unfiltered map.
    if (state.parameter) return reply.code(400).send({ error: 'invalid_parameter', parameter: state.parameter, message: state.error });
    const bbox = state.search.bbox ?? { west: -180, south: -90, east: 180, north: 90 };
    return deps.search.needs.map({ ...state.search, bbox });
  });

  app.get('/besoins/nouveau', { preHandler: requireUser }, async (request, reply) => {
    const user = currentUser(request);
    const acms = acmMemberships(user);
    if (acms.length === 0) throw new NotFoundError('Seuls les membres d’un accueil de loisirs peuvent publier un besoin.');
    const profile = acms.length === 1 ? await acmProfile(deps.db, acms[0]!.organisationId) : null;
    return formPage(reply, user, {
      title: 'Publier un besoin',
      action: '/besoins',
      values: needFormValues({ ageMin: profile?.ageMin ?? undefined, ageMax: profile?.ageMax ?? undefined }),
    });
  });

  app.post('/besoins', { preHandler: requireUser, schema: { body: formBody(needFields) } }, async (request, reply) => {
    const user = currentUser(request);
    try {
      const need = await createNeed(deps, user, request.body);
      reply.flash('success', 'Votre besoin est publié : voici les partenaires qui y correspondent.');
      return reply.redirect(`/besoins/${need.id}`, 303);
    } catch (error) {
      if (error instanceof ValidationError)
        return formPage(reply, user, { title: 'Publier un besoin', action: '/besoins', values: request.body, errors: error.fields }, 422);
      throw error;
    }
  });

  app.get('/besoins/:id', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const user = currentUser(request);
    const found = await loadNeed(deps, request.params.id);
    const answers = await needAnswers(deps, found.need.id);
    const access = needAccess(
      user,
      found,
      answers.map((a) => a.partnerId),
    );
    return reply.page('matching/need', await needPageData(user, found, access, answers));
  });

  async function needPageData(
    user: CurrentUser,
    found: Awaited<ReturnType<typeof loadNeed>>,
    access: ReturnType<typeof needAccess>,
    answers: Awaited<ReturnType<typeof needAnswers>>,
  ) {
    const need = needView(found.need);
    const data: Record<string, unknown> = { title: found.need.title, need, acm: found.acm, createdAt: found.need.createdAt, access };
    if (access === 'owner') {
      const [ranked, prescriptions] = await Promise.all([
        found.need.status === 'open' ? suggestOffers(deps, wishOfNeed({ ...found.need, budgetEur: found.need.budgetEur })) : [],
        needPrescriptions(deps, found.need.id),
      ]);
      data.suggestions = ranked.map((r) => offerSuggestionView(r.item, r.match));
      data.answers = answers;
      data.statusActions = statusButtons[found.need.status];
      data.prescriptions = prescriptions;
    }
    if (access === 'coordinator') {
      data.answers = answers;
      data.prescriptions = await needPrescriptions(deps, found.need.id);
      const theme = found.need.themes[0];
      data.prescribeHref = `/partenariats/prescrire?${new URLSearchParams({ accueil: String(found.acm.id), ...(theme ? { theme } : {}), besoin: String(found.need.id) })}`;
    }
    if (access === 'partner') {
      const partners = partnerMemberships(user);
      data.answerPartners = partners;
      data.answerOffers = await partnerAnswerOptions(
        deps,
        found,
        partners.map((p) => p.organisationId),
      );
      data.existingAnswers = answers.filter((a) => partners.some((p) => p.organisationId === a.partnerId));
    }
    return data;
  }

  app.get('/besoins/:id/modifier', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const user = currentUser(request);
    const found = await editableNeed(deps, user, request.params.id);
    return formPage(reply, user, {
      title: 'Modifier le besoin',
      action: `/besoins/${found.need.id}/modifier`,
      need: found.need,
      acms: [],
      values: needFormValues(found.need),
    });
  });

  app.post('/besoins/:id/modifier', { preHandler: requireUser, schema: { params: IdParam, body: formBody(needFields) } }, async (request, reply) => {
    const user = currentUser(request);
    const found = await editableNeed(deps, user, request.params.id);
    try {
      await editNeed(deps, user, found.need.id, request.body);
      reply.flash('success', 'Le besoin a été enregistré.');
      return reply.redirect(`/besoins/${found.need.id}`, 303);
    } catch (error) {
      if (error instanceof ValidationError) {
        const data = {
          title: 'Modifier le besoin',
          action: `/besoins/${found.need.id}/modifier`,
          need: found.need,
          acms: [],
          values: request.body,
          errors: error.fields,
        };
        return formPage(reply, user, data, 422);
      }
      throw error;
    }
  });

  app.post(
    '/besoins/:id/statut',
    {
      preHandler: requireUser,
      schema: { params: IdParam, body: formBody({ action: Type.Union([Type.Literal('fulfilled'), Type.Literal('closed'), Type.Literal('reopen')]) }) },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const need = await changeNeedStatus(deps, user, request.params.id, request.body.action);
      const messages = { open: 'Le besoin est de nouveau ouvert.', fulfilled: 'Le besoin est marqué comme pourvu.', closed: 'Le besoin est fermé.' };
      reply.flash('success', messages[need.status]);
      return reply.redirect(`/besoins/${need.id}`, 303);
    },
  );

  app.post(
    '/besoins/:id/reponse',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ partnerId: formText(20), offerId: formText(20), message: formText(10_000) }) } },
    async (request, reply) => {
      const user = currentUser(request);
      const found = await loadNeed(deps, request.params.id);
      const answers = await needAnswers(deps, found.need.id);
      const access = needAccess(
        user,
        found,
        answers.map((a) => a.partnerId),
      );
      if (access !== 'partner') throw new NotFoundError();
      try {
        const result = await answerNeed(deps, user, found, request.body);
        reply.flash(
          'success',
          result.created ? 'Votre réponse est envoyée : suivez l’échange ici.' : 'Vous avez déjà un échange ouvert sur ce besoin : le voici.',
        );
        return reply.redirect(`/demandes/${result.requestId}`, 303);
      } catch (error) {
        const data = await needPageData(user, found, access, answers);
        return showFormErrors(reply, 'matching/need', request.body, data)(error);
      }
    },
  );

  await savedSearchRoutes(app);
}
