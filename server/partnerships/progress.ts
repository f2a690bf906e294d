import { formatters } from '../lib/format.js';
import type { Deadline, Session } from './calendar.repository.js';
import type { Signature } from './convention.repository.js';
import type { Partnership, Party, Side } from './partnerships.repository.js';
import type { Review } from './review.repository.js';

/**
 * done: its fact is reached; current: where the partnership stands; incomplete: passed over, still
 * to finish; todo: not reached yet; skipped: never reached by a partnership now closed.
 */
export type StepState = 'done' | 'current' | 'incomplete' | 'todo' | 'skipped';

export interface StepView {
  number: number;
  key: 'definition' | 'recherche' | 'formalisation' | 'animation' | 'bilan';
  title: string;
  path: string;
  state: StepState;
  done: boolean;
  current: boolean;
}

export interface ProgressInput {
  partnership: Partnership;
  parties: Record<Side, Party | undefined>;
  conventionSigned: boolean;
  signatures: Signature[];
  sessions: Session[];
  deadlines: Deadline[];
  reviews: Review[];
  minutesWritten: boolean;
  today: string;
  /** An amendment to the signed convention waiting for signatures, and the sides that signed it (the workspace knows it). */
  amendment?: { number: number; signedBy: Side[] } | null;
}

export const stepTitles = {
  definition: 'Définition',
  recherche: 'Recherche et choix',
  formalisation: 'Formalisation',
  animation: 'Animation',
  bilan: 'Bilan',
} as const;

export const stepStateLabels: Record<StepState, string> = {
  done: 'terminée',
  current: 'étape en cours',
  incomplete: 'à compléter',
  todo: 'à venir',
  skipped: 'non faite',
};

/** How far a step went: reached is its fact (e.g. convention signed), started is a first trace of it. */
interface StepFacts {
  reached: boolean;
  started: boolean;
}

/** Définition filled: at least one objective, and each party described its commitments. */
function definitionDone(p: Partnership, parties: ProgressInput['parties']): boolean {
  return p.objectives.length > 0 && Boolean(parties.acm?.commitments.trim()) && Boolean(parties.partner?.commitments.trim());
}

/** Partner chosen: both organisations confirmed the partnership (a request accepted is a confirmation). */
function partnerChosen(input: ProgressInput): boolean {
  const p = input.partnership;
  if (p.status === 'active' || p.status === 'closed') return true;
  return Boolean(input.parties.acm?.confirmedAt && input.parties.partner?.confirmedAt);
}

/** Convention signed by both, or meeting minutes written and approved by both. */
function formalisationDone(input: ProgressInput): boolean {
  if (input.partnership.formalisation === 'minutes') {
    return input.minutesWritten && Boolean(input.parties.acm?.minutesApprovedAt) && Boolean(input.parties.partner?.minutesApprovedAt);
  }
  return input.conventionSigned;
}

/** The first session took place (recorded as held). */
function firstSessionHeld(input: ProgressInput): boolean {
  return input.sessions.some((s) => s.status === 'held');
}

/** The year's sessions are behind: none planned from today on, and at least one held. */
function animationDone(input: ProgressInput): boolean {
  return firstSessionHeld(input) && input.sessions.every((s) => s.status !== 'planned' || s.date < input.today);
}

function reviewsSent(input: ProgressInput): number {
  return new Set(input.reviews.filter((r) => r.submittedAt).map((r) => r.side)).size;
}

function facts(input: ProgressInput): Record<StepView['key'], StepFacts> {
  const p = input.partnership;
  const formalisationStarted =
    input.signatures.length > 0 || input.minutesWritten || Boolean(input.parties.acm?.minutesApprovedAt || input.parties.partner?.minutesApprovedAt);
  return {
    definition: {
      reached: definitionDone(p, input.parties),
      started: p.objectives.length > 0 || Boolean(input.parties.acm?.commitments.trim() || input.parties.partner?.commitments.trim()),
    },
    recherche: { reached: partnerChosen(input), started: true },
    formalisation: { reached: formalisationDone(input), started: formalisationStarted },
    animation: { reached: animationDone(input), started: firstSessionHeld(input) },
    bilan: { reached: p.decision !== null, started: reviewsSent(input) > 0 },
  };
}

const order = ['definition', 'recherche', 'formalisation', 'animation', 'bilan'] as const;

/**
 * Index of the current step. The first two steps come in the method's order (a request accepted
 * chooses the partner before the définition is written); from the formalisation on, the
 * partnership stands at its furthest step with a trace: the step after it once it is reached.
 * Null when the partnership is closed or every step is reached.
 */
function currentStepIndex(input: ProgressInput): number | null {
  if (input.partnership.status === 'closed') return null;
  const f = facts(input);
  let furthest = -1;
  for (let i = 2; i < order.length; i++) if (f[order[i]!].reached || f[order[i]!].started) furthest = i;
  if (furthest === -1) {
    const first = order.findIndex((key) => !f[key].reached);
    return first === -1 ? null : first;
  }
  if (!f[order[furthest]!].reached) return furthest;
  return furthest + 1 < order.length ? furthest + 1 : null;
}

