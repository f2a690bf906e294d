import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { requests } from '../../db/schema/index.js';
import { isMember } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { notify } from '../notifications/notifications.usecases.js';
import { createPartnershipFromRequest } from '../partnerships/partnerships.usecases.js';
import { ATTACHMENT_MAX_BYTES, cleanFileName, detectAttachment, formatSize } from './attachments.js';
import { declineReasonLabel, declineReasons, openStatuses, type RequestStatus, statusLabels } from './labels.js';
import { acmsOf, MESSAGE_MAX, NotAnAcmError, openRequestsFor, type RequestTarget, readRequestForm } from './request-form.js';
import {
  dueExpiries,
  dueReminders,
  findNeedTitle,
  findOffer,
  findOrganisations,
  findRequest,
  insertEvent,
  insertMessage,
  insertRequest,
  markThreadRead,
  type OrganisationRow,
  type RequestRow,
  requestSubject,
  touchRequest,
  updateRequestIf,
} from './requests.repository.js';

const DAY = 86_400_000;

export type Side = 'sender' | 'addressee' | 'admin';

/** The organisation that sent the request and the one it is addressed to. */
function partiesOf(request: Pick<RequestRow, 'direction' | 'acmId' | 'partnerId'>): { sender: number; addressee: number } {
  return request.direction === 'acm_to_partner'
    ? { sender: request.acmId, addressee: request.partnerId }
    : { sender: request.partnerId, addressee: request.acmId };
}

interface ThreadAccess {
  request: RequestRow;
  side: Side;
  /** The viewer's organisation in this request (null for an admin who is not a member). */
  organisationId: number | null;
  sender: number;
  addressee: number;
}

/** Only members of the two organisations, and admins, see a request; anyone else gets a 404. */
export async function accessThread(db: Db, user: CurrentUser, id: number): Promise<ThreadAccess> {
  const request = await findRequest(db, id);
  if (!request) throw new NotFoundError();
  const { sender, addressee } = partiesOf(request);
  if (isMember(user, addressee)) return { request, side: 'addressee', organisationId: addressee, sender, addressee };
  if (isMember(user, sender)) return { request, side: 'sender', organisationId: sender, sender, addressee };
  if (user.isAdmin) return { request, side: 'admin', organisationId: null, sender, addressee };
  throw new NotFoundError();
}

