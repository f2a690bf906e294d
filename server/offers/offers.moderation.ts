import type { Db } from '../../db/client.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { labelOf } from '../kernel/taxonomy.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { rejectionReasons, reportReasons } from './offers.labels.js';
import {
  archiveExpiredOffers,
  audit,
  findReport,
  insertReport,
  lockOffer,
  memberContacts,
  type Offer,
  resolveReport,
  resolveReportsOfOffer,
  updateOffer,
} from './offers.repository.js';
import { todayIn } from './offers.usecases.js';
import { offerPath } from './offers.view.js';

const reasonCodes = rejectionReasons.map((r) => r.value);
const reportCodes = reportReasons.map((r) => r.value);

function readReason(body: Record<string, unknown>) {
  const form = new FormReader(body);
  const code = form.oneOf('code', reasonCodes, { required: true });
  const reason = form.text('reason', { required: code === 'autre', max: 2000, multiline: true, noMarkup: false });
  form.assertValid();
  return { code: code!, reason };
}

async function mailMembers(deps: Deps, tx: Db, offer: Offer, message: { template: string; subject: string; data?: Record<string, unknown> }): Promise<void> {
  const contacts = await memberContacts(tx, offer.organisationId);
  const base = deps.config.BASE_URL;
  for (const contact of contacts) {
    await deps.mailer.queue(
      {
        to: contact.email,
        subject: message.subject,
        template: message.template,
        data: {
          name: contact.name,
          offerTitle: offer.title,
          offerUrl: `${base}${offerPath(offer)}`,
          editUrl: `${base}/offres/${offer.id}/modifier`,
          ...message.data,
        },
      },
      tx,
    );
  }
}

async function moderate(deps: Deps, offerId: number, allowed: Offer['status'][], refused: string, change: (tx: Db, offer: Offer) => Promise<Offer>) {
  return deps.db.transaction(async (tx) => {
    const offer = await lockOffer(tx, offerId);
    if (!offer) throw new NotFoundError();
    if (!allowed.includes(offer.status)) throw new ConflictError(refused);
    const saved = await change(tx, offer);
    await enqueueSearchSync(tx, 'offer', offerId);
    return saved;
  });
}

export async function approveOffer(deps: Deps, admin: CurrentUser, offerId: number): Promise<Offer> {
  const now = deps.clock.now();
  return moderate(deps, offerId, ['pending'], 'Cette offre n’est plus en attente de validation.', async (tx, offer) => {
    const saved = await updateOffer(tx, offerId, {
      status: 'published',
      publishedAt: offer.publishedAt ?? now,
      rejectionCode: null,
      rejectionReason: null,
      takenDownAt: null,
      updatedAt: now,
    });
    await audit(tx, { actorId: admin.id, action: 'offer.approved', entityId: offerId });
    await mailMembers(deps, tx, saved, { template: 'offer-approved', subject: `Votre offre est publiée : ${saved.title.slice(0, 80)}` });
    return saved;
  });
}

export async function rejectOffer(deps: Deps, admin: CurrentUser, offerId: number, body: Record<string, unknown>): Promise<Offer> {
  const { code, reason } = readReason(body);
  const now = deps.clock.now();
  return moderate(deps, offerId, ['pending'], 'Cette offre n’est plus en attente de validation.', async (tx) => {
    const saved = await updateOffer(tx, offerId, { status: 'rejected', rejectionCode: code, rejectionReason: reason || null, updatedAt: now });
    await audit(tx, { actorId: admin.id, action: 'offer.rejected', entityId: offerId, data: { code, reason } });
    await mailMembers(deps, tx, saved, {
      template: 'offer-rejected',
      subject: `Votre offre n’a pas été validée : ${saved.title.slice(0, 80)}`,
      data: { reasonLabel: labelOf(rejectionReasons, code), reason },
    });
    return saved;
  });
}

/** Withdraws a visible offer from the directory; its open reports are closed as handled. */
export async function takeDownOffer(deps: Deps, admin: CurrentUser, offerId: number, body: Record<string, unknown>): Promise<Offer> {
  const { code, reason } = readReason(body);
  const now = deps.clock.now();
  return moderate(deps, offerId, ['published', 'paused'], 'Cette offre n’est pas publiée : il n’y a rien à retirer.', async (tx) => {
    const saved = await updateOffer(tx, offerId, {
      status: 'rejected',
      rejectionCode: code,
      rejectionReason: reason || null,
      takenDownAt: now,
      updatedAt: now,
    });
    await resolveReportsOfOffer(tx, offerId, { status: 'actioned', resolvedBy: admin.id, resolvedAt: now });
    await audit(tx, { actorId: admin.id, action: 'offer.taken_down', entityId: offerId, data: { code, reason } });
    await mailMembers(deps, tx, saved, {
      template: 'offer-taken-down',
      subject: `Votre offre a été retirée de l’annuaire : ${saved.title.slice(0, 80)}`,
      data: { reasonLabel: labelOf(rejectionReasons, code), reason },
    });
    return saved;
  });
}

/** A signed-in user reports a published offer to the moderators. */
export async function reportOffer(deps: Deps, user: CurrentUser, offerId: number, body: Record<string, unknown>) {
  const form = new FormReader(body);
  const reason = form.oneOf('reason', reportCodes, { required: true });
  const message = form.text('message', { required: reason === 'autre', max: 2000, multiline: true, noMarkup: false });
  form.assertValid();
  return insertReport(deps.db, { offerId, reporterId: user.id, reason: reason!, message, createdAt: deps.clock.now() });
}

export async function dismissReport(deps: Deps, admin: CurrentUser, reportId: number): Promise<void> {
  const report = await resolveReport(deps.db, reportId, { status: 'dismissed', resolvedBy: admin.id, resolvedAt: deps.clock.now() });
  if (!report) {
    if (!(await findReport(deps.db, reportId))) throw new NotFoundError();
    throw new ConflictError('Ce signalement a déjà été traité.');
  }
  await audit(deps.db, { actorId: admin.id, action: 'offer.report_dismissed', entityId: report.offerId, data: { reportId } });
}

/** The scheduled job: offers whose availability period is over leave the directory. */
export async function archiveExpired(deps: Deps): Promise<number[]> {
  const today = todayIn(deps);
  return deps.db.transaction(async (tx) => {
    const ids = await archiveExpiredOffers(tx, today, deps.clock.now());
    await enqueueSearchSync(tx, 'offer', ids);
    return ids;
  });
}
