import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import { csvDownloadHeaders, csvStream } from '../lib/csv.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { formBody, IdParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { TerritoryParams, territoryOf as territoryFrom, territoryParams } from './coordination.http.js';
import { exportFilename, lists, type Territory } from './coordination.usecases.js';
import { findImport, pendingClaims, recentImports } from './invitations.repository.js';
import {
  CLAIM_DAYS,
  contractColumns,
  INVITATIONS_MAX_BYTES,
  INVITATIONS_MAX_ROWS,
  importInvitations,
  kindText,
  resendInvitation,
} from './invitations.usecases.js';

const TerritoryIdParams = Type.Object({ ...territoryParams, id: IdParam.properties.id });
const CsrfQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 500 })) });

/** What the invitations pages share: the crumb and nav entry of the coordination layout. */
const section = { slug: 'invitations', title: 'Invitations' };

export default async function coordinationInvitationsRoutes(app: App) {
  const { deps } = app;

  const territoryOf = (request: FastifyRequest) => territoryFrom(deps, request);

  async function invitationsPage(reply: FastifyReply, territory: Territory, extra: Record<string, unknown> = {}, status = 200) {
    const [pending, imports] = await Promise.all([pendingClaims(deps.db, territory), recentImports(deps.db, territory)]);
    const now = deps.clock.now();
    return reply.page(
      'coordination/invitations',
      {
        title: `Invitations — ${territory.label}`,
        territory,
        lists,
        list: section,
        section: section.slug,
        columns: contractColumns,
        maxMegabytes: INVITATIONS_MAX_BYTES / 1024 / 1024,
        maxRows: INVITATIONS_MAX_ROWS,
        days: CLAIM_DAYS,
        imports,
        pending: pending.map((p) => ({ ...p, expired: new Date(p.expires_at) <= now, kindText: kindText(p.kind, p.type) })),
        ...extra,
      },
      status,
    );
  }

  app.get('/coordination/:kind/:code/invitations', { preHandler: requireUser, schema: { params: TerritoryParams } }, async (request, reply) => {
    return invitationsPage(reply, await territoryOf(request));
  });

  /** A file to fill in: the header and two example rows, in the app's CSV dialect (opens in Excel as it is). */
  app.get('/coordination/:kind/:code/invitations/modele.csv', { preHandler: requireUser, schema: { params: TerritoryParams } }, async (request, reply) => {
    await territoryOf(request);
    const columns = contractColumns.map((c) => c.name);
    const examples = [
      { nom: 'Accueil de loisirs Les Lucioles', type: 'accueil', commune: '69266', code_postal: '', email: 'direction@exemple.fr', siret: '', rna: '' },
      { nom: 'Bibliothèque du quartier', type: 'bibliothèque', commune: 'Lyon', code_postal: '69003', email: 'contact@exemple.fr', siret: '', rna: '' },
    ];
    reply.headers(csvDownloadHeaders('modele-invitations.csv'));
    return reply.send(csvStream(columns, examples));
  });

  // Multipart: the CSRF token travels in the query (the body is read after the preHandler checks it).
  app.post(
    '/coordination/:kind/:code/invitations',
    { preHandler: requireUser, schema: { params: TerritoryParams, querystring: CsrfQuery } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const file = request.isMultipart() ? await request.file({ limits: { fileSize: INVITATIONS_MAX_BYTES } }) : undefined;
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
        const item = await importInvitations(deps, currentUser(request), territory, { filename: file?.filename ?? '', data, tooLarge });
        reply.flash(
          'success',
          `Fichier traité : ${formatters.plural(item.created, 'invitation envoyée', 'invitations envoyées')}, ${formatters.plural(item.rejected, 'ligne refusée', 'lignes refusées')}.`,
        );
        return reply.redirect(`${territory.path}/invitations/import/${item.id}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return invitationsPage(reply, territory, { errors: error.fields }, 422);
      }
    },
  );

  app.get('/coordination/:kind/:code/invitations/import/:id', { preHandler: requireUser, schema: { params: TerritoryIdParams } }, async (request, reply) => {
    const territory = await territoryOf(request);
    const item = await findImport(deps.db, territory, request.params.id);
    if (!item) throw new NotFoundError();
    return reply.page('coordination/invitations-report', {
      title: `Rapport d’invitations « ${item.filename} » — ${territory.label}`,
      territory,
      lists,
      list: section,
      section: section.slug,
      item,
      kindText,
    });
  });

  app.get(
    '/coordination/:kind/:code/invitations/import/:id/refus.csv',
    { preHandler: requireUser, schema: { params: TerritoryIdParams } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const item = await findImport(deps.db, territory, request.params.id);
      if (!item) throw new NotFoundError();
      const columns = [
        { key: 'line', header: 'ligne' },
        { key: 'name', header: 'nom' },
        { key: 'reasons', header: 'motifs' },
      ];
      reply.headers(csvDownloadHeaders(exportFilename(territory, `invitations-refus-${item.id}`, deps.clock.now())));
      return reply.send(
        csvStream(
          columns,
          item.rejects.map((r) => ({ line: r.line, name: r.name, reasons: r.reasons.join(' ; ') })),
        ),
      );
    },
  );

  app.post(
    '/coordination/:kind/:code/invitations/:id/renvoyer',
    { preHandler: requireUser, schema: { params: TerritoryIdParams, body: formBody({}) } },
    async (request, reply) => {
      const territory = await territoryOf(request);
      const sent = await resendInvitation(deps, currentUser(request), territory, request.params.id);
      if (!sent) throw new NotFoundError();
      reply.flash('success', `Invitation renvoyée à ${sent.email} pour « ${sent.organisationName} », valable jusqu’au ${formatters.date(sent.expiresAt)}.`);
      return reply.redirect(`${territory.path}/invitations#en-attente`, 303);
    },
  );
}
