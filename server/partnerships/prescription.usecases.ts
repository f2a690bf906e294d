import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { schoolYearOf } from '../kernel/school-year.js';
import { charterAxes, partnershipReasons } from '../kernel/taxonomy.js';
import { NotFoundError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { inScopes } from './access.js';
import { recordEvent } from './events.js';
import { findConvention, findOrganisationDetails, insertParties, insertPartnership, organisationsInScopes } from './partnerships.repository.js';

export function requireCoordinator(user: CurrentUser): void {
  if (user.coordinatorScopes.length === 0) throw new NotFoundError();
}

export async function prescriptionChoices(deps: Deps, user: CurrentUser) {
  requireCoordinator(user);
  const [acms, partners] = await Promise.all([
    organisationsInScopes(deps.db, 'acm', user.coordinatorScopes),
    organisationsInScopes(deps.db, 'partner', user.coordinatorScopes),
  ]);
  return { acms, partners };
}

/**
 * A coordinator prescribes a partnership between an ACM and a partner of their territory (the
 * seed: "il est possible qu'au départ, un partenariat soit imposé ou fasse l'objet d'une
 * prescription"). Both organisations are notified and must confirm before it starts.
 */
export async function prescribePartnership(deps: Deps, user: CurrentUser, body: Record<string, unknown>): Promise<number> {
  requireCoordinator(user);
  const form = new FormReader(body);
  const acmId = form.int('acmId', { required: true, min: 1 });
  const partnerId = form.int('partnerId', { required: true, min: 1 });
  const title = form.text('title', { required: true, max: 150 });
  const message = form.text('message', { required: true, max: 3000, multiline: true });
  const objective = form.text('objective', { max: 300 });
  const reasons = form.someOf(
    'reasons',
    partnershipReasons.map((r) => r.value),
  );
  const axes = form.someOf(
    'charterAxes',
    charterAxes.map((a) => a.value),
  );
  const [acm, partner] = await Promise.all([
    acmId ? findOrganisationDetails(deps.db, acmId) : null,
    partnerId ? findOrganisationDetails(deps.db, partnerId) : null,
  ]);
  const acmInScope = acm?.kind === 'acm' && inScopes(acm, user.coordinatorScopes);
  const partnerInScope = partner?.kind === 'partner' && inScopes(partner, user.coordinatorScopes);
  if (acmId && !acmInScope) form.fail('acmId', 'Choisissez un accueil de votre territoire.');
  if (partnerId && !partnerInScope) form.fail('partnerId', 'Choisissez un partenaire de votre territoire.');
  form.assertValid();
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const partnership = await insertPartnership(tx, {
      acmId: acm!.id,
      partnerId: partner!.id,
      prescribedBy: user.id,
      prescriptionMessage: message,
      title,
      schoolYear: schoolYearOf(parisToday(now)),
      status: 'awaiting_confirmation',
      reasons,
      charterAxes: axes,
      objectives: objective ? [{ general: objective, operational: [] }] : [],
      createdAt: now,
      updatedAt: now,
    });
    await insertParties(tx, [
      { partnershipId: partnership.id, organisationId: acm!.id, side: 'acm', updatedAt: now },
      { partnershipId: partnership.id, organisationId: partner!.id, side: 'partner', updatedAt: now },
    ]);
    await findConvention(tx, partnership.id);
    await recordEvent(
      deps,
      tx,
      {
        partnership,
        actorId: user.id,
        action: 'partnership.prescribed',
        summary: `Partenariat prescrit par ${user.name}, coordinateur·rice du territoire : ${message}`,
        notify: {
          type: 'partnership_prescribed',
          title: `Partenariat proposé par ${user.name} : ${acm!.name} et ${partner!.name}`,
          body: message.slice(0, 500),
          path: `/partenariats/${partnership.id}`,
        },
      },
      { acm: acm!.name, partner: partner!.name },
    );
    return partnership.id;
  });
}

export { inScopes };
