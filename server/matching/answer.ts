import { and, eq, inArray } from 'drizzle-orm';
import { offers, requests } from '../../db/schema/index.js';
import type { CurrentUser, MembershipSummary } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import { de, formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { notify } from '../notifications/notifications.usecases.js';
import { insertEvent, insertMessage, insertRequest, markThreadRead } from '../requests/requests.repository.js';
import type { NeedWithAcm } from './needs.repository.js';
import { partnerMemberships } from './needs.usecases.js';

const ANSWER_MESSAGE_MAX = 3000;

const answerMessages = {
  partner: 'Choisissez la structure qui répond.',
  offerOrMessage: 'Choisissez une de vos offres ou écrivez un message.',
  offer: 'Choisissez une offre publiée de votre structure.',
  closed: 'Ce besoin n’est plus ouvert : il ne reçoit plus de réponses.',
};

/** The partner a user answers for: the one chosen in the form, among the user's partner structures. */
function answeringPartner(user: CurrentUser, form: FormReader): MembershipSummary | null {
  const partners = partnerMemberships(user);
  if (partners.length === 0) throw new NotFoundError();
  const raw = form.raw('partnerId');
  const partner = partners.length === 1 && !raw ? partners[0] : partners.find((p) => String(p.organisationId) === raw);
  if (!partner) form.fail('partnerId', answerMessages.partner);
  return partner ?? null;
}

interface AnswerResult {
  requestId: number;
  /** False when an open thread already existed for this need and partner. */
  created: boolean;
}

/**
 * A partner answers an ACM's need with one of its offers and/or a message: a request thread
 * (direction partner_to_acm, need recorded) that both sides then follow in the requests
 * workflow. The one place that opens such a thread, so that it can move to the requests domain's
 * use case without touching the callers.
 */
export async function answerNeed(deps: Deps, user: CurrentUser, found: NeedWithAcm, body: Record<string, unknown>): Promise<AnswerResult> {
  const form = new FormReader(body);
  const partner = answeringPartner(user, form);
  const offerRaw = form.raw('offerId');
  const message = form.text('message', { max: ANSWER_MESSAGE_MAX, multiline: true, noMarkup: false });
  let offer: typeof offers.$inferSelect | null = null;
  if (offerRaw && partner) {
    const [row] = /^\d{1,9}$/.test(offerRaw)
      ? await deps.db
          .select()
          .from(offers)
          .where(and(eq(offers.id, Number(offerRaw)), eq(offers.organisationId, partner.organisationId), eq(offers.status, 'published')))
          .limit(1)
      : [];
    if (!row) form.fail('offerId', answerMessages.offer);
    offer = row ?? null;
  }
  if (!offerRaw && !message) form.fail('offerId', answerMessages.offerOrMessage);
  form.assertValid();
  if (found.need.status !== 'open') throw new ForbiddenError(answerMessages.closed);
  if (partner!.status === 'suspended') throw new ForbiddenError('Votre structure est suspendue : elle ne peut pas répondre pour le moment.');
  return openAnswerThread(deps, user, found, partner!.organisationId, offer, message);
}

async function openAnswerThread(
  deps: Deps,
  user: CurrentUser,
  found: NeedWithAcm,
  partnerId: number,
  offer: typeof offers.$inferSelect | null,
  message: string,
): Promise<AnswerResult> {
  const { need, acm } = found;
  const [existing] = await deps.db
    .select({ id: requests.id })
    .from(requests)
    .where(and(eq(requests.needId, need.id), eq(requests.partnerId, partnerId), inArray(requests.status, ['sent', 'in_discussion'])))
    .limit(1);
  if (existing) return { requestId: existing.id, created: false };
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.REQUEST_EXPIRY_DAYS * 86_400_000);
  const partnerName = user.memberships.find((m) => m.organisationId === partnerId)?.name ?? 'Un partenaire';
  const intro = offer
    ? `${partnerName} propose son offre « ${offer.title} » en réponse au besoin « ${need.title} » ${de(acm.name)}. Sans réponse d’ici le ${formatters.date(expiresAt)}, la demande expirera automatiquement.`
    : `${partnerName} répond au besoin « ${need.title} » ${de(acm.name)}. Sans réponse d’ici le ${formatters.date(expiresAt)}, la demande expirera automatiquement.`;
  return deps.db.transaction(async (tx) => {
    const request = await insertRequest(tx, {
      acmId: acm.id,
      partnerId,
      offerId: offer?.id ?? null,
      needId: need.id,
      direction: 'partner_to_acm',
      status: 'sent',
      periodStart: need.startDate,
      periodEnd: need.endDate,
      slots: need.slots,
      childrenCount: need.groupSize,
      ageMin: need.ageMin,
      ageMax: need.ageMax,
      message,
      createdBy: user.id,
      createdAt: now,
      lastActivityAt: now,
      expiresAt,
    });
    const requestId = request.id;
    if (message) await insertMessage(tx, { requestId, authorId: user.id, authorOrganisationId: partnerId, kind: 'user', body: message, createdAt: now });
    await insertEvent(tx, { requestId, actorId: user.id, fromStatus: null, toStatus: 'sent', data: { needId: need.id }, createdAt: now });
    await insertMessage(tx, { requestId, authorId: null, authorOrganisationId: partnerId, kind: 'system', body: intro, createdAt: now });
    await markThreadRead(tx, requestId, partnerId, now);
    await notify(deps, tx, {
      organisationIds: [acm.id],
      type: 'request_received',
      title: `Réponse à votre besoin : ${need.title}`.slice(0, 200),
      body: intro,
      url: `/demandes/${requestId}`,
      excludeUserId: user.id,
    });
    return { requestId, created: true };
  });
}
