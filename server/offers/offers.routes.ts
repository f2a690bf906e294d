import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import { distancesFromMyAcms } from '../favourites/acm-distance.js';
import { marksFor, starView } from '../favourites/favourites.usecases.js';
import { labelOf, orgTypes, themes } from '../kernel/taxonomy.js';
import { idFromParam } from '../kernel/text.js';
import { csvDownloadHeaders, csvFilename } from '../lib/csv.js';
import { ConflictError, ValidationError } from '../lib/errors.js';
import { de } from '../lib/format.js';
import { showFormErrors } from '../lib/forms.js';
import { IdParam, IdSlugParam, safeNext } from '../lib/schemas.js';
import { partnerContact } from '../organisations/contact.js';
import { dashboardSections } from '../organisations/dashboard.js';
import { organisationPageSections } from '../organisations/organisation-page-sections.js';
import type { App } from '../types.js';
import { exportOffersCsv } from './import/export.js';
import { offerPageSections } from './offer-page-sections.js';
import offersAdminRoutes from './offers.admin.routes.js';
import { editorData, previewCard } from './offers.editor.js';
import { offerFormValues } from './offers.form.js';
import { reportReasons, statusLabels } from './offers.labels.js';
import { reportOffer } from './offers.moderation.js';
import {
  countOffersByStatus,
  findCommuneBrief,
  listOffersOfOrganisation,
  listPublishedOffersOfOrganisation,
  type Offer,
  type Partner,
} from './offers.repository.js';
import { CsrfQuery, EditorBody, MediaParam, NextBody, OrgParam, ReportBody } from './offers.schemas.js';
import {
  canManage,
  changeStatus,
  createOffer,
  duplicateOffer,
  type EditorAction,
  managedOffer,
  managedPartner,
  newOfferDefaults,
  offerForPage,
  removeOfferPhoto,
  saveOffer,
  setOfferPhoto,
  type Transition,
} from './offers.usecases.js';
import { mediaUrl, offerCard, offerFacts, offerJsonLd, offerPath, organisationPath, thumbnailKey } from './offers.view.js';

const DAY = 24 * 3600_000;

function editorAction(value: string | undefined): EditorAction {
  return value === 'submit' || value === 'preview' ? value : 'draft';
}

const transitions: Record<string, { transition: Transition; done: (offer: Offer) => string }> = {
  soumettre: {
    transition: 'submit',
    done: (offer) =>
      offer.status === 'published'
        ? 'Votre offre est publiée : elle apparaît dans l’annuaire.'
        : 'Votre offre est envoyée à l’équipe Passerelle pour validation.',
  },
  suspendre: { transition: 'pause', done: () => 'L’offre est en pause : elle n’apparaît plus dans l’annuaire.' },
  reprendre: { transition: 'resume', done: () => 'L’offre est de nouveau publiée.' },
  archiver: { transition: 'archive', done: () => 'L’offre est archivée.' },
};

