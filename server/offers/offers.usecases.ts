import { enqueueSearchSync } from '../../search/outbox.js';
import { isMember } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { nextSchoolYear, schoolYearBounds, schoolYearOf } from '../kernel/school-year.js';
import { slugify } from '../kernel/text.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { discard, putAll } from '../lib/storage.js';
import { LIMITS, type OfferFields, offerFormValues, readOfferForm } from './offers.form.js';
import {
  findCommuneBrief,
  findOffer,
  findOfferWithPartner,
  findPartner,
  insertOffer,
  lockOffer,
  type Offer,
  type OfferStatus,
  type Partner,
  updateOffer,
} from './offers.repository.js';
import { thumbnailKey } from './offers.view.js';
import { newPhotoKey, PhotoError, photoMessages, processPhoto } from './photos.js';

export type EditorAction = 'draft' | 'preview' | 'submit';

/** Today in France, as the date columns store it. */
export function todayIn(deps: Pick<Deps, 'clock'>): string {
  return parisToday(deps.clock.now());
}

export function canManage(user: CurrentUser | null, organisationId: number): boolean {
  return Boolean(user && (user.isAdmin || isMember(user, organisationId)));
}

/** The partner organisation whose offers the user manages; 404 for anyone else (and for ACMs). */
export async function managedPartner(deps: Pick<Deps, 'db'>, user: CurrentUser, organisationId: number): Promise<Partner> {
  const partner = await findPartner(deps.db, organisationId);
  if (partner?.kind !== 'partner' || !canManage(user, organisationId)) throw new NotFoundError();
  return partner;
}

/** An offer the user manages, with its organisation; 404 for anyone else, whatever the offer's status. */
export async function managedOffer(deps: Pick<Deps, 'db'>, user: CurrentUser, offerId: number): Promise<{ offer: Offer; partner: Partner }> {
  const offer = await findOffer(deps.db, offerId);
  if (!offer || !canManage(user, offer.organisationId)) throw new NotFoundError();
  const partner = await managedPartner(deps, user, offer.organisationId);
  return { offer, partner };
}

/** Default values of a new offer: the current school year, the partner's own place. */
export function newOfferDefaults(deps: Pick<Deps, 'clock'>, partner: Partner): Partial<Offer> {
  const bounds = availabilityDefaults(deps);
  const today = todayIn(deps);
  return {
    ageMin: 6,
    ageMax: 11,
    venue: 'dans-l-accueil',
    price: 'gratuit',
    slots: [],
    startDate: laterOf(bounds.start, today),
    endDate: bounds.end,
    address: partner.address,
    postcode: partner.postcode,
    codeInsee: partner.codeInsee,
    lat: partner.lat,
    lng: partner.lng,
    contactEmail: partner.email,
  };
}

/** The later of two ISO dates. */
function laterOf(a: string, b: string): string {
  return a.localeCompare(b) >= 0 ? a : b;
}

/** The current school year's availability period, or the next one once this one is over (July). */
export function availabilityDefaults(deps: Pick<Deps, 'clock'>): { start: string; end: string } {
  const today = todayIn(deps);
  const current = schoolYearBounds(schoolYearOf(today));
  return current.end < today ? schoolYearBounds(nextSchoolYear(schoolYearOf(today))) : current;
}

/** Where a submitted offer goes: straight to the directory for a verified partner, else to moderation. */
function submittedStatus(offer: Pick<Offer, 'status' | 'takenDownAt'>, partner: Partner): OfferStatus {
  if (partner.status === 'suspended') throw new ForbiddenError('Votre structure est suspendue : ses offres ne peuvent pas être publiées.');
  if (partner.status === 'verified' && offer.status !== 'rejected' && !offer.takenDownAt) return 'published';
  return 'pending';
}

function statusFields(status: OfferStatus, now: Date, current: Pick<Offer, 'publishedAt'> | null): Partial<Offer> {
  if (status === 'published') return { status, publishedAt: current?.publishedAt ?? now, rejectionCode: null, rejectionReason: null };
  if (status === 'pending') return { status, submittedAt: now, rejectionCode: null, rejectionReason: null };
  return { status };
}

function fieldsToRow(fields: OfferFields) {
  return { ...fields, slug: slugify(fields.title) };
}

export async function createOffer(deps: Deps, user: CurrentUser, organisationId: number, body: Record<string, unknown>, action: EditorAction): Promise<Offer> {
  const partner = await managedPartner(deps, user, organisationId);
  const fields = await readOfferForm(deps, body, { complete: action === 'submit', partner, today: todayIn(deps) });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const status = action === 'submit' ? submittedStatus({ status: 'draft', takenDownAt: null }, partner) : 'draft';
    const offer = await insertOffer(tx, {
      ...fieldsToRow(fields),
      organisationId,
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
      ...statusFields(status, now, null),
    });
    await enqueueSearchSync(tx, 'offer', offer.id);
    return offer;
  });
}

