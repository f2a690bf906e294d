import type { ReviewAnswers, ReviewScore } from '../../db/schema/partnerships.js';
import { partnershipDecisions } from '../../db/schema/partnerships.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { nextSchoolYear } from '../kernel/school-year.js';
import { charterAxes, labelOf } from '../kernel/taxonomy.js';
import { ConflictError } from '../lib/errors.js';
import { de, formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { type Access, actingSide, organisationIdOf } from './access.js';
import { durationHours, nextYearSameWeekday } from './calendar.js';
import { listSessions, type Session } from './calendar.repository.js';
import { ensureConvention, findConvention, updateConvention } from './convention.repository.js';
import { organisationNames, recordChange } from './events.js';
import { findParties, insertParties, insertPartnership, lockPartnership, type Partnership, type Side, updatePartnership } from './partnerships.repository.js';
import { listReviews, type Review, upsertReview } from './review.repository.js';
import { regenerateSessions } from './schedule.js';

export const decisionLabels: Record<(typeof partnershipDecisions)[number], string> = {
  renew: 'Reconduire',
  adjust: 'Ajuster',
  stop: 'Arrêter',
};

export const scoreLabels: Record<number, string> = { 1: '1 — pas du tout', 2: '2 — plutôt non', 3: '3 — plutôt oui', 4: '4 — tout à fait' };

interface ScoreItem {
  group: 'objectives' | 'axes' | 'satisfaction' | 'coordination';
  key: string;
  label: string;
}

/** The qualitative questions of a partnership's review (domain-research.md §(c)). */
export function scoreItems(p: Partnership, otherName: string): ScoreItem[] {
  const axes = p.charterAxes.length ? charterAxes.filter((a) => p.charterAxes.includes(a.value)) : charterAxes;
  return [
    ...p.objectives.map((o, i) => ({ group: 'objectives' as const, key: `objectif-${i + 1}`, label: `Atteinte de l’objectif : ${o.general}` })),
    ...axes.map((a) => ({ group: 'axes' as const, key: a.value, label: `Contribution à l’axe de la charte : ${labelOf(charterAxes, a.value)}` })),
    { group: 'satisfaction', key: 'enfants', label: 'Satisfaction des enfants' },
    { group: 'satisfaction', key: 'equipe', label: 'Satisfaction de votre équipe' },
    { group: 'satisfaction', key: 'partenaire', label: `Satisfaction vis-à-vis ${de(otherName)}` },
    { group: 'satisfaction', key: 'familles', label: 'Satisfaction des familles' },
    { group: 'coordination', key: 'ponctualite', label: 'Coordination : ponctualité et respect des engagements' },
    { group: 'coordination', key: 'communication', label: 'Coordination : communication entre les équipes' },
  ];
}

/** Figures that cannot all be right: the field a person most likely mistyped says so. */
function checkCounts(form: FormReader, a: ReviewAnswers): void {
  // Only between figures that passed their own checks (a negative one already says so).
  const counts = ['sessionsPlanned', 'sessionsHeld', 'sessionsCancelled', 'childrenEnrolled', 'childrenWithDisability'];
  if (counts.some((name) => form.errors[name])) return;
  const { sessionsPlanned: planned, sessionsHeld: held, sessionsCancelled: cancelled } = a;
  if (planned !== null && held !== null && held + (cancelled ?? 0) > planned) {
    const done = `${formatters.plural(held, 'séance réalisée', 'séances réalisées')}${cancelled ? ` et ${formatters.plural(cancelled, 'annulée', 'annulées')}` : ''}`;
    form.fail('sessionsHeld', `${done} pour ${formatters.plural(planned, 'séance prévue', 'séances prévues')} : corrigez l’un de ces nombres.`);
  }
  if (a.childrenEnrolled !== null && a.childrenWithDisability !== null && a.childrenWithDisability > a.childrenEnrolled) {
    form.fail('childrenWithDisability', `Ce nombre dépasse celui des enfants inscrits (${a.childrenEnrolled}).`);
  }
}

/** Quantitative indicators computed from the calendar, to prefill the form. */
function quantitativeFromCalendar(p: Partnership, sessions: Session[]) {
  const held = sessions.filter((s) => s.status === 'held');
  const cancelled = sessions.filter((s) => s.status === 'cancelled');
  const withAttendance = held.filter((s) => s.childrenPresent !== null);
  const childHours = withAttendance.reduce((sum, s) => sum + (s.childrenPresent ?? 0) * durationHours(s.startTime, s.endTime), 0);
  const interventionHours = held.reduce((sum, s) => sum + durationHours(s.startTime, s.endTime), 0);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    sessionsPlanned: sessions.length,
    sessionsHeld: held.length,
    sessionsCancelled: cancelled.length,
    cancellationReasons: cancelled
      .map((s) => s.cancelReason ?? '')
      .filter(Boolean)
      .join(' ; '),
    childrenEnrolled: p.childrenExpected,
    averageAttendance: withAttendance.length ? round(withAttendance.reduce((sum, s) => sum + (s.childrenPresent ?? 0), 0) / withAttendance.length) : null,
    childHours: round(childHours),
    interventionHours: round(interventionHours),
    costPlannedEur: p.budgetEur,
  };
}

