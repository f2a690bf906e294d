import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { schoolYearBounds, schoolYearOf } from '../kernel/school-year.js';
import { partnershipReasons, slots } from '../kernel/taxonomy.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import type { FormReader } from '../lib/validation.js';
import { findOffer, findOpenRequests, findOrganisation, findOrganisations, type OfferRow, type OrganisationRow } from './requests.repository.js';

export const MESSAGE_MAX = 5000;
export const AGE_MIN = 3;
export const AGE_MAX = 17;

export interface RequestTarget {
  offer: OfferRow | null;
  partner: OrganisationRow;
}

export type TargetQuery = { offre?: number | undefined; structure?: number | undefined };

/** The offer (published) or partner organisation a request is about; 404 for anything else. */
export async function resolveTarget(deps: Deps, query: TargetQuery): Promise<RequestTarget> {
  if (query.offre) {
    const offer = await findOffer(deps.db, query.offre);
    if (offer?.status !== 'published') throw new NotFoundError('Cette offre n’existe pas ou n’est plus publiée.');
    const partner = await findOrganisation(deps.db, offer.organisationId);
    if (!partner || partner.status === 'suspended') throw new NotFoundError('Cette offre n’existe pas ou n’est plus publiée.');
    return { offer, partner };
  }
  if (query.structure) {
    const partner = await findOrganisation(deps.db, query.structure);
    if (partner?.kind !== 'partner' || partner.status === 'suspended') throw new NotFoundError('Cette structure n’existe pas.');
    return { offer: null, partner };
  }
  throw new NotFoundError('Choisissez d’abord une offre ou une structure partenaire à qui proposer un partenariat.');
}

/** The ACMs the user can send requests for (an ACM member with several accueils picks one). */
export async function acmsOf(deps: Deps, user: CurrentUser): Promise<OrganisationRow[]> {
  const ids = user.memberships.filter((m) => m.kind === 'acm' && m.status !== 'suspended').map((m) => m.organisationId);
  const found = await findOrganisations(deps.db, ids);
  return found.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export class NotAnAcmError extends ForbiddenError {
  constructor() {
    super('Seuls les membres d’un accueil de loisirs (ACM) peuvent proposer un partenariat à un partenaire.');
  }
}

/** The later of two ISO dates (strings compare in date order). */
function later(a: string, b: string): string {
  return a > b ? a : b;
}

/** Form values prefilled from the offer and the ACM profile. */
export function defaultValues(target: RequestTarget, acm: OrganisationRow | undefined, now: Date): Record<string, unknown> {
  const today = parisToday(now);
  const offer = target.offer;
  let start: string;
  let end: string;
  if (offer?.startDate && offer.endDate && offer.endDate >= today) {
    start = later(offer.startDate, today);
    end = offer.endDate;
  } else {
    let bounds = schoolYearBounds(schoolYearOf(now));
    if (bounds.end < today) bounds = schoolYearBounds(schoolYearOf(new Date(now.getTime() + 60 * 86_400_000)));
    start = later(bounds.start, today);
    end = bounds.end;
  }
  let ageMin = offer?.ageMin ?? acm?.ageMin ?? null;
  let ageMax = offer?.ageMax ?? acm?.ageMax ?? null;
  if (offer && acm?.ageMin != null && acm.ageMax != null && acm.ageMin <= offer.ageMax && acm.ageMax >= offer.ageMin) {
    ageMin = Math.max(offer.ageMin, acm.ageMin);
    ageMax = Math.min(offer.ageMax, acm.ageMax);
  }
  const groupMax = offer?.groupMax ?? null;
  const childrenCount = groupMax && acm?.capacity ? Math.min(groupMax, acm.capacity) : (groupMax ?? null);
  return {
    acmId: acm?.id,
    periodStart: start,
    periodEnd: end,
    slots: offer?.slots ?? [],
    childrenCount,
    ageMin,
    ageMax,
    adultsCount: offer?.adultsRequired ?? null,
    objectives: [],
    objectivesOther: '',
    message: '',
  };
}

interface RequestInput {
  acmId: number;
  periodStart: string | null;
  periodEnd: string | null;
  slots: string[];
  childrenCount: number | null;
  ageMin: number | null;
  ageMax: number | null;
  adultsCount: number | null;
  objectives: string[];
  objectivesOther: string | null;
  message: string;
}

export function readRequestForm(form: FormReader, acms: OrganisationRow[]): RequestInput {
  const acmValue =
    acms.length === 1
      ? String(acms[0]!.id)
      : form.oneOf(
          'acmId',
          acms.map((a) => String(a.id)),
          { required: true },
        );
  const periodStart = form.date('periodStart', { required: true });
  const periodEnd = form.date('periodEnd', { required: true });
  if (periodStart && periodEnd && periodEnd < periodStart) form.fail('periodEnd', 'La fin de la période doit être après son début.');
  const chosenSlots = form.someOf(
    'slots',
    slots.map((s) => s.value),
    { min: 1, requiredMessage: 'Choisissez au moins un créneau du mercredi.' },
  );
  const childrenCount = form.int('childrenCount', { required: true, min: 1, max: 300 });
  const ageMin = form.int('ageMin', { required: true, min: AGE_MIN, max: AGE_MAX });
  const ageMax = form.int('ageMax', { required: true, min: AGE_MIN, max: AGE_MAX });
  if (ageMin !== null && ageMax !== null && ageMax < ageMin) form.fail('ageMax', 'L’âge maximum doit être supérieur ou égal à l’âge minimum.');
  const adultsCount = form.int('adultsCount', { min: 0, max: 50 });
  const objectives = form.someOf(
    'objectives',
    partnershipReasons.map((r) => r.value),
  );
  const objectivesOther = form.optionalText('objectivesOther', { max: 1000, multiline: true, noMarkup: false });
  const message = form.text('message', { required: true, max: MESSAGE_MAX, multiline: true, noMarkup: false });
  if (!form.errors.message && message.length < 20) form.fail('message', 'Présentez votre demande en quelques phrases (20 caractères au minimum).');
  return {
    acmId: Number(acmValue),
    periodStart,
    periodEnd,
    slots: chosenSlots,
    childrenCount,
    ageMin,
    ageMax,
    adultsCount,
    objectives,
    objectivesOther,
    message,
  };
}

/** Existing open requests from the user's ACMs about this target (the form shows them first). */
export async function openRequestsFor(deps: Deps, acms: OrganisationRow[], target: RequestTarget) {
  const found = await findOpenRequests(
    deps.db,
    acms.map((a) => a.id),
    target.offer ? { offerId: target.offer.id } : { partnerId: target.partner.id },
  );
  return found.map((r) => ({ ...r, acmName: acms.find((a) => a.id === r.acmId)?.name ?? '' }));
}