export class DuplicateRequestError extends AppError {
  constructor(readonly existingId: number) {
    super(409, 'Vous avez déjà une demande en cours pour cette offre avec cet accueil.', 'duplicate');
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}

async function organisationsById(db: Db, ids: number[]): Promise<Map<number, OrganisationRow>> {
  return new Map((await findOrganisations(db, ids)).map((o) => [o.id, o]));
}

async function subjectOf(db: Db, request: RequestRow, partnerName: string): Promise<string> {
  const offer = request.offerId ? await findOffer(db, request.offerId) : null;
  const needTitle = !offer && request.needId ? await findNeedTitle(db, request.needId) : null;
  return requestSubject(offer?.title ?? null, needTitle, partnerName);
}

function threadUrl(id: number): string {
  return `/demandes/${id}`;
}

/** A status change: its history row, its automatic message in the thread, the new last activity. */
async function recordChange(
  tx: Db,
  request: RequestRow,
  change: {
    actorId: number | null;
    actorOrganisationId: number | null;
    from: RequestStatus | null;
    to: RequestStatus;
    text: string;
    data?: Record<string, unknown>;
    now: Date;
  },
) {
  await insertEvent(tx, {
    requestId: request.id,
    actorId: change.actorId,
    fromStatus: change.from,
    toStatus: change.to,
    data: change.data ?? {},
    createdAt: change.now,
  });
  await insertMessage(tx, {
    requestId: request.id,
    authorId: null,
    authorOrganisationId: change.actorOrganisationId,
    kind: 'system',
    body: change.text,
    createdAt: change.now,
  });
  await touchRequest(tx, request.id, { lastActivityAt: change.now });
  if (change.actorOrganisationId) await markThreadRead(tx, request.id, change.actorOrganisationId, change.now);
}

/** An ACM member asks a partner (about one of its offers, or the organisation itself). */
export async function createRequest(deps: Deps, user: CurrentUser, target: RequestTarget, body: Record<string, unknown>): Promise<RequestRow> {
  const acms = await acmsOf(deps, user);
  if (acms.length === 0) throw new NotAnAcmError();
  const form = new FormReader(body);
  const input = readRequestForm(form, acms);
  form.assertValid();
  const acm = acms.find((a) => a.id === input.acmId)!;
  const [existing] = await openRequestsFor(deps, [acm], target);
  if (existing) throw new DuplicateRequestError(existing.id);

  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.REQUEST_EXPIRY_DAYS * DAY);
  const partner = target.partner;
  try {
    return await deps.db.transaction(async (tx) => {
      const request = await insertRequest(tx, {
        partnerId: partner.id,
        offerId: target.offer?.id ?? null,
        direction: 'acm_to_partner',
        status: 'sent',
        ...input,
        createdBy: user.id,
        createdAt: now,
        lastActivityAt: now,
        expiresAt,
      });
      await insertMessage(tx, { requestId: request.id, authorId: user.id, authorOrganisationId: acm.id, kind: 'user', body: input.message, createdAt: now });
      await recordChange(tx, request, {
        actorId: user.id,
        actorOrganisationId: acm.id,
        from: null,
        to: 'sent',
        now,
        text: `Demande envoyée à ${partner.name}. Sans réponse d’ici le ${formatters.date(expiresAt)}, elle expirera automatiquement.`,
      });
      const about = target.offer ? `« ${target.offer.title} »` : 'votre structure';
      await notify(deps, tx, {
        organisationIds: [partner.id],
        type: 'request_received',
        title: `Nouvelle demande de partenariat ${formatters.de(acm.name)}`,
        body: `${acm.name} vous propose un partenariat autour de ${about} : ${input.childrenCount === null ? 'des enfants' : formatters.plural(input.childrenCount, 'enfant', 'enfants')} de ${formatters.ages(input.ageMin, input.ageMax)}. Répondez avant le ${formatters.date(expiresAt)}.`,
        url: threadUrl(request.id),
        excludeUserId: user.id,
      });
      return request;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [raced] = await openRequestsFor(deps, [acm], target);
    throw raced ? new DuplicateRequestError(raced.id) : error;
  }
}

export interface UploadedFile {
  filename: string;
  data: Buffer;
  /** True when the upload went past the size limit and was cut. */
  truncated: boolean;
}

const closedForMessages: RequestStatus[] = ['declined', 'withdrawn', 'expired'];

/** A message in the thread; the addressee's first reply moves the request to "in discussion". */
export async function postMessage(deps: Deps, user: CurrentUser, id: number, input: { body: unknown; file: UploadedFile | null }) {
  const access = await accessThread(deps.db, user, id);
  const { request } = access;
  if (closedForMessages.includes(request.status)) {
    throw new ConflictError(`Cette demande est ${statusLabels[request.status].toLowerCase()} : vous ne pouvez plus y écrire.`);
  }
  const form = new FormReader({ body: input.body });
  const text = form.text('body', { max: MESSAGE_MAX, multiline: true, noMarkup: false });
  const file = input.file;
  if (!text && !form.errors.body && !file) form.fail('body', 'Écrivez votre message avant de l’envoyer.');
  const kind = file ? detectAttachment(file.data) : null;
  if (file?.truncated || (file && file.data.length > ATTACHMENT_MAX_BYTES)) {
    form.fail('attachment', `Le fichier dépasse ${formatSize(ATTACHMENT_MAX_BYTES)} : envoyez un fichier plus léger.`);
  } else if (file && file.data.length === 0) form.fail('attachment', 'Le fichier joint est vide.');
  else if (file && !kind) form.fail('attachment', 'Format non accepté : joignez un PDF ou une image (JPEG, PNG ou WebP).');
  form.assertValid();

  const now = deps.clock.now();
  let attachment: { attachmentPath: string; attachmentName: string; attachmentType: string; attachmentSize: number } | null = null;
  if (file && kind) {
    const path = `requests/${request.id}/${randomUUID()}.${kind.extension}`;
    await deps.storage.put(path, file.data);
    attachment = {
      attachmentPath: path,
      attachmentName: cleanFileName(file.filename, kind.extension),
      attachmentType: kind.type,
      attachmentSize: file.data.length,
    };
  }
  try {
    return await deps.db.transaction(async (tx) => {
      const message = await insertMessage(tx, {
        requestId: request.id,
        authorId: user.id,
        authorOrganisationId: access.organisationId,
        kind: 'user',
        body: text,
        createdAt: now,
        ...attachment,
      });
      await touchRequest(tx, request.id, { lastActivityAt: now });
      if (access.organisationId) await markThreadRead(tx, request.id, access.organisationId, now);
      const orgs = await organisationsById(tx, [access.sender, access.addressee]);
      const author = access.organisationId ? orgs.get(access.organisationId)!.name : 'L’équipe Passerelle';
      if (access.side === 'addressee' && request.status === 'sent') {
        const moved = await updateRequestIf(tx, request.id, ['sent'], { status: 'in_discussion', firstReplyAt: now });
        if (moved) {
          await recordChange(tx, moved, {
            actorId: user.id,
            actorOrganisationId: access.organisationId,
            from: 'sent',
            to: 'in_discussion',
            now,
            text: `${author} a répondu : la demande est en discussion.`,
          });
        }
      }
      const partner = orgs.get(request.partnerId)!;
      const subject = await subjectOf(tx, request, partner.name);
      const recipients = access.side === 'admin' ? [access.sender, access.addressee] : [access.side === 'sender' ? access.addressee : access.sender];
      await notify(deps, tx, {
        organisationIds: recipients,
        type: 'message_received',
        title: `Nouveau message ${formatters.de(author)} : ${subject}`,
        body: text ? text.slice(0, 300) + (text.length > 300 ? '…' : '') : `Pièce jointe : ${attachment?.attachmentName}`,
        url: threadUrl(request.id),
        excludeUserId: user.id,
      });
      return message;
    });
  } catch (error) {
    if (attachment) await deps.storage.delete(attachment.attachmentPath).catch(() => {});
    throw error;
  }
}

function cannotAnymore(status: RequestStatus, action: string): ConflictError {
  const reasons: Partial<Record<RequestStatus, string>> = {
    accepted: 'elle a déjà été acceptée',
    declined: 'elle a été déclinée',
    withdrawn: 'elle a été retirée par l’accueil',
    expired: 'elle a expiré faute de réponse',
  };
  return new ConflictError(`Cette demande ne peut plus être ${action} : ${reasons[status] ?? 'son statut a changé'}.`);
}

function requireSide(access: ThreadAccess, side: Side, message: string): void {
  if (access.side !== side) throw new ForbiddenError(message);
}

/** The addressee accepts: the request is closed and the partnership record is created. */
export async function acceptRequest(deps: Deps, user: CurrentUser, id: number): Promise<{ request: RequestRow; partnershipId: number }> {
  const access = await accessThread(deps.db, user, id);
  requireSide(access, 'addressee', 'Seule la structure à qui la demande est adressée peut l’accepter.');
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const accepted = await updateRequestIf(tx, id, openStatuses, {
      status: 'accepted',
      closedAt: now,
      firstReplyAt: sql`coalesce(${requests.firstReplyAt}, ${now.toISOString()}::timestamptz)`,
    });
    if (!accepted) throw cannotAnymore((await findRequest(tx, id))!.status, 'acceptée');
    const orgs = await organisationsById(tx, [access.sender, access.addressee]);
    const acm = orgs.get(accepted.acmId)!;
    const partner = orgs.get(accepted.partnerId)!;
    const title = accepted.offerId ? await subjectOf(tx, accepted, partner.name) : `Partenariat ${acm.name} – ${partner.name}`;
    const partnership = await createPartnershipFromRequest(tx, accepted, title, now);
    const addressee = orgs.get(access.addressee)!;
    await recordChange(tx, accepted, {
      actorId: user.id,
      actorOrganisationId: access.addressee,
      from: access.request.status,
      to: 'accepted',
      now,
      data: { partnershipId: partnership.id },
      text: `${addressee.name} a accepté la demande. Le partenariat « ${title} » est créé : définissez ensemble les objectifs, la convention et le calendrier dans l’espace partenariat.`,
    });
    await notify(deps, tx, {
      organisationIds: [access.sender],
      type: 'request_status',
      title: `${addressee.name} a accepté votre demande : ${title}`,
      body: 'Le partenariat est créé. Prochaine étape : définir ensemble les objectifs et les engagements de chacun.',
      url: threadUrl(id),
      excludeUserId: user.id,
    });
    return { request: accepted, partnershipId: partnership.id };
  });
}