export default async function offersRoutes(app: App) {
  const { deps } = app;

  organisationPageSections.register({
    id: 'offers',
    order: 10,
    load: async (sectionDeps, organisation, user) => {
      if (organisation.kind !== 'partner') return null;
      const rows = await listPublishedOffersOfOrganisation(sectionDeps.db, organisation.id);
      const manager = canManage(user, organisation.id);
      if (rows.length === 0 && !manager) return null;
      return {
        template: 'offers/organisation-offers',
        data: { offerCards: rows.map((o) => offerCard(o, organisation)), manageUrl: manager ? `/structures/${organisation.id}/offres` : null },
      };
    },
  });

  dashboardSections.register({
    id: 'offers',
    order: 20,
    load: async (sectionDeps, user) => {
      const partners = user.memberships.filter((m) => m.kind === 'partner');
      if (partners.length === 0) return null;
      const counts = await countOffersByStatus(
        sectionDeps.db,
        partners.map((p) => p.organisationId),
      );
      return {
        template: 'offers/dashboard',
        data: {
          offerOrganisations: partners.map((p) => ({
            id: p.organisationId,
            name: p.name,
            counts: Object.fromEntries(counts.filter((c) => c.organisationId === p.organisationId).map((c) => [c.status, c.count])),
          })),
        },
      };
    },
  });

  await app.register(offersAdminRoutes);

  async function renderEditor(
    reply: FastifyReply,
    partner: Partner,
    offer: Offer | null,
    values: Record<string, unknown>,
    errors: Record<string, string>,
    status = 200,
  ) {
    return reply.page('offers/editor', { ...editorData(deps, partner, offer, values, errors) }, status);
  }

  async function storedValues(offer: Offer) {
    return offerFormValues(offer, await findCommuneBrief(deps.db, offer.codeInsee));
  }

  // ——— Partner area ———

  app.get('/structures/:orgId/offres', { preHandler: requireUser, schema: { params: OrgParam } }, async (request, reply) => {
    const partner = await managedPartner(deps, currentUser(request), request.params.orgId);
    const rows = await listOffersOfOrganisation(deps.db, partner.id);
    return reply.page('offers/mine', {
      title: `Offres ${de(partner.name)}`,
      partner,
      partnerUrl: organisationPath(partner),
      offers: rows.map((offer) => ({ ...offer, url: offerPath(offer), status: offer.status, statusInfo: statusLabels[offer.status] })),
    });
  });

  app.get('/structures/:orgId/offres/nouvelle', { preHandler: requireUser, schema: { params: OrgParam } }, async (request, reply) => {
    const partner = await managedPartner(deps, currentUser(request), request.params.orgId);
    const defaults = newOfferDefaults(deps, partner);
    return renderEditor(reply, partner, null, offerFormValues(defaults, await findCommuneBrief(deps.db, partner.codeInsee)), {});
  });

  app.post('/structures/:orgId/offres', { preHandler: requireUser, schema: { params: OrgParam, body: EditorBody } }, async (request, reply) => {
    const user = currentUser(request);
    const partner = await managedPartner(deps, user, request.params.orgId);
    const action = editorAction(request.body.action);
    try {
      const offer = await createOffer(deps, user, partner.id, request.body, action);
      return afterSave(reply, offer, action, 'Brouillon enregistré.');
    } catch (error) {
      if (error instanceof ValidationError) return renderEditor(reply, partner, null, request.body, error.fields, 422);
      throw error;
    }
  });

  app.get('/structures/:orgId/offres/export.csv', { preHandler: requireUser, schema: { params: OrgParam } }, async (request, reply) => {
    const partner = await managedPartner(deps, currentUser(request), request.params.orgId);
    reply.headers(csvDownloadHeaders(csvFilename(`offres-${partner.slug}`, deps.clock.now())));
    return reply.send(exportOffersCsv(deps.db, { organisationId: partner.id }));
  });

  app.get('/offres/:id/modifier', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const { offer, partner } = await managedOffer(deps, currentUser(request), request.params.id);
    return renderEditor(reply, partner, offer, await storedValues(offer), {});
  });

  app.post('/offres/:id/modifier', { preHandler: requireUser, schema: { params: IdParam, body: EditorBody } }, async (request, reply) => {
    const user = currentUser(request);
    const { offer, partner } = await managedOffer(deps, user, request.params.id);
    const action = editorAction(request.body.action);
    try {
      const saved = await saveOffer(deps, user, offer.id, request.body, action);
      const message =
        saved.status === 'pending' && offer.status === 'published'
          ? 'Modifications enregistrées : elles seront visibles après validation par l’équipe Passerelle.'
          : 'Modifications enregistrées.';
      return afterSave(reply, saved, action, message);
    } catch (error) {
      if (error instanceof ValidationError) return renderEditor(reply, partner, offer, request.body, error.fields, 422);
      throw error;
    }
  });

  function afterSave(reply: FastifyReply, offer: Offer, action: EditorAction, savedMessage: string) {
    if (action === 'submit') {
      reply.flash('success', transitions.soumettre!.done(offer));
      return reply.redirect(`/structures/${offer.organisationId}/offres`, 303);
    }
    reply.flash('success', action === 'preview' ? 'Brouillon enregistré. Voici la page telle que les accueils la verront.' : savedMessage);
    return reply.redirect(action === 'preview' ? offerPath(offer) : `/offres/${offer.id}/modifier`, 303);
  }

  app.post('/offres/apercu', { preHandler: requireUser, schema: { body: EditorBody } }, async (request, reply) => {
    const user = currentUser(request);
    const organisationId = Number(request.body.organisationId);
    if (!Number.isInteger(organisationId) || organisationId < 1) return reply.code(400).send();
    const partner = await managedPartner(deps, user, organisationId);
    return reply.fragment('offers/preview', { card: previewCard(request.body, partner, null) });
  });

  for (const [path, { transition, done }] of Object.entries(transitions)) {
    app.post(`/offres/:id/${path}`, { preHandler: requireUser, schema: { params: IdParam, body: NextBody } }, async (request, reply) => {
      const user = currentUser(request);
      const back = safeNext(request.body.suivant, `/offres/${request.params.id}/modifier`);
      try {
        const offer = await changeStatus(deps, user, request.params.id, transition);
        reply.flash('success', done(offer));
        return reply.redirect(back, 303);
      } catch (error) {
        if (error instanceof ValidationError) {
          const { offer, partner } = await managedOffer(deps, user, request.params.id);
          return renderEditor(reply, partner, offer, await storedValues(offer), error.fields, 422);
        }
        if (error instanceof ConflictError) {
          reply.flash('error', error.message);
          return reply.redirect(back, 303);
        }
        throw error;
      }
    });
  }

  app.post('/offres/:id/dupliquer', { preHandler: requireUser, schema: { params: IdParam, body: NextBody } }, async (request, reply) => {
    const copy = await duplicateOffer(deps, currentUser(request), request.params.id);
    reply.flash('success', 'Offre dupliquée : voici la copie, en brouillon.');
    return reply.redirect(`/offres/${copy.id}/modifier`, 303);
  });

  app.post('/offres/:id/photo', { preHandler: requireUser, schema: { params: IdParam, querystring: CsrfQuery } }, async (request, reply) => {
    const user = currentUser(request);
    const { offer, partner } = await managedOffer(deps, user, request.params.id);
    const upload = await readPhotoUpload(request.isMultipart() ? request.parts() : null);
    try {
      await setOfferPhoto(deps, user, offer.id, upload);
      reply.flash('success', 'Photo enregistrée.');
      return reply.redirect(`/offres/${offer.id}/modifier#photo`, 303);
    } catch (error) {
      if (error instanceof ValidationError) {
        return renderEditor(reply, partner, offer, { ...(await storedValues(offer)), photoAlt: upload.alt }, error.fields, 422);
      }
      throw error;
    }
  });

  app.post('/offres/:id/photo/supprimer', { preHandler: requireUser, schema: { params: IdParam, body: NextBody } }, async (request, reply) => {
    await removeOfferPhoto(deps, currentUser(request), request.params.id);
    reply.flash('success', 'Photo supprimée.');
    return reply.redirect(`/offres/${request.params.id}/modifier#photo`, 303);
  });

  // ——— Public pages ———

  app.get('/offres/:idSlug', { schema: { params: IdSlugParam } }, async (request, reply) => {
    const id = idFromParam(request.params.idSlug);
    const page = id ? await offerForPage(deps, request.user, id) : null;
    if (!page) return notFound(reply);
    const { offer, partner, commune, manager, visible } = page;
    const path = offerPath(offer);
    if (request.params.idSlug !== path.slice('/offres/'.length)) return reply.redirect(path, 301);
    if (!visible) reply.header('X-Robots-Tag', 'noindex').header('Cache-Control', 'private, no-store');
    const [sections, marks, acmDistances] = await Promise.all([
      offerPageSections.load(deps, offer, request.user),
      visible ? marksFor(deps, request.user, [offer.id], [partner.id]) : null,
      visible ? distancesFromMyAcms(deps, request.user, offer) : [],
    ]);
    return reply.page('offers/show', {
      title: offer.title,
      description: offer.summary || offer.description.slice(0, 160),
      canonical: `${deps.config.BASE_URL}${path}`,
      jsonLd: visible ? offerJsonLd(offer, partner, commune, deps.config.BASE_URL) : null,
      map: offer.lat !== null && offer.lng !== null,
      scripts: ['/static/js/offer-map.js', '/static/js/offer-share.js'],
      offer,
      partner,
      partnerUrl: organisationPath(partner),
      commune,
      manager,
      visible,
      statusInfo: statusLabels[offer.status],
      facts: offerFacts(offer, commune),
      themeLabels: offer.themes.map((theme) => labelOf(themes, theme)),
      partnerType: partner.type ? labelOf(orgTypes, partner.type) : '',
      photoUrl: offer.photoPath ? `/medias/${offer.photoPath}` : null,
      shareUrl: `${deps.config.BASE_URL}${path}`,
      sections,
      star: marks ? starView('offer', offer.id, offer.title, marks.favouriteOffers.has(offer.id)) : null,
      contacted: marks ? marks.contactedOffers.has(offer.id) || marks.contactedPartners.has(partner.id) : false,
      contactedOffer: Boolean(marks?.contactedOffers.has(offer.id)),
      acmDistances,
      contact: partnerContact(request.user, partner, offer.contactEmail),
    });
  });

  // The thumbnail of a published offer, for the map popups (the map's GeoJSON does not carry photos).
  app.get('/offres/:id/vignette', { schema: { params: IdParam } }, async (request, reply) => {
    const page = await offerForPage(deps, null, request.params.id);
    if (!page?.visible || !page.offer.photoPath) return reply.code(404).header('Cache-Control', 'public, max-age=300').send();
    return reply.header('Cache-Control', 'public, max-age=300').redirect(mediaUrl(thumbnailKey(page.offer.photoPath))!, 302);
  });

  app.get('/offres/:id/signaler', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const page = await offerForPage(deps, request.user, request.params.id);
    if (!page?.visible) return notFound(reply);
    return reply.page('offers/report', { title: 'Signaler une offre', offer: page.offer, offerUrl: offerPath(page.offer), reasons: reportReasons });
  });

  app.post(
    '/offres/:id/signaler',
    {
      preHandler: requireUser,
      schema: { params: IdParam, body: ReportBody },
      config: { rateLimit: { max: 20, timeWindow: DAY, keyGenerator: (request) => `report|${request.user?.id ?? request.ip}` } },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const page = await offerForPage(deps, user, request.params.id);
      if (!page?.visible) return notFound(reply);
      const data = { title: 'Signaler une offre', offer: page.offer, offerUrl: offerPath(page.offer), reasons: reportReasons };
      return reportOffer(deps, user, page.offer.id, request.body).then(
        () => {
          reply.flash('success', 'Merci : votre signalement a été transmis à l’équipe Passerelle, qui va l’examiner.');
          return reply.redirect(offerPath(page.offer), 303);
        },
        showFormErrors(reply, 'offers/report', request.body, data),
      );
    },
  );

  app.get('/medias/offres/:file', { schema: { params: MediaParam } }, async (request, reply) => {
    const data = await deps.storage.get(`offres/${request.params.file}`);
    if (!data) return notFound(reply);
    return reply
      .type(request.params.file.endsWith('.jpg') ? 'image/jpeg' : 'image/webp')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Content-Disposition', 'inline')
      .send(data);
  });
}

function notFound(reply: FastifyReply) {
  return reply.page('errors/error', { title: 'Page introuvable', status: 404, message: 'Cette offre n’existe pas ou n’est pas accessible.' }, 404);
}

/** Reads the photo form: the alt text field, then the file (the form puts them in that order). */
async function readPhotoUpload(parts: AsyncIterableIterator<Multipart> | null) {
  const upload: { data: Buffer | null; truncated: boolean; alt: string } = { data: null, truncated: false, alt: '' };
  if (!parts) return upload;
  try {
    for await (const part of parts) {
      if (part.type === 'file') {
        const file = part as MultipartFile;
        if (file.fieldname !== 'photo' || !file.filename) {
          file.file.resume();
          continue;
        }
        const data = await file.toBuffer();
        upload.data = data.length > 0 ? data : null;
      } else if (part.fieldname === 'photoAlt') {
        upload.alt = String(part.value ?? '').slice(0, 2000);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
    upload.truncated = true;
    upload.data = null;
  }
  return upload;
}
