import { randomUUID } from 'node:crypto';
import { type PartnershipDocumentType, partnershipDocumentTypes } from '../../db/schema/index.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { notify } from '../notifications/notifications.usecases.js';
import { ATTACHMENT_MAX_BYTES, cleanFileName, detectAttachment, formatSize } from '../requests/attachments.js';
import { type Access, actingSide } from './access.js';
import { addDays, toDate } from './calendar.js';
import {
  claimReminder,
  deleteDocument,
  documentsExpiringBetween,
  findDocument,
  insertDocument,
  listDocuments,
  type PartnershipDocument,
} from './documents.repository.js';
import { recordChange } from './events.js';
import type { Side } from './partnerships.repository.js';

const documentTypeLabels: Record<PartnershipDocumentType, string> = {
  assurance: 'Attestation d’assurance',
  'carte-professionnelle': 'Carte professionnelle ou diplôme d’intervenant',
  'droit-image': 'Autorisation de droit à l’image',
  devis: 'Devis',
  facture: 'Facture',
  autre: 'Autre document',
};

export const documentTypeOptions = partnershipDocumentTypes.map((value) => ({ value, label: documentTypeLabels[value] }));

/** Where the files of a partnership's documents live in the storage. */
const DOCUMENTS_FOLDER = 'partenariats/';

export interface UploadedDocumentFile {
  filename: string;
  data: Buffer;
  /** True when the upload went past the size limit and was cut. */
  truncated: boolean;
}

/**
 * The documents are the two parties' business (image-rights forms name children, invoices carry
 * bank details): their members and the coordination of the territory (read-only) see them, an
 * administrator does not.
 */
function assertCanSeeDocuments(access: Access): void {
  if (access.role === 'admin') {
    throw new ForbiddenError('Les documents d’un partenariat ne sont visibles que des deux structures et de la coordination du territoire.');
  }
}

function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000);
}

/** « expire dans 12 jours », « expire demain », « expiré »… with a state for the tag's colour. */
function expiryState(expiresOn: string | null, today: string): { state: 'none' | 'valid' | 'soon' | 'expired'; label: string; daysLeft: number | null } {
  if (!expiresOn) return { state: 'none', label: 'Sans date d’expiration', daysLeft: null };
  const daysLeft = daysBetween(today, expiresOn);
  if (daysLeft < 0) return { state: 'expired', label: 'Expiré', daysLeft };
  const label = daysLeft === 0 ? 'Expire aujourd’hui' : daysLeft === 1 ? 'Expire demain' : `Expire dans ${formatters.plural(daysLeft, 'jour', 'jours')}`;
  return { state: daysLeft <= 30 ? 'soon' : 'valid', label, daysLeft };
}

/** The documents space of a partnership: each document with its expiry state and whether the user may delete it. */
export async function loadDocuments(deps: Deps, access: Access) {
  assertCanSeeDocuments(access);
  const today = parisToday(deps.clock.now());
  const rows = await listDocuments(deps.db, access.partnership.id);
  const editable = access.role === 'party' && access.partnership.status !== 'closed';
  return {
    documents: rows.map(({ document, uploaderName }) => ({
      ...document,
      typeLabel: documentTypeLabels[document.type],
      uploaderName,
      sizeLabel: formatSize(document.size),
      expiry: expiryState(document.expiresOn, today),
      canDelete: editable && access.sides.includes(document.side),
      url: `/partenariats/${access.partnership.id}/documents/${document.id}`,
    })),
    canUpload: editable,
    today,
  };
}

/** For the workspace overview: how many documents, how many expired or expiring within 30 days (null for who may not see them). */
export async function documentsSummary(deps: Deps, access: Access): Promise<{ count: number; expired: number; soon: number } | null> {
  if (access.role === 'admin') return null;
  const today = parisToday(deps.clock.now());
  const states = (await listDocuments(deps.db, access.partnership.id)).map(({ document }) => expiryState(document.expiresOn, today).state);
  return { count: states.length, expired: states.filter((s) => s === 'expired').length, soon: states.filter((s) => s === 'soon').length };
}