/**
 * Attendance per age group summed over the held sessions where groups were recorded, youngest
 * first: « 6–8 ans : 24 présences sur 3 séances ».
 */
export function attendanceByAge(sessions: Session[]): { label: string; ageMin: number; ageMax: number; present: number; sessions: number }[] {
  const groups = new Map<string, { label: string; ageMin: number; ageMax: number; present: number; sessions: number }>();
  for (const s of sessions) {
    if (s.status !== 'held') continue;
    for (const g of s.attendanceGroups) {
      const key = `${g.ageMin}-${g.ageMax}`;
      const row = groups.get(key) ?? { label: g.label, ageMin: g.ageMin, ageMax: g.ageMax, present: 0, sessions: 0 };
      row.present += g.present;
      row.sessions += 1;
      groups.set(key, row);
    }
  }
  return [...groups.values()].sort((a, b) => a.ageMin - b.ageMin || a.ageMax - b.ageMax);
}

function emptyScores(items: ScoreItem[], group: ScoreItem['group']): ReviewScore[] {
  return items.filter((i) => i.group === group).map((i) => ({ key: i.key, label: i.label, score: null, comment: '' }));
}

/** The answers shown in a party's form: what it saved, or the prefill from the calendar. */
export function reviewDraft(p: Partnership, sessions: Session[], review: Review | undefined, otherName: string): ReviewAnswers {
  const items = scoreItems(p, otherName);
  const prefill: ReviewAnswers = {
    ...quantitativeFromCalendar(p, sessions),
    childrenWithDisability: null,
    costActualEur: null,
    finalRealisation: p.finalRealisation,
    enrolmentsAfter: null,
    objectives: emptyScores(items, 'objectives'),
    axes: emptyScores(items, 'axes'),
    satisfaction: emptyScores(items, 'satisfaction'),
    coordination: emptyScores(items, 'coordination'),
    incidents: '',
    inclusion: '',
  };
  return review ? { ...prefill, ...review.answers } : prefill;
}

