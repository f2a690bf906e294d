import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { requireUser } from '../accounts/guards.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import { formBody, formText, IdParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { type AmendmentClosing, closeAmendment } from './amendment.usecases.js';
import { type SignedDocument, signedDocuments } from './amendments.js';
import { conventionSections, fieldValue, reference } from './convention.js';
import { listComments, listVersions } from './convention.repository.js';
import {
  addConventionComment,
  approveMinutes,
  editConventionSection,
  proposeLiveAmendment,
  saveMinutes,
  setFormalisation,
  signConvention,
  type TextChange,
  textChangeMessage,
} from './convention.usecases.js';
import { conventionPdf, type PdfSignature } from './convention-pdf.js';
import { accessFor, handleForm, renderWorkspacePage } from './workspace.http.js';
import { loadWorkspace, type Workspace } from './workspace.js';

const SectionParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), section: Type.String({ pattern: '^[a-z_]{2,40}$' }) });
const VersionParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), version: Type.Integer({ minimum: 1, maximum: 10_000 }) });
const PrintQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

const conventionFields = {
  ...Object.fromEntries(conventionSections.flatMap((s) => s.fields.map((f) => [f.name, formText(6000)]))),
  confirm: formText(10),
};
const deadlineFields = Object.fromEntries(
  Array.from({ length: 5 }, (_, i) => [
    [`deadline_label_${i}`, formText(500)],
    [`deadline_date_${i}`, formText(20)],
    [`deadline_side_${i}`, formText(20)],
  ]).flat(),
);

const TITLE = '3 · Formalisation';

