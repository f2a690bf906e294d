import { describe, expect, it } from 'vitest';
import type { Session } from '../../server/partnerships/calendar.repository.js';
import type { Signature } from '../../server/partnerships/convention.repository.js';
import type { Partnership, Party } from '../../server/partnerships/partnerships.repository.js';
import { type ProgressInput, progress, type StepState } from '../../server/partnerships/progress.js';
import type { Review } from '../../server/partnerships/review.repository.js';

const today = '2026-11-18';

function party(side: 'acm' | 'partner', values: Partial<Party> = {}): Party {
  return {
    partnershipId: 1,
    organisationId: side === 'acm' ? 10 : 20,
    side,
    commitments: '',
    humanResources: '',
    materialResources: '',
    financialResources: '',
    referentName: '',
    referentContact: '',
    intervenants: [],
    confirmedAt: new Date('2026-09-01'),
    confirmedBy: null,
    minutesApprovedAt: null,
    minutesApprovedBy: null,
    updatedAt: new Date('2026-09-01'),
    ...values,
  };
}

function session(date: string, status: Session['status']): Session {
  return { id: Math.floor(Math.random() * 1e6), partnershipId: 1, date, startTime: '09:30', endTime: '11:30', status } as Session;
}

function review(side: 'acm' | 'partner'): Review {
  return { id: 1, partnershipId: 1, side, submittedAt: new Date('2027-06-20') } as Review;
}

/** A partnership born from an accepted request, with nothing done yet; `facts` adds what happened. */
function input(facts: Omit<Partial<ProgressInput>, 'partnership'> & { partnership?: Partial<Partnership> } = {}): ProgressInput {
  const { partnership, ...rest } = facts;
  return {
    partnership: { id: 1, status: 'active', objectives: [], formalisation: 'convention', decision: null, ...partnership } as Partnership,
    parties: { acm: party('acm'), partner: party('partner') },
    conventionSigned: false,
    signatures: [],
    sessions: [],
    deadlines: [],
    reviews: [],
    minutesWritten: false,
    today,
    ...rest,
  };
}

const defined = {
  partnership: { objectives: [{ general: 'Découvrir le judo', operational: [] }] } as Partial<Partnership>,
  parties: { acm: party('acm', { commitments: 'Deux animateurs.' }), partner: party('partner', { commitments: 'Un éducateur.' }) },
};
const signed = { ...defined, conventionSigned: true, signatures: [{ side: 'acm' }, { side: 'partner' }] as Signature[] };

function states(value: ProgressInput): Record<string, StepState> {
  return Object.fromEntries(progress(value).steps.map((s) => [s.key, s.state]));
}

