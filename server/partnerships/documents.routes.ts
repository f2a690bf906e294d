import type { MultipartFile } from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../accounts/guards.js';
import { formBody, IdParam } from '../lib/schemas.js';
import { registerNotificationType } from '../notifications/notification-types.js';
import { contentDisposition } from '../requests/attachments.js';
import type { App } from '../types.js';
import {
  documentFile,
  documentToRemove,
  documentTypeOptions,
  loadDocuments,
  removeDocument,
  type UploadedDocumentFile,
  uploadDocument,
} from './documents.usecases.js';
import { accessFor, handleForm, renderWorkspacePage } from './workspace.http.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const DocumentParams = Type.Object({ id: Id, documentId: Id });
const FIELDS = ['type', 'expiresOn', 'side'] as const;

const documentFormLabels = { type: 'Type de document', expiresOn: 'Date d’expiration', file: 'Fichier' };

/**
 * Reads the upload form: multipart with its file, or urlencoded (a form sent without a file). Past
 * the size limit the file is cut and flagged instead of failing the request, so that the form can
 * say so next to the field.
 */
async function readDocumentForm(request: FastifyRequest): Promise<{ fields: Record<string, string>; file: UploadedDocumentFile | null }> {
  const fields: Record<string, string> = {};
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    for (const name of FIELDS) if (typeof body[name] === 'string') fields[name] = (body[name] as string).slice(0, 100);
    return { fields, file: null };
  }
  let file: UploadedDocumentFile | null = null;
  const options = { throwFileSizeLimit: false } as unknown as Parameters<FastifyRequest['parts']>[0];
  for await (const part of request.parts(options)) {
    if (part.type === 'file') {
      const upload = part as MultipartFile;
      const data = await upload.toBuffer();
      if (upload.fieldname === 'file' && upload.filename) file = { filename: upload.filename, data, truncated: upload.file.truncated };
    } else if ((FIELDS as readonly string[]).includes(part.fieldname) && typeof part.value === 'string') {
      fields[part.fieldname] = part.value.slice(0, 100);
    }
  }
  return { fields, file };
}

export default async function documentsRoutes(app: App) {
  const { deps } = app;

  registerNotificationType({
    type: 'partnership_document_expiry',
    group: 'Partenariats',
    label: 'Document bientôt expiré',
    description: 'Un document déposé par votre structure dans un partenariat expire dans 30 jours, puis dans 7 jours.',
    defaultMode: 'immediate',
  });

  const page = (access: Awaited<ReturnType<typeof accessFor>>) => async () => ({
    ...(await loadDocuments(deps, access)),
    typeOptions: documentTypeOptions,
    labels: documentFormLabels,
  });

  app.get('/partenariats/:id/documents', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'documents', 'Documents', page(access));
  });

  // Files fill the storage: 60 uploads an hour per person is plenty for a partnership's paperwork.
  const uploadLimit = { max: 60, timeWindow: 60 * 60_000, keyGenerator: (request: FastifyRequest) => `documents|${request.user?.id ?? request.ip}` };

  app.post(
    '/partenariats/:id/documents',
    { preHandler: requireUser, schema: { params: IdParam }, config: { rateLimit: uploadLimit } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      const input = await readDocumentForm(request);
      return handleForm(deps, reply, access, {
        template: 'documents',
        title: 'Documents',
        form: 'upload',
        run: () => uploadDocument(deps, access, input),
        success: 'Le document est déposé : l’autre structure peut le consulter.',
        redirect: `/partenariats/${access.partnership.id}/documents`,
        values: input.fields,
        load: page(access),
      });
    },
  );

  app.get('/partenariats/:id/documents/:documentId', { preHandler: requireUser, schema: { params: DocumentParams } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const { document, data } = await documentFile(deps, access, request.params.documentId);
    return reply
      .header('Content-Type', document.contentType)
      .header('Content-Disposition', contentDisposition(document.fileName))
      .header('Cache-Control', 'private, no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(data);
  });

  // Deleting is final for both parties: a page asks first, so that it works without JavaScript.
  app.get('/partenariats/:id/documents/:documentId/supprimer', { preHandler: requireUser, schema: { params: DocumentParams } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const target = await documentToRemove(deps, access, request.params.documentId);
    return renderWorkspacePage(deps, reply, access, 'document-delete', 'Supprimer un document', () => ({ target }), { page: 'documents' });
  });

  app.post(
    '/partenariats/:id/documents/:documentId/supprimer',
    { preHandler: requireUser, schema: { params: DocumentParams, body: formBody({ confirm: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      if (request.body?.confirm !== 'oui') {
        const { url } = await documentToRemove(deps, access, request.params.documentId);
        return reply.redirect(`${url}/supprimer`, 303);
      }
      const removed = await removeDocument(deps, access, request.params.documentId);
      reply.flash('success', `Le document « ${removed.fileName} » est retiré.`);
      return reply.redirect(`/partenariats/${access.partnership.id}/documents`, 303);
    },
  );
}
