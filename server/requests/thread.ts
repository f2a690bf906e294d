import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { labelOf, partnershipReasons, slots } from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';
import { markReadByUrl } from '../notifications/notifications.repository.js';
import { formatSize } from './attachments.js';
import { declineReasonLabel, declineReasons, openStatuses, statusLabels, statusTags } from './labels.js';
import {
  findNeedTitle,
  findOffer,
  findOrganisations,
  listEvents,
  listMessages,
  listTemplates,
  markThreadRead,
  partnershipOf,
  requestSubject,
  threadReadsOf,
} from './requests.repository.js';
import { accessThread } from './requests.usecases.js';
import { linkify } from './text-links.js';

const typeLabels: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'image JPEG', 'image/png': 'image PNG', 'image/webp': 'image WebP' };

/**
 * Everything the thread page shows. Opening it marks the thread read for the viewer's
 * organisation, and the viewer's notifications that point to it.
 */
export async function loadThread(deps: Deps, user: CurrentUser, id: number, options: { markRead?: boolean } = {}) {
  const access = await accessThread(deps.db, user, id);
  const { request } = access;
  const [orgs, offer, messageRows, reads, events, partnership] = await Promise.all([
    findOrganisations(deps.db, [request.acmId, request.partnerId]),
    request.offerId ? findOffer(deps.db, request.offerId) : Promise.resolve(null),
    listMessages(deps.db, id),
    threadReadsOf(deps.db, id),
    listEvents(deps.db, id),
    request.status === 'accepted' ? partnershipOf(deps.db, id) : Promise.resolve(null),
  ]);
  const acm = orgs.find((o) => o.id === request.acmId)!;
  const partner = orgs.find((o) => o.id === request.partnerId)!;
  const mine = access.organisationId;
  const other = mine === null ? null : mine === access.sender ? access.addressee : access.sender;
  const previousRead = reads.find((r) => r.organisationId === mine)?.lastReadAt ?? null;
  const otherRead = reads.find((r) => r.organisationId === other)?.lastReadAt ?? null;
  const orgName = (orgId: number | null) => (orgId === null ? 'Équipe Passerelle' : (orgs.find((o) => o.id === orgId)?.name ?? ''));

  const messages = messageRows.map(({ message, authorName }) => ({
    id: message.id,
    kind: message.kind,
    bodyHtml: linkify(message.body),
    authorName: authorName ?? (message.kind === 'system' ? 'Passerelle' : 'Ancien membre'),
    organisationName: orgName(message.authorOrganisationId),
    mine: mine !== null && message.authorOrganisationId === mine,
    createdAt: message.createdAt,
    isNew: mine !== null && message.kind === 'user' && message.authorOrganisationId !== mine && (previousRead === null || message.createdAt > previousRead),
    attachment: message.attachmentPath
      ? {
          url: `/demandes/${id}/pieces-jointes/${message.id}`,
          name: message.attachmentName ?? 'piece-jointe',
          size: formatSize(message.attachmentSize ?? 0),
          type: typeLabels[message.attachmentType ?? ''] ?? 'fichier',
        }
      : null,
  }));
  const lastMine = [...messages].reverse().find((m) => m.mine && m.kind === 'user');
  const receipt = lastMine && otherRead && otherRead >= lastMine.createdAt ? { messageId: lastMine.id, by: orgName(other), at: otherRead } : null;

  if (options.markRead !== false && mine !== null) {
    const now = deps.clock.now();
    await markThreadRead(deps.db, id, mine, now);
    await markReadByUrl(deps.db, user.id, `/demandes/${id}`, now);
  }

  const isOpen = openStatuses.includes(request.status);
  const partnerSide = mine === request.partnerId;
  const templates = partnerSide ? await listTemplates(deps.db, request.partnerId) : [];
  const needTitle = !offer && request.needId ? await findNeedTitle(deps.db, request.needId) : null;
  const subject = requestSubject(offer?.title ?? null, needTitle, partner.name);
  const fromPartner = request.direction === 'partner_to_acm';
  return {
    request,
    side: access.side,
    subject,
    acm,
    partner,
    /** Who sent the request and who is to answer it: a partner answering a need writes first. */
    sender: fromPartner ? partner : acm,
    addressee: fromPartner ? acm : partner,
    kind: fromPartner ? 'Proposition' : 'Demande',
    offer,
    counterpart: mine === null ? null : (orgs.find((o) => o.id === other) ?? null),
    status: { value: request.status, label: statusLabels[request.status], tag: statusTags[request.status] },
    details: {
      slots: request.slots.map((s) => labelOf(slots, s)),
      objectives: request.objectives.map((o) => labelOf(partnershipReasons, o)),
      ages: formatters.ages(request.ageMin, request.ageMax),
      declineReason: request.declineCode ? declineReasonLabel(request.declineCode) : null,
    },
    messages,
    receipt,
    events: events.map(({ event, actorName }) => ({
      at: event.createdAt,
      from: event.fromStatus ? (statusLabels[event.fromStatus as keyof typeof statusLabels] ?? event.fromStatus) : null,
      to: statusLabels[event.toStatus as keyof typeof statusLabels] ?? event.toStatus,
      actorName: actorName ?? 'Passerelle',
    })),
    partnership,
    templates,
    declineReasons,
    can: {
      post: !['declined', 'withdrawn', 'expired'].includes(request.status),
      accept: access.side === 'addressee' && isOpen,
      decline: access.side === 'addressee' && isOpen,
      withdraw: access.side === 'sender' && isOpen,
      manageTemplates: partnerSide,
    },
  };
}