/** The addressee declines, with a coded reason and a message. */
export async function declineRequest(deps: Deps, user: CurrentUser, id: number, body: Record<string, unknown>): Promise<RequestRow> {
  const access = await accessThread(deps.db, user, id);
  requireSide(access, 'addressee', 'Seule la structure à qui la demande est adressée peut la décliner.');
  const form = new FormReader(body);
  const code = form.oneOf(
    'declineCode',
    declineReasons.map((r) => r.value),
    { required: true },
  );
  const message = form.text('declineMessage', { max: 2000, multiline: true, noMarkup: false });
  if (code === 'autre' && !message && !form.errors.declineMessage) form.fail('declineMessage', 'Précisez la raison en quelques mots.');
  form.assertValid();
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const declined = await updateRequestIf(tx, id, openStatuses, {
      status: 'declined',
      closedAt: now,
      declineCode: code,
      declineReason: message || null,
      firstReplyAt: sql`coalesce(${requests.firstReplyAt}, ${now.toISOString()}::timestamptz)`,
    });
    if (!declined) throw cannotAnymore((await findRequest(tx, id))!.status, 'déclinée');
    const orgs = await organisationsById(tx, [access.sender, access.addressee]);
    const addressee = orgs.get(access.addressee)!;
    if (message) {
      await insertMessage(tx, { requestId: id, authorId: user.id, authorOrganisationId: access.addressee, kind: 'user', body: message, createdAt: now });
    }
    await recordChange(tx, declined, {
      actorId: user.id,
      actorOrganisationId: access.addressee,
      from: access.request.status,
      to: 'declined',
      now,
      data: { code },
      text: `${addressee.name} a décliné la demande. Motif : ${declineReasonLabel(code)}.`,
    });
    const subject = await subjectOf(tx, declined, orgs.get(declined.partnerId)!.name);
    await notify(deps, tx, {
      organisationIds: [access.sender],
      type: 'request_status',
      title: `${addressee.name} a décliné votre demande : ${subject}`,
      body: `Motif : ${declineReasonLabel(code)}.${message ? ` « ${message.slice(0, 300)} »` : ''} D’autres partenaires proposent des activités proches : relancez une recherche.`,
      url: threadUrl(id),
      excludeUserId: user.id,
    });
    return declined;
  });
}