export default async function conventionRoutes(app: App) {
  const { deps } = app;

  async function formalisationData(ws: Workspace) {
    const [comments, versions] = await Promise.all([listComments(deps.db, ws.partnership.id), listVersions(deps.db, ws.partnership.id)]);
    const values = Object.fromEntries(conventionSections.flatMap((s) => s.fields.map((f) => [f.name, fieldValue(ws.context, f)])));
    return { comments, versions, fieldValues: values, reference: reference(ws.partnership) };
  }

  app.get('/partenariats/:id/formalisation', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'formalisation', TITLE, formalisationData);
  });

  app.post(
    '/partenariats/:id/formalisation/mode',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ formalisation: formText(20) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        template: 'formalisation',
        title: TITLE,
        form: 'mode',
        load: formalisationData,
        run: () => setFormalisation(deps, access, request.body),
        success: 'Le mode de formalisation est enregistré.',
        redirect: `/partenariats/${access.partnership.id}/formalisation`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/convention/sections/:section',
    { preHandler: requireUser, schema: { params: SectionParams, body: formBody(conventionFields) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      let change: TextChange = 'none';
      return handleForm(deps, reply, access, {
        template: 'formalisation',
        title: TITLE,
        form: `section-${request.params.section}`,
        load: formalisationData,
        run: async () => {
          change = await editConventionSection(deps, access, request.params.section, request.body);
        },
        success: () => textChangeMessage(change, 'La section de la convention est enregistrée.'),
        redirect: () => `/partenariats/${access.partnership.id}/formalisation#${change === 'amendment' ? 'avenant' : `section-${request.params.section}`}`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/convention/commentaires',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ side: formText(20), section: formText(60), body: formText() }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        template: 'formalisation',
        title: TITLE,
        form: 'comment',
        load: formalisationData,
        run: () => addConventionComment(deps, access, request.body),
        success: 'Votre commentaire est publié.',
        redirect: `/partenariats/${access.partnership.id}/formalisation#commentaires`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/convention/signer',
    {
      preHandler: requireUser,
      schema: {
        params: IdParam,
        body: formBody({ side: formText(20), signerName: formText(), signerRole: formText(), textHash: formText(100), consent: formText(10) }),
      },
    },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      const path = `/partenariats/${access.partnership.id}/formalisation`;
      let signed = false;
      let amendment: number | null = null;
      try {
        return await handleForm(deps, reply, access, {
          template: 'formalisation',
          title: TITLE,
          form: `sign-${request.body.side ?? ''}`,
          load: formalisationData,
          run: async () => {
            ({ signed, amendment } = await signConvention(deps, access, request.body));
          },
          success: () =>
            signed
              ? amendment
                ? `L’avenant n° ${amendment} est signé par les deux parties.`
                : 'La convention est signée par les deux parties.'
              : 'Votre signature est enregistrée ; l’autre partie doit signer à son tour.',
          redirect: `${path}#signer`,
          values: request.body,
        });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        reply.flash('error', error.message);
        return reply.redirect(`${path}#signer`, 303);
      }
    },
  );

  const closings: [string, AmendmentClosing][] = [
    ['retirer', 'withdraw'],
    ['refuser', 'refuse'],
  ];
  for (const [segment, how] of closings) {
    app.post(
      `/partenariats/:id/convention/avenant/${segment}`,
      { preHandler: requireUser, schema: { params: IdParam, body: formBody({ side: formText(20), reason: formText(2000) }) } },
      async (request, reply) => {
        const access = await accessFor(deps, request, request.params.id);
        const path = `/partenariats/${access.partnership.id}/formalisation`;
        let closed = { number: 0, calendar: null as string | null };
        try {
          return await handleForm(deps, reply, access, {
            template: 'formalisation',
            title: TITLE,
            form: `amendment-${how}`,
            load: formalisationData,
            run: async () => {
              closed = await closeAmendment(deps, access, how, request.body);
            },
            success: () =>
              `L’avenant n° ${closed.number} est ${how === 'refuse' ? 'refusé' : 'retiré'} : la convention signée reste en vigueur sans changement${closed.calendar ? `, et les séances reviennent au calendrier signé (${closed.calendar})` : ''}.`,
            redirect: `${path}#texte`,
            values: request.body,
          });
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          reply.flash('error', error.message);
          return reply.redirect(`${path}#avenant`, 303);
        }
      },
    );
  }

  app.post(
    '/partenariats/:id/convention/avenant/reprendre',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ side: formText(20) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      const path = `/partenariats/${access.partnership.id}/formalisation`;
      try {
        return await handleForm(deps, reply, access, {
          template: 'formalisation',
          title: TITLE,
          form: 'amendment-live',
          load: formalisationData,
          run: () => proposeLiveAmendment(deps, access, request.body),
          success: () => textChangeMessage('amendment', 'L’offre et les profils actuels sont repris dans un avenant.'),
          redirect: `${path}#avenant`,
          values: request.body,
        });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        reply.flash('error', error.message);
        return reply.redirect(`${path}#statut`, 303);
      }
    },
  );

  app.post(
    '/partenariats/:id/compte-rendu',
    {
      preHandler: requireUser,
      schema: { params: IdParam, body: formBody({ date: formText(20), participants: formText(), minutes: formText(), ...deadlineFields }) },
    },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        template: 'formalisation',
        title: TITLE,
        form: 'minutes',
        load: formalisationData,
        run: () => saveMinutes(deps, access, request.body),
        success: 'Le compte rendu est enregistré ; chaque structure doit le valider.',
        redirect: `/partenariats/${access.partnership.id}/formalisation#compte-rendu`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/compte-rendu/valider',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ side: formText(20) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      await approveMinutes(deps, access, request.body);
      reply.flash('success', 'Vous avez validé le compte rendu.');
      return reply.redirect(`/partenariats/${access.partnership.id}/formalisation#compte-rendu`, 303);
    },
  );

  async function sendPdf(reply: FastifyReply, filename: string, pdf: Buffer) {
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  }

  /** The signed convention and its signed amendments when signed, the draft otherwise. */
  app.get('/partenariats/:id/convention.pdf', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const ws = await loadWorkspace(deps, access);
    const ref = reference(ws.partnership);
    if (ws.convention.status === 'signed' && ws.inForce) {
      return sendPdf(reply, `convention-${ref}-v${ws.inForce.version}.pdf`, await signedPdf(ref, signedDocuments(ws.versions, ws.inForce.version, ref)));
    }
    const pdf = await conventionPdf({ text: ws.rendered.text, hash: ws.rendered.hash, reference: ref, version: null, signatures: draftSignatures(ws) });
    return sendPdf(reply, `convention-${ref}-projet.pdf`, pdf);
  });

  app.get('/partenariats/:id/convention/versions/:version.pdf', { preHandler: requireUser, schema: { params: VersionParams } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const versions = await listVersions(deps.db, access.partnership.id);
    if (!versions.some((v) => v.version === request.params.version)) throw new NotFoundError();
    const ref = reference(access.partnership);
    return sendPdf(reply, `convention-${ref}-v${request.params.version}.pdf`, await signedPdf(ref, signedDocuments(versions, request.params.version, ref)));
  });

  app.get(
    '/partenariats/:id/convention/imprimer',
    { preHandler: requireUser, schema: { params: IdParam, querystring: PrintQuery } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return renderWorkspacePage(deps, reply, access, 'convention-print', 'Convention à imprimer', async (ws) => {
        const ref = reference(ws.partnership);
        const wanted = request.query.version ?? (ws.convention.status === 'signed' ? ws.inForce?.version : undefined);
        if (wanted && !ws.versions.some((v) => v.version === wanted)) throw new NotFoundError();
        const documents = wanted ? signedDocuments(ws.versions, wanted, ref) : null;
        return { version: wanted ?? null, documents, reference: ref, scripts: ['/static/js/partnership-print.js'] };
      });
    },
  );
}

function signedPdf(ref: string, documents: SignedDocument[]) {
  const [first, ...amendments] = documents.map((d) => ({
    text: d.text,
    hash: d.hash,
    reference: ref,
    version: d.version,
    label: d.label,
    signatures: d.signatures,
  }));
  return conventionPdf({ ...first!, amendments });
}

/** The signatures already made on the draft's current text (one party signed, the other not yet). */
function draftSignatures(ws: Workspace): PdfSignature[] {
  return ws.signatures.map((s) => ({ organisation: ws.names[s.side], name: s.signerName, role: s.signerRole, signedAt: s.signedAt, hash: s.textHash }));
}