/** Each party fills its own review; "submit" makes it final (it stays editable until the decision). */
export async function saveReview(deps: Deps, access: Access, body: Record<string, unknown>): Promise<{ submitted: boolean }> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const p = access.partnership;
  if (p.decision) throw new ConflictError('La décision est prise : le bilan ne peut plus être modifié.');
  const submit = form.raw('intent') === 'submit';
  const count = (name: string) => form.int(name, { min: 0, max: 100_000 });
  const quantity = (name: string) => {
    const value = form.decimal(name, { min: 0, max: 1_000_000 });
    return value === null ? null : Number(value);
  };
  const names = await organisationNames(deps.db, p);
  const items = scoreItems(p, side === 'acm' ? names.partner : names.acm);
  const scores = (group: ScoreItem['group']): ReviewScore[] =>
    items
      .filter((i) => i.group === group)
      .map((i) => {
        const name = `score_${group}_${i.key}`;
        const score = form.int(name, { min: 1, max: 4 });
        if (submit && score === null) form.fail(name, 'Choisissez une note de 1 à 4.');
        return { key: i.key, label: i.label, score, comment: form.text(`comment_${group}_${i.key}`, { max: 2000, multiline: true }) };
      });
  const answers: ReviewAnswers = {
    sessionsPlanned: count('sessionsPlanned'),
    sessionsHeld: count('sessionsHeld'),
    sessionsCancelled: count('sessionsCancelled'),
    cancellationReasons: form.text('cancellationReasons', { max: 2000, multiline: true }),
    childrenEnrolled: count('childrenEnrolled'),
    averageAttendance: quantity('averageAttendance'),
    childrenWithDisability: count('childrenWithDisability'),
    childHours: quantity('childHours'),
    interventionHours: quantity('interventionHours'),
    costPlannedEur: form.money('costPlannedEur', { min: 0, max: 1_000_000 }),
    costActualEur: form.money('costActualEur', { min: 0, max: 1_000_000 }),
    finalRealisation: form.text('finalRealisation', { max: 3000, multiline: true }),
    enrolmentsAfter: count('enrolmentsAfter'),
    objectives: scores('objectives'),
    axes: scores('axes'),
    satisfaction: scores('satisfaction'),
    coordination: scores('coordination'),
    incidents: form.text('incidents', { max: 3000, multiline: true }),
    inclusion: form.text('inclusion', { max: 3000, multiline: true }),
  };
  checkCounts(form, answers);
  const recommendation = form.oneOf('recommendation', partnershipDecisions, { required: submit });
  const recommendationReason = form.text('recommendationReason', { max: 2000, multiline: true, required: submit });
  form.assertValid();
  const previous = (await listReviews(deps.db, p.id)).find((r) => r.side === side);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await upsertReview(tx, {
      partnershipId: p.id,
      side,
      organisationId: organisationIdOf(p, side),
      answers,
      recommendation,
      recommendationReason,
      submittedAt: submit ? now : (previous?.submittedAt ?? null),
      submittedBy: submit ? access.user.id : (previous?.submittedBy ?? null),
      updatedAt: now,
    });
    if (submit) {
      const reviews = await listReviews(tx, p.id);
      const bothDone = reviews.filter((r) => r.submittedAt).length === 2;
      await recordChange(deps, tx, access, {
        side,
        action: 'review.submitted',
        summary: `Bilan ${previous?.submittedAt ? 'mis à jour' : 'rempli'} (proposition : ${decisionLabels[recommendation!].toLowerCase()}).`,
        notify: {
          title: bothDone ? 'Les deux bilans sont remplis : prenez la décision ensemble' : 'L’autre partie a rempli son bilan : à votre tour',
          path: `/partenariats/${p.id}/bilan`,
        },
      });
    }
  });
  return { submitted: submit };
}

export type DecisionOutcome = { outcome: 'proposed' | 'withdrawn' } | { outcome: 'decided'; renewedId: number | null };

const noProposal = {
  proposedDecision: null,
  proposedDecisionReason: null,
  proposedDecisionSide: null,
  proposedDecisionAt: null,
  proposedDecisionBy: null,
} as const;

/**
 * The joint decision once both reviews are in: renew (next year's draft), adjust, or stop. One
 * party proposes, the other confirms (or proposes something else); a member of both structures
 * decides alone. "confirm" names the proposal it saw, so a proposal changed meanwhile is not
 * confirmed blindly.
 */