describe('the progress of a partnership', () => {
  it('starts at the définition once the request is accepted (partner chosen)', () => {
    expect(states(input())).toEqual({ definition: 'current', recherche: 'done', formalisation: 'todo', animation: 'todo', bilan: 'todo' });
  });

  it('keeps the définition current until both parties described their commitments', () => {
    const halfway = input({ partnership: defined.partnership, parties: { acm: party('acm', { commitments: 'Deux animateurs.' }), partner: party('partner') } });
    expect(progress(halfway).currentStep?.key).toBe('definition');
  });

  it('moves to the formalisation once the définition is filled', () => {
    expect(states(input(defined))).toMatchObject({ definition: 'done', formalisation: 'current' });
  });

  it('stays at “recherche et choix” while a prescribed partnership waits for a party’s confirmation', () => {
    const value = input({
      ...defined,
      partnership: { ...defined.partnership, status: 'awaiting_confirmation' },
      parties: { acm: party('acm', { commitments: 'x' }), partner: party('partner', { commitments: 'y', confirmedAt: null }) },
    });
    expect(states(value)).toMatchObject({ definition: 'done', recherche: 'current' });
  });

  it('makes the animation current once the convention is signed by both', () => {
    expect(states(input(signed))).toMatchObject({ formalisation: 'done', animation: 'current', bilan: 'todo' });
  });

  it('counts the meeting minutes approved by both parties as the formalisation', () => {
    const minutes = input({
      ...defined,
      partnership: { ...defined.partnership, formalisation: 'minutes' },
      minutesWritten: true,
      parties: {
        acm: party('acm', { commitments: 'x', minutesApprovedAt: new Date() }),
        partner: party('partner', { commitments: 'y', minutesApprovedAt: new Date() }),
      },
    });
    expect(states(minutes)).toMatchObject({ formalisation: 'done', animation: 'current' });
  });

  it('keeps the animation current after the first session held while sessions remain planned', () => {
    const value = input({ ...signed, sessions: [session('2026-10-07', 'held'), session('2026-12-02', 'planned')] });
    expect(states(value)).toMatchObject({ animation: 'current', bilan: 'todo' });
  });

  it('does not call a past session that nobody recorded held: the animation is not done', () => {
    const value = input({ ...signed, sessions: [session('2026-10-07', 'planned')] });
    expect(states(value)).toMatchObject({ animation: 'current' });
  });

  it('moves to the bilan once every session is behind and one was held', () => {
    const value = input({ ...signed, sessions: [session('2026-10-07', 'held'), session('2026-10-14', 'cancelled')] });
    expect(states(value)).toMatchObject({ animation: 'done', bilan: 'current' });
  });

  it('stands at the bilan after both reviews, until the decision is taken, then every step is done', () => {
    const sessions = [session('2026-10-07', 'held')];
    const reviewed = input({ ...signed, sessions, reviews: [review('acm'), review('partner')] });
    expect(progress(reviewed).currentStep?.key).toBe('bilan');
    const decided = input({ ...signed, partnership: { ...signed.partnership, decision: 'renew' }, sessions, reviews: [review('acm'), review('partner')] });
    expect(progress(decided).currentStep).toBeNull();
    expect(Object.values(states(decided))).toEqual(['done', 'done', 'done', 'done', 'done']);
  });

  it('shows a définition left unfinished behind a signed convention as “à compléter”, not as the current step', () => {
    const value = input({
      ...signed,
      parties: { acm: party('acm', { commitments: 'x' }), partner: party('partner') },
      sessions: [session('2026-10-07', 'held'), session('2026-12-02', 'planned')],
    });
    const result = progress(value);
    expect(result.currentStep?.key).toBe('animation');
    expect(states(value).definition).toBe('incomplete');
    expect(result.steps[0]!.current).toBe(false);
  });

  it('follows the furthest trace: a review sent makes the bilan current even with sessions left unrecorded', () => {
    const value = input({ ...signed, sessions: [session('2026-10-07', 'planned')], reviews: [review('acm')] });
    expect(states(value)).toMatchObject({ animation: 'incomplete', bilan: 'current' });
  });

  it('has no current step once closed, and marks what was never reached as not done', () => {
    const value = input({ ...defined, partnership: { ...defined.partnership, status: 'closed' } });
    expect(progress(value).currentStep).toBeNull();
    expect(states(value)).toEqual({ definition: 'done', recherche: 'done', formalisation: 'skipped', animation: 'skipped', bilan: 'skipped' });
  });

  it('names a deadline’s date as the rest of the workspace does (« 1er décembre 2026 »), for the party that owns it', () => {
    const deadline = { id: 1, partnershipId: 1, dueDate: '2026-12-01', label: 'Envoyer les autorisations', side: 'acm', doneAt: null };
    const { actions } = progress(input({ ...signed, deadlines: [deadline] as ProgressInput['deadlines'] }));
    expect(actions.acm.map((a) => a.label)).toContain('Échéance du 1er décembre 2026 : Envoyer les autorisations');
    expect(actions.partner.map((a) => a.label).join()).not.toContain('Échéance');
  });
});