/** The sender withdraws its request (optionally saying why). */
export async function withdrawRequest(deps: Deps, user: CurrentUser, id: number, body: Record<string, unknown>): Promise<RequestRow> {
  const access = await accessThread(deps.db, user, id);
  requireSide(access, 'sender', 'Seule la structure qui a envoyé la demande peut la retirer.');
  const form = new FormReader(body);
  const message = form.text('withdrawMessage', { max: 2000, multiline: true, noMarkup: false });
  form.assertValid();
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const withdrawn = await updateRequestIf(tx, id, openStatuses, { status: 'withdrawn', closedAt: now });
    if (!withdrawn) throw cannotAnymore((await findRequest(tx, id))!.status, 'retirée');
    const orgs = await organisationsById(tx, [access.sender, access.addressee]);
    const sender = orgs.get(access.sender)!;
    if (message) {
      await insertMessage(tx, { requestId: id, authorId: user.id, authorOrganisationId: access.sender, kind: 'user', body: message, createdAt: now });
    }
    await recordChange(tx, withdrawn, {
      actorId: user.id,
      actorOrganisationId: access.sender,
      from: access.request.status,
      to: 'withdrawn',
      now,
      text: `${sender.name} a retiré la demande.`,
    });
    const subject = await subjectOf(tx, withdrawn, orgs.get(withdrawn.partnerId)!.name);
    await notify(deps, tx, {
      organisationIds: [access.addressee],
      type: 'request_status',
      title: `${sender.name} a retiré sa demande : ${subject}`,
      body: message ? message.slice(0, 300) : 'Vous n’avez plus rien à faire pour cette demande.',
      url: threadUrl(id),
      excludeUserId: user.id,
    });
    return withdrawn;
  });
}