function stateOf(reached: boolean, index: number, current: number | null, closed: boolean): StepState {
  if (reached) return 'done';
  if (closed) return 'skipped';
  if (index === current) return 'current';
  return current === null || index < current ? 'incomplete' : 'todo';
}

/** The five steps of the method, each with its state derived from the facts. */
export function steps(input: ProgressInput): StepView[] {
  const base = `/partenariats/${input.partnership.id}`;
  const f = facts(input);
  const current = currentStepIndex(input);
  const paths = { definition: 'definition', recherche: 'recherche', formalisation: 'formalisation', animation: 'animation', bilan: 'bilan' };
  return order.map((key, i) => {
    const state = stateOf(f[key].reached, i, current, input.partnership.status === 'closed');
    return {
      number: i + 1,
      key,
      title: stepTitles[key],
      path: `${base}/${paths[key]}`,
      state,
      done: state === 'done',
      current: state === 'current',
    };
  });
}

/** Everything shown about a partnership's progress (tracker, list, dashboard), from one input. */
export function progress(input: ProgressInput) {
  const list = steps(input);
  return { steps: list, currentStep: list.find((s) => s.current) ?? null, actions: nextActions(input) };
}

export interface NextAction {
  label: string;
  path: string;
}

/** What each party has to do next, from the state of every step. */
export function nextActions(input: ProgressInput): Record<Side, NextAction[]> {
  const p = input.partnership;
  const base = `/partenariats/${p.id}`;
  const actions: Record<Side, NextAction[]> = { acm: [], partner: [] };
  const both = (label: string, path: string) => {
    actions.acm.push({ label, path });
    actions.partner.push({ label, path });
  };
  if (p.status === 'closed') return actions;
  for (const side of ['acm', 'partner'] as const) {
    if ((p.status === 'awaiting_confirmation' || p.status === 'draft') && !input.parties[side]?.confirmedAt) {
      actions[side].push({ label: 'Confirmer le partenariat pour démarrer', path: base });
    }
  }
  if (p.objectives.length === 0) both('Définir les objectifs du partenariat', `${base}/definition#objectifs`);
  for (const side of ['acm', 'partner'] as const) {
    if (!input.parties[side]?.commitments.trim())
      actions[side].push({ label: 'Décrire ses engagements et ses ressources', path: `${base}/definition#engagements` });
  }
  if (p.formalisation === 'convention' && !input.conventionSigned) {
    if (input.parties.partner && input.parties.partner.intervenants.length === 0) {
      actions.partner.push({ label: 'Nommer les intervenants (convention)', path: `${base}/definition#intervenants` });
    }
    for (const side of ['acm', 'partner'] as const) {
      const signed = input.signatures.some((s) => s.side === side);
      const other = input.signatures.some((s) => s.side !== side);
      if (!signed)
        actions[side].push({
          label: other ? 'Signer la convention (l’autre partie a signé)' : 'Relire et signer la convention',
          path: `${base}/formalisation#signer`,
        });
    }
  }
  const amendment = input.amendment;
  if (amendment) {
    for (const side of ['acm', 'partner'] as const) {
      if (!amendment.signedBy.includes(side))
        actions[side].push({ label: `Relire et signer l’avenant n° ${amendment.number}`, path: `${base}/formalisation#avenant` });
    }
  }
  if (p.formalisation === 'minutes') {
    if (!input.minutesWritten) both('Rédiger le compte rendu de réunion et les échéances', `${base}/formalisation#compte-rendu`);
    else {
      for (const side of ['acm', 'partner'] as const) {
        if (!input.parties[side]?.minutesApprovedAt) actions[side].push({ label: 'Valider le compte rendu', path: `${base}/formalisation#compte-rendu` });
      }
    }
  }
  if (input.sessions.length === 0) both('Établir le calendrier des séances', `${base}/animation#calendrier`);
  const unrecorded = input.sessions.filter((s) => s.status === 'planned' && s.date < input.today);
  if (unrecorded.length) {
    actions.acm.push({
      label: unrecorded.length > 1 ? `Renseigner ${unrecorded.length} séances passées (présence, déroulé)` : 'Renseigner la séance passée (présence, déroulé)',
      path: `${base}/animation#seances`,
    });
  }
  for (const deadline of input.deadlines) {
    if (deadline.doneAt) continue;
    const label = `Échéance du ${formatters.date(deadline.dueDate)} : ${deadline.label}`;
    if (deadline.side) actions[deadline.side].push({ label, path: `${base}/animation#echeances` });
    else both(label, `${base}/animation#echeances`);
  }
  const reviewTime = animationDone(input);
  if (reviewTime || input.reviews.length > 0) {
    for (const side of ['acm', 'partner'] as const) {
      if (!input.reviews.some((r) => r.side === side && r.submittedAt)) actions[side].push({ label: 'Remplir son bilan', path: `${base}/bilan#mon-bilan` });
    }
    if (reviewsSent(input) === 2 && !p.decision) both('Décider : reconduire, ajuster ou arrêter', `${base}/bilan#decision`);
  }
  return actions;
}
