import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { offerStatuses } from '../../db/schema/index.js';
import { currentUser, requireAdmin } from '../accounts/guards.js';
import { labelOf } from '../kernel/taxonomy.js';
import { slugify } from '../kernel/text.js';
import { csvDownloadHeaders, csvFilename } from '../lib/csv.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { formBody, IdParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { ADMIN_IMPORT_MAX_BYTES, offerImportsList, previewImport, rejectsOf, runStoredImport } from './import/admin-import.js';
import { exportOffersCsv } from './import/export.js';
import { rejectionReasons, reportReasons, statusExports, statusLabels } from './offers.labels.js';
import { approveOffer, dismissReport, rejectOffer, takeDownOffer } from './offers.moderation.js';
import { countAllOffersByStatus, findCommuneBrief, findOffer, findPartner, findReport, listOpenReports, listPendingOffers } from './offers.repository.js';
import { CsrfQuery, ReasonBody } from './offers.schemas.js';
import { offerFacts, offerPath, organisationPath } from './offers.view.js';

const ExportQuery = Type.Object({ status: Type.Optional(Type.Union(offerStatuses.map((status) => Type.Literal(status)))) }, { additionalProperties: false });

const ReportQuery = Type.Object({ signalement: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })) }, { additionalProperties: false });