/**
 * Saves the editor. A published offer of an unverified partner goes back to moderation when it
 * changes; a draft or refused offer is submitted when asked.
 */
export async function saveOffer(deps: Deps, user: CurrentUser, offerId: number, body: Record<string, unknown>, action: EditorAction): Promise<Offer> {
  const { offer: current, partner } = await managedOffer(deps, user, offerId);
  if (current.status === 'archived') throw new ConflictError('Une offre archivée ne se modifie plus : dupliquez-la pour la proposer à nouveau.');
  const submitting = action === 'submit' || current.status === 'published' || current.status === 'pending';
  const fields = await readOfferForm(deps, body, { complete: submitting, partner, today: todayIn(deps) });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const offer = await lockOffer(tx, offerId);
    if (!offer) throw new NotFoundError();
    let status: OfferStatus = offer.status;
    if (action === 'submit' && (status === 'draft' || status === 'rejected')) status = submittedStatus(offer, partner);
    else if (status === 'published' && partner.status !== 'verified' && !user.isAdmin) status = 'pending';
    const saved = await updateOffer(tx, offerId, {
      ...fieldsToRow(fields),
      updatedAt: now,
      ...(status !== offer.status ? statusFields(status, now, offer) : {}),
    });
    await enqueueSearchSync(tx, 'offer', offerId);
    return saved;
  });
}

export type Transition = 'submit' | 'pause' | 'resume' | 'archive';

const allowedFrom: Record<Transition, OfferStatus[]> = {
  submit: ['draft', 'rejected'],
  pause: ['published'],
  resume: ['paused'],
  archive: ['draft', 'pending', 'published', 'paused', 'rejected'],
};

const transitionRefused: Record<Transition, string> = {
  submit: 'Seul un brouillon ou une offre refusée peut être soumis.',
  pause: 'Seule une offre publiée peut être mise en pause.',
  resume: 'Seule une offre en pause peut être reprise.',
  archive: 'Cette offre est déjà archivée.',
};

/**
 * A status change from the partner's list or the editor. Submitting checks that the stored offer
 * is complete (a ValidationError carries the messages for the editor).
 */
export async function changeStatus(deps: Deps, user: CurrentUser, offerId: number, transition: Transition): Promise<Offer> {
  const { offer: current, partner } = await managedOffer(deps, user, offerId);
  if (transition === 'submit' && allowedFrom.submit.includes(current.status)) {
    const commune = await findCommuneBrief(deps.db, current.codeInsee);
    await readOfferForm(deps, offerFormValues(current, commune), { complete: true, partner, today: todayIn(deps) });
  }
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const offer = await lockOffer(tx, offerId);
    if (!offer) throw new NotFoundError();
    if (!allowedFrom[transition].includes(offer.status)) throw new ConflictError(transitionRefused[transition]);
    let status: OfferStatus;
    if (transition === 'submit') status = submittedStatus(offer, partner);
    else if (transition === 'pause') status = 'paused';
    else if (transition === 'resume') {
      if (partner.status === 'suspended') throw new ForbiddenError('Votre structure est suspendue : ses offres ne peuvent pas être publiées.');
      status = 'published';
    } else status = 'archived';
    const saved = await updateOffer(tx, offerId, { updatedAt: now, ...statusFields(status, now, offer) });
    await enqueueSearchSync(tx, 'offer', offerId);
    return saved;
  });
}

/** A new draft with the same content (and a copy of the photo), for a new season or a variant. */
export async function duplicateOffer(deps: Deps, user: CurrentUser, offerId: number): Promise<Offer> {
  const { offer } = await managedOffer(deps, user, offerId);
  const now = deps.clock.now();
  const { id: _id, externalId: _externalId, createdAt: _c, updatedAt: _u, publishedAt: _p, submittedAt: _s, takenDownAt: _t, ...content } = offer;
  const title = `${offer.title.slice(0, 110)} (copie)`;
  let photoPath: string | null = null;
  if (offer.photoPath) photoPath = await copyPhoto(deps, offer.photoPath);
  const bounds = availabilityDefaults(deps);
  const today = todayIn(deps);
  const expired = offer.endDate !== null && offer.endDate < today;
  return deps.db
    .transaction(async (tx) => {
      const copy = await insertOffer(tx, {
        ...content,
        title,
        slug: slugify(title),
        status: 'draft',
        rejectionCode: null,
        rejectionReason: null,
        photoPath,
        photoAlt: photoPath ? offer.photoAlt : null,
        ...(expired ? { startDate: laterOf(bounds.start, today), endDate: bounds.end } : {}),
        createdBy: user.id,
        createdAt: now,
        updatedAt: now,
      });
      await enqueueSearchSync(tx, 'offer', copy.id);
      return copy;
    })
    .catch(async (error: unknown) => {
      if (photoPath) await discard(deps.storage, photoKeys(photoPath));
      throw error;
    });
}

