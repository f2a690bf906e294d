import type { MultipartFile } from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyRequest } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import { partnershipReasons, slots } from '../kernel/taxonomy.js';
import { AppError, ValidationError } from '../lib/errors.js';
import { showFormErrors } from '../lib/forms.js';
import { formBody, formList, formText } from '../lib/schemas.js';
import { unreadCount } from '../notifications/notifications.repository.js';
import type { App } from '../types.js';
import { contentDisposition } from './attachments.js';
import { loadInbox } from './inbox.js';
import { statusFilters } from './labels.js';
import { createTemplate, editTemplate, ownTemplate, removeTemplate, templateOwner } from './reply-templates.js';
import { acmsOf, defaultValues, NotAnAcmError, openRequestsFor, type RequestTarget, resolveTarget } from './request-form.js';
import { findMessage, listTemplates } from './requests.repository.js';
import {
  acceptRequest,
  accessThread,
  createRequest,
  DuplicateRequestError,
  declineRequest,
  postMessage,
  type UploadedFile,
  withdrawRequest,
} from './requests.usecases.js';
import { registerRequestSections } from './sections.js';
import { loadThread } from './thread.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const RequestParams = Type.Object({ id: Id });
const AttachmentParams = Type.Object({ id: Id, messageId: Id });
const TemplateParams = Type.Object({ templateId: Id });
const TargetQuery = Type.Object({ offre: Type.Optional(Id), structure: Type.Optional(Id) });
const StructureQuery = Type.Object({ structure: Type.Optional(Id) });
const InboxQuery = Type.Object({
  structure: Type.Optional(Id),
  boite: Type.Optional(Type.Union([Type.Literal('recues'), Type.Literal('envoyees')])),
  statut: Type.Optional(Type.Union([Type.Literal(''), ...statusFilters.map((f) => Type.Literal(f.value))])),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
const RequestForm = formBody({
  acmId: formText(20),
  periodStart: formText(20),
  periodEnd: formText(20),
  slots: formList(10),
  childrenCount: formText(20),
  ageMin: formText(20),
  ageMax: formText(20),
  adultsCount: formText(20),
  objectives: formList(30),
  objectivesOther: formText(5000),
  message: formText(50_000),
});
const MessageForm = formBody({ body: formText(100_000) });
const TemplateForm = formBody({ title: formText(1000), body: formText(50_000) });

const formLabels = {
  acmId: 'Accueil',
  periodStart: 'Début de la période',
  periodEnd: 'Fin de la période',
  slots: 'Créneaux',
  childrenCount: 'Nombre d’enfants',
  ageMin: 'Âge minimum',
  ageMax: 'Âge maximum',
  adultsCount: 'Adultes présents',
  objectives: 'Objectifs',
  objectivesOther: 'Autres objectifs',
  message: 'Message',
  body: 'Message',
  attachment: 'Pièce jointe',
  declineCode: 'Motif',
  declineMessage: 'Message au demandeur',
  withdrawMessage: 'Message',
  title: 'Titre',
};

/** Limits per signed-in user (a shared office IP does not limit its colleagues). */
function perUser(max: number, timeWindow: number) {
  return { max, timeWindow, keyGenerator: (request: FastifyRequest) => `${request.routeOptions.url}|${request.user?.id ?? request.ip}` };
}

/** Reads a message form, multipart (with an optional file) or urlencoded. */
async function readMessageForm(request: FastifyRequest): Promise<{ body: unknown; file: UploadedFile | null }> {
  if (!request.isMultipart()) {
    const form = request.body;
    if (!Value.Check(MessageForm, form)) throw new AppError(400, 'Paramètre « body » invalide.', 'invalid_parameter');
    return { body: form.body, file: null };
  }
  let body: unknown;
  let file: UploadedFile | null = null;
  // Past the size limit the file is cut and flagged as truncated instead of failing the request,
  // so the form can say so next to the field (the option exists at runtime; the typings omit it).
  const options = { throwFileSizeLimit: false } as unknown as Parameters<FastifyRequest['parts']>[0];
  for await (const part of request.parts(options)) {
    if (part.type === 'file') {
      const upload = part as MultipartFile;
      const data = await upload.toBuffer();
      if (upload.fieldname === 'attachment' && upload.filename) file = { filename: upload.filename, data, truncated: upload.file.truncated };
    } else if (part.fieldname === 'body' && typeof part.value === 'string') body = part.value;
  }
  return { body, file };
}

export default async function requestsRoutes(app: App) {
  const { deps } = app;

  registerRequestSections();

  // Inboxes

  app.get('/demandes', { preHandler: requireUser, schema: { querystring: InboxQuery } }, async (request, reply) => {
    const inbox = await loadInbox(deps, currentUser(request), request.query);
    const data = { title: 'Demandes de partenariat', inbox };
    if (request.wantsFragment('request-list')) return reply.fragment('requests/inbox-list', data);
    return reply.page('requests/index', data);
  });

  // New request

  async function formPage(request: FastifyRequest, target: RequestTarget, extra: Record<string, unknown> = {}) {
    const user = currentUser(request);
    const acms = await acmsOf(deps, user);
    if (acms.length === 0) throw new NotAnAcmError();
    const existing = await openRequestsFor(deps, acms, target);
    return {
      title: 'Proposer un partenariat',
      target,
      acms,
      existing,
      options: { slots, reasons: partnershipReasons },
      labels: formLabels,
      action: target.offer ? `/demandes/nouvelle?offre=${target.offer.id}` : `/demandes/nouvelle?structure=${target.partner.id}`,
      ...extra,
    };
  }

  app.get('/demandes/nouvelle', { preHandler: requireUser, schema: { querystring: TargetQuery } }, async (request, reply) => {
    const target = await resolveTarget(deps, request.query);
    const data = await formPage(request, target);
    return reply.page('requests/new', { ...data, values: defaultValues(target, data.acms[0], deps.clock.now()) });
  });

  app.post(
    '/demandes/nouvelle',
    { preHandler: requireUser, schema: { querystring: TargetQuery, body: RequestForm }, config: { rateLimit: perUser(30, 60 * 60_000) } },
    async (request, reply) => {
      const user = currentUser(request);
      const target = await resolveTarget(deps, request.query);
      try {
        const created = await createRequest(deps, user, target, request.body);
        reply.flash('success', `Votre demande a été envoyée à ${target.partner.name}. Vous serez prévenu·e de sa réponse.`);
        return reply.redirect(`/demandes/${created.id}`, 303);
      } catch (error) {
        if (error instanceof DuplicateRequestError) {
          return reply.page('requests/duplicate', { title: 'Demande déjà en cours', existingId: error.existingId, target }, 409);
        }
        if (error instanceof ValidationError) {
          return showFormErrors(reply, 'requests/new', request.body, await formPage(request, target))(error);
        }
        throw error;
      }
    },
  );

  // Quick replies (static paths: registered before /demandes/:id so they are never read as ids)

  app.get('/demandes/reponses-rapides', { preHandler: requireUser, schema: { querystring: StructureQuery } }, async (request, reply) => {
    const owner = templateOwner(currentUser(request), request.query.structure);
    const templates = await listTemplates(deps.db, owner.organisationId);
    return reply.page('requests/templates', { title: 'Réponses rapides', owner, templates, labels: formLabels });
  });

  app.post(
    '/demandes/reponses-rapides',
    { preHandler: requireUser, schema: { querystring: Type.Object({ structure: Id }), body: TemplateForm } },
    async (request, reply) => {
      const user = currentUser(request);
      const owner = templateOwner(user, request.query.structure);
      try {
        await createTemplate(deps, user, owner.organisationId, request.body);
      } catch (error) {
        const templates = await listTemplates(deps.db, owner.organisationId);
        return showFormErrors(reply, 'requests/templates', request.body, { title: 'Réponses rapides', owner, templates, labels: formLabels })(error);
      }
      reply.flash('success', 'La réponse rapide est enregistrée.');
      return reply.redirect(`/demandes/reponses-rapides?structure=${owner.organisationId}`, 303);
    },
  );

  app.get('/demandes/reponses-rapides/:templateId/modifier', { preHandler: requireUser, schema: { params: TemplateParams } }, async (request, reply) => {
    const template = await ownTemplate(deps, currentUser(request), request.params.templateId);
    return reply.page('requests/template-edit', { title: 'Modifier une réponse rapide', template, values: template, labels: formLabels });
  });

  app.post(
    '/demandes/reponses-rapides/:templateId',
    { preHandler: requireUser, schema: { params: TemplateParams, body: TemplateForm } },
    async (request, reply) => {
      const user = currentUser(request);
      const template = await ownTemplate(deps, user, request.params.templateId);
      try {
        await editTemplate(deps, user, template.id, request.body);
      } catch (error) {
        return showFormErrors(reply, 'requests/template-edit', request.body, { title: 'Modifier une réponse rapide', template, labels: formLabels })(error);
      }
      reply.flash('success', 'La réponse rapide est modifiée.');
      return reply.redirect(`/demandes/reponses-rapides?structure=${template.organisationId}`, 303);
    },
  );

  app.post(
    '/demandes/reponses-rapides/:templateId/supprimer',
    { preHandler: requireUser, schema: { params: TemplateParams, body: formBody({}) } },
    async (request, reply) => {
      const template = await removeTemplate(deps, currentUser(request), request.params.templateId);
      reply.flash('success', `La réponse rapide « ${template.title} » est supprimée.`);
      return reply.redirect(`/demandes/reponses-rapides?structure=${template.organisationId}`, 303);
    },
  );

  // Thread

  async function threadData(request: FastifyRequest, id: number, extra: Record<string, unknown> = {}) {
    const user = currentUser(request);
    const thread = await loadThread(deps, user, id);
    // Opening the thread marked its notifications read: the header bell shows the new count.
    user.unreadNotifications = await unreadCount(deps.db, user.id);
    return { title: `Demande : ${thread.subject}`, thread, labels: formLabels, scripts: ['/static/js/thread.js'], ...extra };
  }

  app.get('/demandes/:id', { preHandler: requireUser, schema: { params: RequestParams } }, async (request, reply) => {
    return reply.page('requests/show', await threadData(request, request.params.id));
  });

  // No body schema: the form is multipart (optional file), read part by part in readMessageForm;
  // a urlencoded post (no file) is checked there against MessageForm.
  app.post(
    '/demandes/:id/messages',
    { preHandler: requireUser, schema: { params: RequestParams }, config: { rateLimit: perUser(60, 10 * 60_000) } },
    async (request, reply) => {
      const user = currentUser(request);
      const id = request.params.id;
      const fragment = request.wantsFragment('thread');
      const input = await readMessageForm(request);
      try {
        const message = await postMessage(deps, user, id, input);
        if (fragment) return reply.fragment('requests/thread', await threadData(request, id, { justPosted: message.id }));
        return reply.redirect(`/demandes/${id}#message-${message.id}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const values = { body: typeof input.body === 'string' ? input.body : '' };
        const data = await threadData(request, id, { values, errors: error.fields });
        return fragment ? reply.fragment('requests/thread', data, 422) : reply.page('requests/show', data, 422);
      }
    },
  );

  app.get('/demandes/:id/pieces-jointes/:messageId', { preHandler: requireUser, schema: { params: AttachmentParams } }, async (request, reply) => {
    const { request: row } = await accessThread(deps.db, currentUser(request), request.params.id);
    const message = await findMessage(deps.db, row.id, request.params.messageId);
    const data = message?.attachmentPath ? await deps.storage.get(message.attachmentPath) : null;
    if (!message || !data) return reply.callNotFound();
    return reply
      .header('Content-Type', message.attachmentType ?? 'application/octet-stream')
      .header('Content-Disposition', contentDisposition(message.attachmentName ?? 'piece-jointe'))
      .header('Cache-Control', 'private, no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(data);
  });

  // Decisions

  app.post('/demandes/:id/accepter', { preHandler: requireUser, schema: { params: RequestParams, body: formBody({}) } }, async (request, reply) => {
    await acceptRequest(deps, currentUser(request), request.params.id);
    reply.flash('success', 'Demande acceptée : le partenariat est créé. Définissez maintenant ensemble ses objectifs.');
    return reply.redirect(`/demandes/${request.params.id}`, 303);
  });

  app.post(
    '/demandes/:id/decliner',
    { preHandler: requireUser, schema: { params: RequestParams, body: formBody({ declineCode: formText(50), declineMessage: formText(50_000) }) } },
    async (request, reply) => {
      const id = request.params.id;
      try {
        await declineRequest(deps, currentUser(request), id, request.body);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page('requests/show', await threadData(request, id, { values: request.body, errors: error.fields, openDecline: true }), 422);
      }
      reply.flash('info', 'Vous avez décliné la demande. L’accueil en est informé.');
      return reply.redirect(`/demandes/${id}`, 303);
    },
  );

  app.post(
    '/demandes/:id/retirer',
    { preHandler: requireUser, schema: { params: RequestParams, body: formBody({ withdrawMessage: formText(50_000) }) } },
    async (request, reply) => {
      const id = request.params.id;
      try {
        await withdrawRequest(deps, currentUser(request), id, request.body);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page('requests/show', await threadData(request, id, { values: request.body, errors: error.fields, openWithdraw: true }), 422);
      }
      reply.flash('info', 'Votre demande est retirée. Le partenaire en est informé.');
      return reply.redirect(`/demandes/${id}`, 303);
    },
  );
}
