import type { Db } from '../../db/client.js';
import type { Intervenant, PartnershipObjective, requests } from '../../db/schema/index.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { schoolYearBounds, schoolYearOf } from '../kernel/school-year.js';
import { charterAxes, labelOf, partnershipReasons } from '../kernel/taxonomy.js';
import { ConflictError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { fulfilNeedByPartnership } from '../matching/needs.usecases.js';
import { notify } from '../notifications/notifications.usecases.js';
import { type Access, actingSide, requireEditor } from './access.js';
import { slotTimes } from './calendar.js';
import { ensureConvention } from './convention.repository.js';
import { reconcileConvention } from './convention.usecases.js';
import { recordChange } from './events.js';
import {
  findOffer,
  findParties,
  insertHistory,
  insertParties,
  insertPartnership,
  listPartnershipsFor,
  type Side,
  updatePartnership,
  updateParty,
} from './partnerships.repository.js';
import { regenerateSessions } from './schedule.js';

type RequestRow = typeof requests.$inferSelect;

export const OBJECTIVE_ROWS_EXTRA = 2;
export const MAX_OBJECTIVES = 10;
export const INTERVENANT_ROWS_EXTRA = 2;
export const MAX_INTERVENANTS = 15;

/** Calendar rules from what the request asked and what the offer proposes. */
async function rulesFrom(db: Db, request: RequestRow, schoolYear: string, today: string) {
  const offer = request.offerId ? await findOffer(db, request.offerId) : null;
  const bounds = schoolYearBounds(schoolYear);
  let periodStart = request.periodStart ?? offer?.startDate ?? bounds.start;
  if (periodStart < today) periodStart = today;
  const periodEnd = request.periodEnd ?? offer?.endDate ?? bounds.end;
  const slot = request.slots[0] ?? offer?.slots[0] ?? null;
  const times = slot ? slotTimes[slot] : undefined;
  return {
    offer,
    rules: {
      periodStart,
      periodEnd: periodEnd >= periodStart ? periodEnd : null,
      slot,
      startTime: times?.start ?? '09:30',
      endTime: times?.end ?? '11:30',
      periodicity: offer?.periodicity ?? null,
      cycleCount: offer?.sessionsCount ?? null,
      place: offer ? (offer.venue === 'dans-l-accueil' ? 'Dans les locaux de l’accueil' : offer.address) : '',
    },
  };
}

/**
 * Creates the partnership record when a request is accepted (called inside the accepting
 * transaction). The définition is prefilled from the request (its objectives become the reasons
 * and general objectives), the calendar rules from the request's period and slot and the offer's
 * rhythm, and the sessions are generated when the rhythm is known.
 */
export async function createPartnershipFromRequest(db: Db, request: RequestRow, title: string, now: Date) {
  const schoolYear = schoolYearOf(request.periodStart ?? now);
  const { offer, rules } = await rulesFrom(db, request, schoolYear, parisToday(now));
  const reasons = request.objectives.filter((o) => partnershipReasons.some((r) => r.value === o));
  const objectives: PartnershipObjective[] = [
    ...(request.objectivesOther?.trim() ? [{ general: request.objectivesOther.trim(), operational: [] }] : []),
    ...reasons.slice(0, 3).map((r) => ({ general: labelOf(partnershipReasons, r), operational: [] })),
  ];
  const partnership = await insertPartnership(db, {
    requestId: request.id,
    acmId: request.acmId,
    partnerId: request.partnerId,
    offerId: request.offerId,
    title,
    schoolYear,
    status: 'active',
    reasons,
    objectives,
    childrenExpected: request.childrenCount,
    ageMin: request.ageMin ?? offer?.ageMin ?? null,
    ageMax: request.ageMax ?? offer?.ageMax ?? null,
    ...rules,
    createdAt: now,
    updatedAt: now,
  });
  await insertParties(db, [
    { partnershipId: partnership.id, organisationId: request.acmId, side: 'acm', confirmedAt: now, updatedAt: now },
    { partnershipId: partnership.id, organisationId: request.partnerId, side: 'partner', confirmedAt: now, updatedAt: now },
  ]);
  await ensureConvention(db, partnership.id);
  let summary = 'Partenariat créé : la demande de partenariat a été acceptée.';
  if (partnership.periodicity) {
    const calendar = await regenerateSessions(db, partnership);
    summary += ` Calendrier prérempli : ${formatters.plural(calendar.created, 'séance', 'séances')}.`;
  }
  await insertHistory(db, { partnershipId: partnership.id, actorId: null, action: 'partnership.created', summary, at: now, data: { requestId: request.id } });
  return partnership;
}

export async function listUserPartnerships(deps: Deps, user: CurrentUser) {
  const orgIds = user.memberships.map((m) => m.organisationId);
  const rows = await listPartnershipsFor(deps.db, orgIds, user.coordinatorScopes.length ? user.id : null, parisToday(deps.clock.now()));
  return rows.map((r) => ({
    ...r,
    side: (orgIds.includes(r.partnership.acmId) ? 'acm' : orgIds.includes(r.partnership.partnerId) ? 'partner' : null) as Side | null,
  }));
}

function readObjectives(form: FormReader): PartnershipObjective[] {
  const objectives: PartnershipObjective[] = [];
  for (let i = 0; i < MAX_OBJECTIVES + OBJECTIVE_ROWS_EXTRA; i++) {
    const general = form.text(`objective_${i}`, { max: 300 });
    const operational = form
      .text(`operational_${i}`, { max: 3000, multiline: true })
      .split('\n')
      .map((l) => l.replace(/^[-•*]\s*/, '').trim())
      .filter(Boolean);
    if (!general && operational.length) form.fail(`objective_${i}`, 'Indiquez l’objectif général auquel ces objectifs opérationnels se rattachent.');
    if (general) objectives.push({ general, operational: operational.slice(0, 20) });
  }
  if (objectives.length > MAX_OBJECTIVES) form.fail('objective_0', `${MAX_OBJECTIVES} objectifs généraux au maximum.`);
  return objectives;
}

/** Step 1, the shared part: objectives, expected results, final realisation, reasons and charter axes. */
export async function updateDefinition(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  requireEditor(access);
  const form = new FormReader(body);
  const title = form.text('title', { required: true, max: 150 });
  const objectives = readObjectives(form);
  const expectedResults = form.text('expectedResults', { max: 3000, multiline: true });
  const finalRealisation = form.text('finalRealisation', { max: 2000, multiline: true });
  const reasons = form.someOf(
    'reasons',
    partnershipReasons.map((r) => r.value),
  );
  const axes = form.someOf(
    'charterAxes',
    charterAxes.map((a) => a.value),
  );
  const childrenExpected = form.int('childrenExpected', { min: 1, max: 500 });
  const ageMin = form.int('ageMin', { min: 3, max: 17 });
  const ageMax = form.int('ageMax', { min: 3, max: 17 });
  if (ageMin !== null && ageMax !== null && ageMin > ageMax) form.fail('ageMax', 'L’âge maximum doit être supérieur ou égal à l’âge minimum.');
  const budgetEur = form.money('budgetEur', { min: 0, max: 1_000_000 });
  form.assertValid();
  const p = access.partnership;
  const next = { title, objectives, expectedResults, finalRealisation, reasons, charterAxes: axes, childrenExpected, ageMin, ageMax, budgetEur };
  const labels: Record<keyof typeof next, string> = {
    title: 'intitulé',
    objectives: 'objectifs',
    expectedResults: 'résultats attendus',
    finalRealisation: 'réalisation finale',
    reasons: 'raisons du partenariat',
    charterAxes: 'axes de la charte',
    childrenExpected: 'nombre d’enfants',
    ageMin: 'âge minimum',
    ageMax: 'âge maximum',
    budgetEur: 'budget prévisionnel',
  };
  const same = (key: keyof typeof next) =>
    key === 'budgetEur'
      ? next.budgetEur === null
        ? p.budgetEur === null
        : Number(next.budgetEur) === Number(p.budgetEur)
      : JSON.stringify(next[key]) === JSON.stringify(p[key]);
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((key) => !same(key));
  if (changed.length === 0) return;
  await deps.db.transaction(async (tx) => {
    await updatePartnership(tx, p.id, next, deps.clock.now());
    const side = access.sides[0] ?? null;
    await recordChange(deps, tx, access, {
      action: 'definition.updated',
      summary: `Définition modifiée : ${changed.map((c) => labels[c]).join(', ')}.`,
      notify: { title: 'La définition du partenariat a été modifiée', path: `/partenariats/${p.id}/definition` },
    });
    await reconcileConvention(deps, tx, p.id, access.user.id, side, form.bool('confirm'));
  });
}

/** Step 1, each party's own part: commitments, resources, referent. */
export async function updateCommitments(deps: Deps, access: Access, body: Record<string, unknown>): Promise<Side> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const values = {
    commitments: form.text('commitments', { max: 5000, multiline: true }),
    humanResources: form.text('humanResources', { max: 3000, multiline: true }),
    materialResources: form.text('materialResources', { max: 3000, multiline: true }),
    financialResources: form.text('financialResources', { max: 3000, multiline: true }),
    referentName: form.text('referentName', { max: 120 }),
    referentContact: form.text('referentContact', { max: 200 }),
  };
  form.assertValid();
  const p = access.partnership;
  await deps.db.transaction(async (tx) => {
    await updateParty(tx, p.id, side, { ...values, updatedAt: deps.clock.now() });
    await recordChange(deps, tx, access, {
      side,
      action: 'commitments.updated',
      summary: 'Engagements et ressources modifiés.',
      notify: {
        title: 'Engagements modifiés par l’autre partie',
        path: `/partenariats/${p.id}/definition#engagements`,
        sides: [side === 'acm' ? 'partner' : 'acm'],
      },
    });
    await reconcileConvention(deps, tx, p.id, access.user.id, side, form.bool('confirm'));
  });
  return side;
}