async function copyPhoto(deps: Deps, key: string): Promise<string | null> {
  const [main, thumb] = await Promise.all([deps.storage.get(key), deps.storage.get(thumbnailKey(key))]);
  if (!main) return null;
  const copyKey = newPhotoKey(key.endsWith('.jpg') ? 'jpg' : 'webp');
  await putAll(
    deps.storage,
    thumb
      ? [
          [copyKey, main],
          [thumbnailKey(copyKey), thumb],
        ]
      : [[copyKey, main]],
  );
  return copyKey;
}

/** What the public page needs; null when the user may not see the offer (the route answers 404). */
export async function offerForPage(deps: Pick<Deps, 'db'>, user: CurrentUser | null, offerId: number) {
  const found = await findOfferWithPartner(deps.db, offerId);
  if (!found) return null;
  const { offer, partner, commune } = found;
  const manager = canManage(user, offer.organisationId);
  const visible = offer.status === 'published' && partner.status !== 'suspended';
  if (!visible && !manager) return null;
  return { offer, partner, commune, manager, visible };
}

/**
 * Replaces the offer's photo with the uploaded file, re-encoded (see processPhoto). The old files
 * are deleted once the new ones are stored and recorded. Errors come back next to the fields.
 */
export async function setOfferPhoto(
  deps: Deps,
  user: CurrentUser,
  offerId: number,
  upload: { data: Buffer | null; truncated: boolean; alt: string },
): Promise<Offer> {
  const { offer } = await managedOffer(deps, user, offerId);
  if (offer.status === 'archived') throw new ConflictError('Une offre archivée ne se modifie plus : dupliquez-la pour la proposer à nouveau.');
  const errors: Record<string, string> = {};
  const alt = upload.alt.replace(/\s+/g, ' ').trim();
  if (!alt) errors.photoAlt = photoMessages.alt;
  else if (alt.length > LIMITS.photoAlt) errors.photoAlt = `${LIMITS.photoAlt} caractères au maximum (vous en avez saisi ${alt.length}).`;
  let processed: { main: Buffer; thumbnail: Buffer } | null = null;
  if (!upload.data && !upload.truncated && offer.photoPath) {
    // No new file: only the description of the current photo changes.
    if (errors.photoAlt) throw new ValidationError(errors);
    return deps.db.transaction(async (tx) => {
      const row = await updateOffer(tx, offerId, { photoAlt: alt, updatedAt: deps.clock.now() });
      await enqueueSearchSync(tx, 'offer', offerId);
      return row;
    });
  }
  if (upload.truncated) errors.photo = photoMessages.tooLarge;
  else if (!upload.data) errors.photo = photoMessages.missing;
  else {
    try {
      processed = await processPhoto(upload.data);
    } catch (error) {
      if (!(error instanceof PhotoError)) throw error;
      errors.photo = error.message;
    }
  }
  if (Object.keys(errors).length > 0 || !processed) throw new ValidationError(errors);
  const key = newPhotoKey('webp');
  await putAll(deps.storage, [
    [key, processed.main],
    [thumbnailKey(key), processed.thumbnail],
  ]);
  // The previous photo is read under the row lock: with two uploads at once, each removes the
  // files it replaced, so none is left behind.
  const { saved, previous } = await deps.db
    .transaction(async (tx) => {
      const previous = (await lockOffer(tx, offerId))?.photoPath ?? null;
      const row = await updateOffer(tx, offerId, { photoPath: key, photoAlt: alt, updatedAt: deps.clock.now() });
      await enqueueSearchSync(tx, 'offer', offerId);
      return { saved: row, previous };
    })
    .catch(async (error: unknown) => {
      await discard(deps.storage, photoKeys(key));
      throw error;
    });
  if (previous) await discard(deps.storage, photoKeys(previous));
  return saved;
}

export async function removeOfferPhoto(deps: Deps, user: CurrentUser, offerId: number): Promise<void> {
  const { offer } = await managedOffer(deps, user, offerId);
  if (!offer.photoPath) return;
  const previous = await deps.db.transaction(async (tx) => {
    const previous = (await lockOffer(tx, offerId))?.photoPath ?? null;
    await updateOffer(tx, offerId, { photoPath: null, photoAlt: null, updatedAt: deps.clock.now() });
    await enqueueSearchSync(tx, 'offer', offerId);
    return previous;
  });
  if (previous) await discard(deps.storage, photoKeys(previous));
}

/** The files of a photo: the image and its thumbnail. */
function photoKeys(key: string): string[] {
  return [key, thumbnailKey(key)];
}