export async function decide(deps: Deps, access: Access, body: Record<string, unknown>): Promise<DecisionOutcome> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const intent = form.oneOf('intent', ['propose', 'confirm', 'withdraw'] as const) ?? 'propose';
  const decision = intent === 'propose' ? form.oneOf('decision', partnershipDecisions, { required: true }) : null;
  const reason = intent === 'propose' ? form.text('decisionReason', { required: true, max: 2000, multiline: true }) : null;
  const seen = intent === 'confirm' ? form.raw('proposedAt') : '';
  form.assertValid();
  const reviews = await listReviews(deps.db, access.partnership.id);
  if (reviews.filter((r) => r.submittedAt).length < 2) throw new ConflictError('Les deux parties doivent d’abord remplir leur bilan.');
  return deps.db.transaction(async (tx) => {
    const p = await lockPartnership(tx, access.partnership.id);
    if (p.decision) throw new ConflictError('La décision a déjà été prise.');
    const other = p.proposedDecisionSide && p.proposedDecisionSide !== side ? p.proposedDecision : null;
    if (intent === 'withdraw') {
      if (p.proposedDecisionSide !== side) throw new ConflictError('Il n’y a pas de proposition de votre structure à retirer.');
      await updatePartnership(tx, p.id, noProposal, deps.clock.now());
      await recordChange(deps, tx, access, { side, action: 'decision.withdrawn', summary: 'Proposition de décision retirée.' });
      return { outcome: 'withdrawn' };
    }
    if (intent === 'confirm') {
      if (!other || !p.proposedDecisionAt || seen !== p.proposedDecisionAt.toISOString()) {
        throw new ConflictError('La proposition a changé entre-temps : relisez-la avant de confirmer.');
      }
      return take(deps, tx, access, p, side, other, p.proposedDecisionReason ?? '');
    }
    // Agreeing with the other party's proposal, or deciding for both structures, takes the decision.
    if (decision === other || access.sides.length > 1) return take(deps, tx, access, p, side, decision!, reason!);
    const now = deps.clock.now();
    await updatePartnership(
      tx,
      p.id,
      { proposedDecision: decision, proposedDecisionReason: reason, proposedDecisionSide: side, proposedDecisionAt: now, proposedDecisionBy: access.user.id },
      now,
    );
    const label = decisionLabels[decision!].toLowerCase();
    await recordChange(deps, tx, access, {
      side,
      action: 'decision.proposed',
      summary: `Propose ${de(label)} le partenariat — ${reason}. En attente de la confirmation de l’autre structure.`,
      notify: {
        title: `Proposition après le bilan : ${label} — à confirmer`,
        body: reason!.slice(0, 300),
        path: `/partenariats/${p.id}/bilan#decision`,
        sides: [side === 'acm' ? 'partner' : 'acm'],
      },
    });
    return { outcome: 'proposed' };
  });
}

/** Takes the decision both parties agreed on; the current year runs until its last planned session unless they stop. */
async function take(
  deps: Deps,
  tx: Deps['db'],
  access: Access,
  p: Partnership,
  side: Side,
  decision: Partnership['decision'] & string,
  reason: string,
): Promise<DecisionOutcome> {
  const today = parisToday(deps.clock.now());
  const remaining = (await listSessions(tx, p.id)).filter((s) => s.status === 'planned' && s.date >= today);
  const ends = decision === 'stop' || (decision === 'renew' && remaining.length === 0);
  const now = deps.clock.now();
  const renewedId = decision === 'renew' ? (await renew(deps, tx, { ...access, partnership: p }, side)).id : null;
  const proposer = p.proposedDecisionSide && p.proposedDecisionSide !== side ? p.proposedDecisionSide : null;
  await updatePartnership(
    tx,
    p.id,
    {
      ...noProposal,
      decision,
      decisionReason: reason,
      decidedAt: now,
      decidedBy: access.user.id,
      ...(ends ? { status: 'closed' as const, closedAt: now } : {}),
    },
    now,
  );
  const names = proposer ? await organisationNames(tx, p) : null;
  await recordChange(deps, tx, access, {
    side,
    action: 'decision.made',
    summary: `Décision : ${decisionLabels[decision].toLowerCase()} — ${reason}${renewedId ? ` (reconduction pour ${nextSchoolYear(p.schoolYear)})` : ''}.${
      names && proposer ? ` Proposée par ${names[proposer]}, confirmée par ${names[side]}.` : ''
    }${
      decision === 'renew' && remaining.length
        ? ` L’année ${p.schoolYear} continue : ${formatters.plural(remaining.length, 'séance prévue', 'séances prévues')}, jusqu’au ${formatters.date(remaining.at(-1)!.date)}.`
        : ''
    }`,
    notify: {
      title: `Décision après le bilan : ${decisionLabels[decision].toLowerCase()}`,
      body: reason.slice(0, 300),
      path: renewedId ? `/partenariats/${renewedId}` : `/partenariats/${p.id}/bilan`,
    },
  });
  return { outcome: 'decided', renewedId };
}