/** The partner names its intervenants (convention, honorabilité check of the TAM declaration). */
export async function updateIntervenants(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  const side = actingSide(access, 'partner');
  const form = new FormReader(body);
  const list: Intervenant[] = [];
  const today = parisToday(deps.clock.now());
  for (let i = 0; i < MAX_INTERVENANTS + INTERVENANT_ROWS_EXTRA; i++) {
    const item = {
      name: form.text(`intervenant_name_${i}`, { max: 120 }),
      birthDate: form.date(`intervenant_birthDate_${i}`) ?? '',
      birthPlace: form.text(`intervenant_birthPlace_${i}`, { max: 120 }),
      qualification: form.text(`intervenant_qualification_${i}`, { max: 200 }),
      cardNumber: form.text(`intervenant_cardNumber_${i}`, { max: 40 }),
      cardExpiry: form.date(`intervenant_cardExpiry_${i}`) ?? '',
    };
    const filled = Object.values(item).some(Boolean);
    if (filled && !item.name) form.fail(`intervenant_name_${i}`, 'Indiquez le nom et le prénom de l’intervenant.');
    // The convention names them and the ACM declares them for the honorabilité check: a typo here is a wrong declaration.
    if (item.birthDate && (item.birthDate >= today || item.birthDate < '1900-01-01')) {
      form.fail(`intervenant_birthDate_${i}`, 'La date de naissance doit être une date passée (format attendu : AAAA-MM-JJ).');
    }
    if (item.cardExpiry && item.cardExpiry < today) {
      form.fail(`intervenant_cardExpiry_${i}`, 'Cette carte professionnelle a expiré : indiquez la date de validité de la carte renouvelée.');
    }
    if (item.name) list.push(item);
  }
  if (list.length > MAX_INTERVENANTS) form.fail('intervenant_name_0', `${MAX_INTERVENANTS} intervenants au maximum.`);
  form.assertValid();
  const p = access.partnership;
  await deps.db.transaction(async (tx) => {
    await updateParty(tx, p.id, side, { intervenants: list, updatedAt: deps.clock.now() });
    await recordChange(deps, tx, access, {
      side,
      action: 'intervenants.updated',
      summary: `Intervenants nommés : ${list.map((i) => i.name).join(', ') || 'aucun'}.`,
    });
    await reconcileConvention(deps, tx, p.id, access.user.id, side, form.bool('confirm'));
  });
}