/**
 * The 'requests-expiry' job: a reminder to the addressee at half of the delay, then the request
 * expires if it is still unanswered. Each request in its own transaction, guarded by its status.
 */
export async function runRequestsExpiry(deps: Deps): Promise<{ reminded: number; expired: number }> {
  const now = deps.clock.now();
  let reminded = 0;
  let expired = 0;
  for (const due of await dueReminders(deps.db, now)) {
    await deps.db.transaction(async (tx) => {
      const [marked] = await tx
        .update(requests)
        .set({ reminderSentAt: now })
        .where(sql`${requests.id} = ${due.id} and ${requests.status} = 'sent' and ${requests.reminderSentAt} is null`)
        .returning();
      if (!marked) return;
      const { sender, addressee } = partiesOf(marked);
      const orgs = await organisationsById(tx, [sender, addressee]);
      const subject = await subjectOf(tx, marked, orgs.get(marked.partnerId)!.name);
      const daysLeft = Math.max(1, Math.ceil(((marked.expiresAt?.getTime() ?? now.getTime()) - now.getTime()) / DAY));
      await notify(deps, tx, {
        organisationIds: [addressee],
        type: 'request_reminder',
        title: `Rappel : ${orgs.get(sender)!.name} attend votre réponse (${subject})`,
        body: `Sans réponse d’ici le ${formatters.date(marked.expiresAt)} (dans ${daysLeft} jour${daysLeft > 1 ? 's' : ''}), la demande expirera. Même un « non, merci » aide l’accueil à s’organiser.`,
        url: threadUrl(marked.id),
      });
      reminded++;
    });
  }
  for (const due of await dueExpiries(deps.db, now)) {
    await deps.db.transaction(async (tx) => {
      const done = await updateRequestIf(tx, due.id, ['sent'], { status: 'expired', closedAt: now });
      if (!done) return;
      const { sender, addressee } = partiesOf(done);
      const orgs = await organisationsById(tx, [sender, addressee]);
      const subject = await subjectOf(tx, done, orgs.get(done.partnerId)!.name);
      const days = Math.round(((done.expiresAt?.getTime() ?? now.getTime()) - done.createdAt.getTime()) / DAY);
      await recordChange(tx, done, {
        actorId: null,
        actorOrganisationId: null,
        from: 'sent',
        to: 'expired',
        now,
        text: `Sans réponse ${formatters.de(orgs.get(addressee)!.name)} en ${days} jours, la demande a expiré.`,
      });
      await notify(deps, tx, {
        organisationIds: [sender],
        type: 'request_expired',
        title: `Votre demande a expiré sans réponse : ${subject}`,
        body: `${orgs.get(addressee)!.name} n’a pas répondu en ${days} jours. D’autres partenaires proposent des activités proches : relancez une recherche.`,
        url: threadUrl(done.id),
      });
      await notify(deps, tx, {
        organisationIds: [addressee],
        type: 'request_expired',
        title: `Une demande ${formatters.de(orgs.get(sender)!.name)} a expiré sans réponse`,
        body: `La demande « ${subject} » est close faute de réponse en ${days} jours.`,
        url: threadUrl(done.id),
      });
      expired++;
    });
  }
  return { reminded, expired };
}
