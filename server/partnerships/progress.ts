import type { Deadline, Partnership, Party, Review, Session, Side, Signature } from './partnerships.repository.js';

export interface StepView {
  number: number;
  key: 'definition' | 'recherche' | 'formalisation' | 'animation' | 'bilan';
  title: string;
  path: string;
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
}

export const stepTitles = {
  definition: 'Définition',
  recherche: 'Recherche et choix',
  formalisation: 'Formalisation',
  animation: 'Animation',
  bilan: 'Bilan',
} as const;

export function definitionDone(p: Partnership, parties: ProgressInput['parties']): boolean {
  return p.objectives.length > 0 && Boolean(parties.acm?.commitments.trim()) && Boolean(parties.partner?.commitments.trim());
}

export function formalisationDone(input: ProgressInput): boolean {
  if (input.partnership.formalisation === 'minutes') {
    return input.minutesWritten && Boolean(input.parties.acm?.minutesApprovedAt) && Boolean(input.parties.partner?.minutesApprovedAt);
  }
  return input.conventionSigned;
}

export function animationDone(input: ProgressInput): boolean {
  return input.sessions.length > 0 && input.sessions.every((s) => s.status !== 'planned' || s.date < input.today);
}

/** The five steps of the method with what is done; the current step is the first one not done. */
export function steps(input: ProgressInput): StepView[] {
  const base = `/partenariats/${input.partnership.id}`;
  const list: Omit<StepView, 'current'>[] = [
    { number: 1, key: 'definition', title: stepTitles.definition, path: `${base}/definition`, done: definitionDone(input.partnership, input.parties) },
    { number: 2, key: 'recherche', title: stepTitles.recherche, path: `${base}/recherche`, done: true },
    { number: 3, key: 'formalisation', title: stepTitles.formalisation, path: `${base}/formalisation`, done: formalisationDone(input) },
    { number: 4, key: 'animation', title: stepTitles.animation, path: `${base}/animation`, done: animationDone(input) },
    { number: 5, key: 'bilan', title: stepTitles.bilan, path: `${base}/bilan`, done: input.partnership.decision !== null },
  ];
  const currentIndex = list.findIndex((s) => !s.done);
  return list.map((s, i) => ({ ...s, current: i === currentIndex }));
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
      actions[side].push({ label: 'Décrire vos engagements et vos ressources', path: `${base}/definition#engagements` });
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
    const label = `Échéance du ${deadline.dueDate.split('-').reverse().join('/')} : ${deadline.label}`;
    if (deadline.side) actions[deadline.side].push({ label, path: `${base}/animation#echeances` });
    else both(label, `${base}/animation#echeances`);
  }
  const reviewTime = input.sessions.length > 0 && animationDone(input);
  if (reviewTime || input.reviews.length > 0) {
    for (const side of ['acm', 'partner'] as const) {
      if (!input.reviews.some((r) => r.side === side && r.submittedAt)) actions[side].push({ label: 'Remplir votre bilan', path: `${base}/bilan#mon-bilan` });
    }
    if (input.reviews.filter((r) => r.submittedAt).length === 2 && !p.decision) both('Décider : reconduire, ajuster ou arrêter', `${base}/bilan#decision`);
  }
  return actions;
}