/** A prescribed or renewed partnership starts when both parties confirmed it. */
export async function confirmPartnership(deps: Deps, access: Access, body: Record<string, unknown>): Promise<{ started: boolean }> {
  const side = actingSide(access, new FormReader(body).raw('side') || null);
  const p = access.partnership;
  if (p.status !== 'awaiting_confirmation' && p.status !== 'draft') throw new ConflictError('Ce partenariat n’attend pas de confirmation.');
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    await updateParty(tx, p.id, side, { confirmedAt: now, confirmedBy: access.user.id });
    const parties = await findParties(tx, p.id);
    const started = parties.length === 2 && parties.every((party) => party.confirmedAt);
    await recordChange(deps, tx, access, { side, action: 'partnership.confirmed', summary: 'Partenariat confirmé.' });
    if (started) {
      await updatePartnership(tx, p.id, { status: 'active' }, now);
      await recordChange(deps, tx, access, {
        side,
        action: 'partnership.started',
        summary: 'Les deux parties ont confirmé : le partenariat démarre.',
        notify: { title: 'Le partenariat démarre : les deux structures ont confirmé', path: `/partenariats/${p.id}` },
      });
      if (p.needId && (await fulfilNeedByPartnership(tx, p.needId, now))) {
        await recordChange(deps, tx, access, {
          side,
          action: 'need.fulfilled',
          summary: 'Le besoin pour lequel ce partenariat a été prescrit est marqué comme pourvu.',
        });
      }
      if (p.prescribedBy) {
        await notify(deps, tx, {
          userIds: [p.prescribedBy],
          type: 'partnership_update',
          title: `Partenariat confirmé : ${p.title}`,
          url: `/partenariats/${p.id}`,
        });
      }
    }
    return { started };
  });
}

export async function declinePartnership(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const reason = form.text('reason', { required: true, max: 1000, multiline: true });
  form.assertValid();
  const p = access.partnership;
  if (p.status !== 'awaiting_confirmation' && p.status !== 'draft') throw new ConflictError('Ce partenariat n’attend pas de confirmation.');
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    await updatePartnership(
      tx,
      p.id,
      { status: 'closed', closedAt: now, decision: 'stop', decisionReason: reason, decidedAt: now, decidedBy: access.user.id },
      now,
    );
    await recordChange(deps, tx, access, {
      side,
      action: 'partnership.declined',
      summary: `Partenariat décliné : ${reason}`,
      notify: { title: 'Partenariat décliné', body: reason.slice(0, 300), path: `/partenariats/${p.id}` },
    });
    if (p.prescribedBy) {
      await notify(deps, tx, {
        userIds: [p.prescribedBy],
        type: 'partnership_update',
        title: `Partenariat décliné : ${p.title}`,
        body: reason.slice(0, 300),
        url: `/partenariats/${p.id}`,
      });
    }
  });
}