/** Stores a document a party shares with the other: type, file checked by its content, optional expiry date. */
export async function uploadDocument(
  deps: Deps,
  access: Access,
  input: { fields: Record<string, unknown>; file: UploadedDocumentFile | null },
): Promise<PartnershipDocument> {
  const side = actingSide(access, typeof input.fields.side === 'string' ? input.fields.side : null);
  const form = new FormReader(input.fields as Record<string, string>);
  if (!form.raw('type')) form.fail('type', 'Choisissez le type de document.');
  const type = form.oneOf('type', partnershipDocumentTypes);
  const expiresOn = form.date('expiresOn');
  const today = parisToday(deps.clock.now());
  if (expiresOn && expiresOn < today)
    form.fail('expiresOn', 'Cette date est déjà passée : indiquez la date de fin de validité du document, aujourd’hui ou plus tard.');
  else if (expiresOn && expiresOn > addDays(today, 366 * 20)) form.fail('expiresOn', 'Cette date est trop lointaine : vérifiez l’année.');
  const file = input.file;
  const kind = file ? detectAttachment(file.data) : null;
  if (!file) form.fail('file', 'Choisissez le fichier à déposer.');
  else if (file.truncated || file.data.length > ATTACHMENT_MAX_BYTES) {
    form.fail('file', `Le fichier dépasse ${formatSize(ATTACHMENT_MAX_BYTES)} : déposez un fichier plus léger (un scan en PDF ou une photo suffit).`);
  } else if (file.data.length === 0) form.fail('file', 'Le fichier est vide.');
  else if (!kind) form.fail('file', 'Format non accepté : déposez un PDF ou une image (JPEG, PNG ou WebP).');
  form.assertValid();

  const p = access.partnership;
  const storageKey = `${DOCUMENTS_FOLDER}${p.id}/${randomUUID()}.${kind!.extension}`;
  await deps.storage.put(storageKey, file!.data);
  const fileName = cleanFileName(file!.filename, kind!.extension);
  const label = documentTypeLabels[type!];
  try {
    return await deps.db.transaction(async (tx) => {
      const document = await insertDocument(tx, {
        partnershipId: p.id,
        side,
        organisationId: side === 'acm' ? p.acmId : p.partnerId,
        uploadedBy: access.user.id,
        type: type!,
        fileName,
        storageKey,
        contentType: kind!.type,
        size: file!.data.length,
        expiresOn,
        createdAt: deps.clock.now(),
      });
      await recordChange(deps, tx, access, {
        side,
        action: 'document.uploaded',
        summary: `a déposé un document : ${label.toLowerCase()} (« ${fileName} »)${expiresOn ? `, valable jusqu’au ${formatters.date(expiresOn)}` : ''}`,
        data: { documentId: document.id, type },
        notify: {
          title: `Nouveau document (${label.toLowerCase()})`,
          body: `« ${fileName} » est disponible dans l’espace documents du partenariat.`,
          path: `/partenariats/${p.id}/documents`,
          sides: [otherSide(side)],
        },
      });
      return document;
    });
  } catch (error) {
    await deps.storage.delete(storageKey).catch(() => {});
    throw error;
  }
}

function otherSide(side: Side): Side {
  return side === 'acm' ? 'partner' : 'acm';
}

/** A document its viewer may remove (a member of the organisation that uploaded it), for the confirmation step. */
export async function documentToRemove(deps: Deps, access: Access, documentId: number) {
  assertCanSeeDocuments(access);
  const document = await findDocument(deps.db, access.partnership.id, documentId);
  if (!document) throw new NotFoundError();
  const side = actingSide(access, document.side);
  return { document, side, typeLabel: documentTypeLabels[document.type], url: `/partenariats/${access.partnership.id}/documents/${document.id}` };
}

/** A member of the uploading organisation removes one of its documents. */
export async function removeDocument(deps: Deps, access: Access, documentId: number): Promise<PartnershipDocument> {
  const { document, side } = await documentToRemove(deps, access, documentId);
  const removed = await deps.db.transaction(async (tx) => {
    const row = await deleteDocument(tx, document.id);
    if (!row) throw new NotFoundError();
    await recordChange(deps, tx, access, {
      side,
      action: 'document.deleted',
      summary: `a retiré un document : ${documentTypeLabels[row.type].toLowerCase()} (« ${row.fileName} »)`,
      data: { documentId: row.id, type: row.type },
    });
    return row;
  });
  // A failure here leaves an unreferenced file: the storage-orphans job removes it.
  await deps.storage.delete(removed.storageKey).catch(() => {});
  return removed;
}

/** The stored file of a document, for a user who may see the documents. */
export async function documentFile(deps: Deps, access: Access, documentId: number): Promise<{ document: PartnershipDocument; data: Buffer }> {
  assertCanSeeDocuments(access);
  const document = await findDocument(deps.db, access.partnership.id, documentId);
  const data = document ? await deps.storage.get(document.storageKey) : null;
  if (!document || !data) throw new NotFoundError();
  return { document, data };
}

/**
 * Scheduled job: reminds the uploading organisation 30 and 7 days before one of its documents
 * expires (a notification, and an email according to each member's preference), each reminder
 * once. A reminder due on or before the day of the upload is not sent: the uploader knew the date.
 */
export async function sendDocumentReminders(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const today = parisToday(now);
  const due = await documentsExpiringBetween(deps.db, today, addDays(today, 30));
  let sent = 0;
  for (const { document, partnership } of due) {
    const expiresOn = document.expiresOn!;
    const daysLeft = daysBetween(today, expiresOn);
    const uploadedDaysBefore = daysBetween(parisToday(document.createdAt), expiresOn);
    const which = daysLeft <= 7 ? 7 : daysLeft <= 30 ? 30 : null;
    if (which === null || uploadedDaysBefore <= which) continue;
    if ((which === 30 ? document.reminder30SentAt : document.reminder7SentAt) !== null) continue;
    const label = documentTypeLabels[document.type];
    const when = expiryState(expiresOn, today).label.toLowerCase();
    const claimed = await deps.db.transaction(async (tx) => {
      if (!(await claimReminder(tx, document.id, which, now))) return false;
      await notify(deps, tx, {
        organisationIds: [document.organisationId],
        type: 'partnership_document_expiry',
        title: `${label} : ${when} (${partnership.title})`,
        body: `« ${document.fileName} » n’est plus valable après le ${formatters.date(expiresOn)}. Déposez la nouvelle version dans l’espace documents du partenariat.`,
        url: `/partenariats/${partnership.id}/documents`,
      });
      return true;
    });
    if (claimed) sent++;
  }
  return sent;
}