/** Moderation queue, reports, take-downs, bulk import and export: /admin, admins only. */
export default async function offersAdminRoutes(app: App) {
  const { deps } = app;
  const guard = { preHandler: requireAdmin };

  app.get('/admin/moderation', guard, async (_request, reply) => {
    const pending = await listPendingOffers(deps.db);
    return reply.page('admin/moderation', {
      title: 'Modération des offres',
      section: 'moderation',
      pending: pending.map(({ offer, organisation }) => ({
        offer,
        organisation,
        url: offerPath(offer),
        organisationUrl: `/admin/structures/${organisation.id}`,
        resubmitted: offer.takenDownAt !== null || offer.rejectionCode !== null,
      })),
    });
  });

  async function reviewPage(reply: FastifyReply, offerId: number, extra: Record<string, unknown> = {}, status = 200) {
    const offer = await findOffer(deps.db, offerId);
    if (!offer) throw new NotFoundError();
    const partner = (await findPartner(deps.db, offer.organisationId))!;
    const commune = await findCommuneBrief(deps.db, offer.codeInsee);
    const takeDown = offer.status === 'published' || offer.status === 'paused';
    return reply.page(
      'admin/moderation-offer',
      {
        title: takeDown ? 'Retirer une offre' : 'Examiner une offre',
        section: takeDown ? 'reports' : 'moderation',
        offer,
        partner,
        partnerUrl: organisationPath(partner),
        offerUrl: offerPath(offer),
        statusInfo: statusLabels[offer.status],
        facts: offerFacts(offer, commune),
        takeDown,
        reasons: rejectionReasons,
        ...extra,
      },
      status,
    );
  }

  app.get('/admin/moderation/:id', { ...guard, schema: { params: IdParam, querystring: ReportQuery } }, async (request, reply) =>
    reviewPage(reply, request.params.id, { reportId: request.query.signalement ?? null }),
  );

  app.post('/admin/moderation/:id/approuver', { ...guard, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
    try {
      await approveOffer(deps, currentUser(request), request.params.id);
      reply.flash('success', 'Offre publiée ; la structure a été prévenue par e-mail.');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      reply.flash('error', error.message);
    }
    return reply.redirect('/admin/moderation', 303);
  });

  app.post('/admin/moderation/:id/refuser', { ...guard, schema: { params: IdParam, body: ReasonBody } }, async (request, reply) => {
    try {
      await rejectOffer(deps, currentUser(request), request.params.id, request.body);
      reply.flash('success', 'Offre refusée ; la structure a reçu le motif par e-mail.');
      return reply.redirect('/admin/moderation', 303);
    } catch (error) {
      if (error instanceof ValidationError) return reviewPage(reply, request.params.id, { values: request.body, errors: error.fields }, 422);
      if (!(error instanceof ConflictError)) throw error;
      reply.flash('error', error.message);
      return reply.redirect('/admin/moderation', 303);
    }
  });

  app.post('/admin/moderation/:id/retirer', { ...guard, schema: { params: IdParam, body: ReasonBody } }, async (request, reply) => {
    try {
      await takeDownOffer(deps, currentUser(request), request.params.id, request.body);
      reply.flash('success', 'Offre retirée de l’annuaire ; la structure a reçu le motif par e-mail.');
      return reply.redirect('/admin/signalements', 303);
    } catch (error) {
      if (error instanceof ValidationError) return reviewPage(reply, request.params.id, { values: request.body, errors: error.fields }, 422);
      if (!(error instanceof ConflictError)) throw error;
      reply.flash('error', error.message);
      return reply.redirect('/admin/signalements', 303);
    }
  });

  app.get('/admin/signalements', guard, async (_request, reply) => {
    const reports = await listOpenReports(deps.db);
    return reply.page('admin/moderation-reports', {
      title: 'Signalements',
      section: 'reports',
      reports: reports.map((r) => ({
        ...r,
        reasonLabel: labelOf(reportReasons, r.report.reason),
        offerUrl: offerPath(r.offer),
        statusInfo: statusLabels[r.offer.status],
      })),
    });
  });

  app.post('/admin/signalements/:id/classer', { ...guard, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
    try {
      await dismissReport(deps, currentUser(request), request.params.id);
      reply.flash('success', 'Signalement classé sans suite.');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      reply.flash('error', error.message);
    }
    return reply.redirect('/admin/signalements', 303);
  });

  app.get('/admin/signalements/:id/retrait', { ...guard, schema: { params: IdParam } }, async (request, reply) => {
    const report = await findReport(deps.db, request.params.id);
    if (!report) throw new NotFoundError();
    return reply.redirect(`/admin/moderation/${report.offerId}?signalement=${report.id}`, 303);
  });

  // ——— Bulk import and export ———

  /** The export links with the count each file holds: the same numbers as the overview. */
  async function exportChoices() {
    const counts = await countAllOffersByStatus(deps.db);
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    return {
      total,
      byStatus: statusExports.map(({ status, label }) => ({ label, count: counts[status] ?? 0, url: `/admin/offres/export.csv?status=${status}` })),
    };
  }

  const importPage = async (reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) =>
    reply.page(
      'admin/import',
      { title: 'Import d’offres', section: 'import', imports: await offerImportsList(deps.db), exports: await exportChoices(), ...extra },
      status,
    );

  app.get('/admin/import', guard, async (_request, reply) => importPage(reply));

  app.post('/admin/import', { ...guard, schema: { querystring: CsrfQuery } }, async (request, reply) => {
    const file = request.isMultipart() ? await request.file({ limits: { fileSize: ADMIN_IMPORT_MAX_BYTES } }) : undefined;
    let data: Buffer | null = null;
    let tooLarge = false;
    if (file?.filename) {
      try {
        data = await file.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
        tooLarge = true;
      }
    }
    try {
      const created = await previewImport(deps, currentUser(request), { filename: file?.filename ?? '', data, tooLarge });
      return reply.redirect(`/admin/import/${created.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return importPage(reply, { errors: error.fields }, 422);
    }
  });

  app.get('/admin/import/:id', { ...guard, schema: { params: IdParam } }, async (request, reply) => {
    const item = (await offerImportsList(deps.db, request.params.id))[0];
    if (!item) throw new NotFoundError();
    return reply.page('admin/import-report', { title: `Import « ${item.filename} »`, section: 'import', item });
  });

  app.post('/admin/import/:id/lancer', { ...guard, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
    try {
      await runStoredImport(deps, request.params.id);
      reply.flash('success', 'Import terminé.');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      reply.flash('error', error.message);
    }
    return reply.redirect(`/admin/import/${request.params.id}`, 303);
  });

  app.get('/admin/import/:id/rejets.csv', { ...guard, schema: { params: IdParam } }, async (request, reply) => {
    const data = await rejectsOf(deps, request.params.id);
    if (!data) throw new NotFoundError();
    return reply.headers(csvDownloadHeaders(`import-${request.params.id}-rejets.csv`)).send(data);
  });

  /** Every offer, or those of one status: the rows the overview and the links above count. */
  app.get('/admin/offres/export.csv', { ...guard, schema: { querystring: ExportQuery } }, async (request, reply) => {
    const { status } = request.query;
    const label = statusExports.find((e) => e.status === status)?.label;
    reply.headers(csvDownloadHeaders(csvFilename(label ? slugify(label) : 'offres', deps.clock.now())));
    return reply.send(exportOffersCsv(deps.db, { status }));
  });
}