/**
 * Copies the partnership into the next school year as a draft: définition, commitments,
 * intervenants, convention fields (a new draft to sign) and calendar rules, shifted by 52 weeks
 * so that Wednesdays stay Wednesdays; the sessions are computed again with that year's holidays
 * (or public holidays only while the year's school calendar is unknown).
 */
async function renew(deps: Deps, tx: Deps['db'], access: Access, side: Side) {
  const p = access.partnership;
  const userId = access.user.id;
  const now = deps.clock.now();
  const shift = (d: string | null) => (d ? nextYearSameWeekday(d) : null);
  const next = await insertPartnership(tx, {
    requestId: p.requestId,
    acmId: p.acmId,
    partnerId: p.partnerId,
    offerId: p.offerId,
    prescribedBy: null,
    title: p.title,
    schoolYear: nextSchoolYear(p.schoolYear),
    status: 'draft',
    renewedFromId: p.id,
    objectives: p.objectives,
    expectedResults: p.expectedResults,
    finalRealisation: p.finalRealisation,
    reasons: p.reasons,
    charterAxes: p.charterAxes,
    childrenExpected: p.childrenExpected,
    ageMin: p.ageMin,
    ageMax: p.ageMax,
    budgetEur: p.budgetEur,
    formalisation: p.formalisation,
    periodStart: shift(p.periodStart),
    periodEnd: shift(p.periodEnd),
    slot: p.slot,
    startTime: p.startTime,
    endTime: p.endTime,
    periodicity: p.periodicity,
    monthlyWeek: p.monthlyWeek,
    cycleCount: p.cycleCount,
    place: p.place,
    createdAt: now,
    updatedAt: now,
  });
  const parties = await findParties(tx, p.id);
  await insertParties(
    tx,
    parties.map((party) => ({
      partnershipId: next.id,
      organisationId: party.organisationId,
      side: party.side,
      commitments: party.commitments,
      humanResources: party.humanResources,
      materialResources: party.materialResources,
      financialResources: party.financialResources,
      referentName: party.referentName,
      referentContact: party.referentContact,
      intervenants: party.intervenants,
      confirmedAt: party.side === side ? now : null,
      confirmedBy: party.side === side ? userId : null,
      updatedAt: now,
    })),
  );
  const convention = await findConvention(tx, p.id);
  await ensureConvention(tx, next.id);
  await updateConvention(tx, next.id, { fields: convention.fields, updatedAt: now, updatedBy: userId });
  const calendar = next.periodicity ? await regenerateSessions(tx, next) : null;
  const unknown = calendar?.unknownSchoolYears.length
    ? ` Les vacances scolaires ${calendar.unknownSchoolYears.join(', ')} ne sont pas encore publiées : seuls les jours fériés ont été écartés.`
    : '';
  await recordChange(deps, tx, access, {
    partnership: next,
    side,
    action: 'partnership.renewed',
    summary: `Reconduction du partenariat ${p.schoolYear} pour ${next.schoolYear} : brouillon créé${calendar ? ` avec ${formatters.plural(calendar.created, 'séance recalculée', 'séances recalculées')}` : ''}.${unknown} À confirmer par les deux parties.`,
  });
  return next;
}

export const reviewFieldLabels: Record<string, string> = {
  sessionsPlanned: 'Séances prévues',
  sessionsHeld: 'Séances réalisées',
  sessionsCancelled: 'Séances annulées',
  cancellationReasons: 'Motifs des annulations',
  childrenEnrolled: 'Enfants inscrits',
  averageAttendance: 'Enfants présents en moyenne par séance',
  childrenWithDisability: 'Enfants en situation de handicap',
  childHours: 'Heures-enfants',
  interventionHours: 'Heures d’intervention',
  costPlannedEur: 'Coût prévu (€)',
  costActualEur: 'Coût réel (€)',
  finalRealisation: 'Réalisation finale (type, familles présentes)',
  enrolmentsAfter: 'Inscriptions ensuite (club, médiathèque…)',
  incidents: 'Incidents',
  inclusion: 'Adaptations pour l’inclusion',
};

export const numberFields = ['sessionsPlanned', 'sessionsHeld', 'sessionsCancelled', 'childrenEnrolled', 'childrenWithDisability', 'enrolmentsAfter'] as const;
/** Indicators that may have a decimal part (averages, hours). */
export const decimalFields = ['averageAttendance', 'childHours', 'interventionHours'] as const;

interface ComparisonRow {
  label: string;
  group: string;
  acm: string;
  partner: string;
}

const frenchNumber = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'number' ? frenchNumber.format(value) : String(value);
}

function scoreText(score: ReviewScore | undefined): string {
  if (!score || score.score === null) return '—';
  return `${score.score}/4${score.comment ? ` — ${score.comment}` : ''}`;
}

/** Both reviews side by side: one row per indicator, the ACM's answer and the partner's. */
export function compareReviews(acm: Review, partner: Review): ComparisonRow[] {
  const a = acm.answers;
  const b = partner.answers;
  const rows: ComparisonRow[] = Object.entries(reviewFieldLabels)
    .filter(([key]) => key !== 'incidents' && key !== 'inclusion')
    .map(([key, label]) => {
      const amount = key === 'costPlannedEur' || key === 'costActualEur';
      const value = (answers: ReviewAnswers) => (amount ? formatters.euros(answers[key]) || '—' : show(answers[key as keyof ReviewAnswers]));
      return { label: amount ? label.replace(/ \(€\)$/, '') : label, group: 'Indicateurs quantitatifs', acm: value(a), partner: value(b) };
    });
  for (const group of ['objectives', 'axes', 'satisfaction', 'coordination'] as const) {
    const left_ = a[group] ?? [];
    const right_ = b[group] ?? [];
    const keys = [...new Set([...left_.map((s) => s.key), ...right_.map((s) => s.key)])];
    for (const key of keys) {
      const left = left_.find((s) => s.key === key);
      const right = right_.find((s) => s.key === key);
      const label = key === 'partenaire' ? 'Satisfaction vis-à-vis de l’autre structure' : (left ?? right)!.label;
      rows.push({ label, group: 'Appréciations (1 à 4)', acm: scoreText(left), partner: scoreText(right) });
    }
  }
  rows.push(
    { label: reviewFieldLabels.incidents!, group: 'Appréciations (1 à 4)', acm: show(a.incidents), partner: show(b.incidents) },
    { label: reviewFieldLabels.inclusion!, group: 'Appréciations (1 à 4)', acm: show(a.inclusion), partner: show(b.inclusion) },
    {
      label: 'Proposition',
      group: 'Suite du partenariat',
      acm: `${acm.recommendation ? decisionLabels[acm.recommendation] : '—'}${acm.recommendationReason ? ` — ${acm.recommendationReason}` : ''}`,
      partner: `${partner.recommendation ? decisionLabels[partner.recommendation] : '—'}${partner.recommendationReason ? ` — ${partner.recommendationReason}` : ''}`,
    },
  );
  return rows;
}
