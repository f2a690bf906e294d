import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipConventions, partnershipParties, partnershipReviews, partnershipSessions, partnerships } from '../../db/schema/index.js';
import { de } from '../../server/lib/format.js';
import { closeFinishedYears } from '../../server/partnerships/partnerships.repository.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
let base: string;

function proposedAtIn(page: string): string {
  return /name="proposedAt" value="([^"]+)"/.exec(page)![1]!;
}

beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app, { partnership: { budgetEur: '450.00' } });
  base = `/partenariats/${f.partnership.id}`;
  await f.acmAgent.post(`${base}/calendrier`, {
    periodicity: 'mensuel',
    monthlyWeek: '1',
    periodStart: '2026-09-02',
    periodEnd: '2027-06-30',
    slot: 'mercredi-matin',
    place: 'Gymnase',
  });
  await f.partnerAgent.post(`${base}/convention/sections/finances`, { fin_tarif: '45 € par séance' });
  const sessions = await app.deps.db
    .select()
    .from(partnershipSessions)
    .where(eq(partnershipSessions.partnershipId, f.partnership.id))
    .orderBy(partnershipSessions.date);
  // Eight sessions held with 10 or 12 children (2 hours each), one cancelled, one left planned.
  for (const [i, s] of sessions.entries()) {
    if (i === 9) continue;
    const values = i === 3 ? { status: 'cancelled' as const, cancelReason: 'Neige' } : { status: 'held' as const, childrenPresent: i % 2 ? 10 : 12 };
    await app.deps.db.update(partnershipSessions).set(values).where(eq(partnershipSessions.id, s.id));
  }
});
afterAll(async () => {
  await app.close();
});

function reviewForm(side: 'acm' | 'partner', comment: string, recommendation = 'renew') {
  const scores: Record<string, string> = {};
  for (const key of [
    'objectives_objectif-1',
    'axes_activites-variees',
    'axes_inclusion',
    'satisfaction_enfants',
    'satisfaction_equipe',
    'satisfaction_partenaire',
    'satisfaction_familles',
    'coordination_ponctualite',
    'coordination_communication',
  ]) {
    scores[`score_${key}`] = side === 'acm' ? '4' : '3';
  }
  return {
    side,
    intent: 'submit',
    sessionsPlanned: '10',
    sessionsHeld: '8',
    sessionsCancelled: '1',
    childHours: '180',
    averageAttendance: '11,3',
    interventionHours: '16',
    costPlannedEur: '450',
    costActualEur: side === 'acm' ? '360' : '400',
    ...scores,
    'comment_objectives_objectif-1': comment,
    recommendation,
    recommendationReason: side === 'acm' ? 'Les enfants en redemandent.' : 'Très bonne collaboration avec l’équipe.',
  };
}

async function submit(agent: Agent, side: 'acm' | 'partner', comment: string) {
  return agent.post(`${base}/bilan`, reviewForm(side, comment));
}

describe('the review (bilan)', () => {
  it('is prefilled from the calendar', async () => {
    const page = await f.acmAgent.get(`${base}/bilan`);
    expect(page.statusCode).toBe(200);
    const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1];
    expect(value('sessionsPlanned')).toBe('10');
    expect(value('sessionsHeld')).toBe('8');
    expect(value('sessionsCancelled')).toBe('1');
    // (5 × 12 + 3 × 10) children × 2 hours.
    expect(value('childHours')).toBe('180');
    expect(value('interventionHours')).toBe('16');
    expect(value('averageAttendance')).toBe('11,3');
    expect(value('costPlannedEur')).toBe('450,00');
    expect(page.body).toContain('Neige');
    expect(page.body).toContain('Atteinte de l’objectif : Développer la motricité et le respect des règles');
  });

  it('asks for every score before sending, and keeps the answers private until both are sent', async () => {
    const incomplete = await f.acmAgent.post(`${base}/bilan`, { side: 'acm', intent: 'submit', sessionsHeld: '8' });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.body).toContain('Choisissez une note de 1 à 4.');
    expect(incomplete.body).toContain('Atteinte de l’objectif : Développer la motricité et le respect des règles — Choisissez une note de 1 à 4.');
    // Each score's link in the error summary leads to its group of choices, which says it is needed.
    const links = [...incomplete.body.matchAll(/<li><a href="#(f-score_[\w-]+)">/g)].map(([, id]) => id!);
    expect(links.length).toBeGreaterThan(1);
    for (const id of links) expect(incomplete.body).toMatch(new RegExp(`<fieldset id="${id}" tabindex="-1"[^>]*>\\s*<legend>[^<]*<span class="required"`));
    // Figures that contradict each other are refused beside the field, and nothing is kept.
    const contradictory = await f.acmAgent.post(`${base}/bilan`, {
      ...reviewForm('acm', 'Objectif atteint.'),
      sessionsHeld: '12',
      childrenEnrolled: '10',
      childrenWithDisability: '14',
    });
    expect(contradictory.statusCode).toBe(422);
    expect(contradictory.body).toContain('12\u00a0séances réalisées et 1\u00a0annulée pour 10\u00a0séances prévues : corrigez l’un de ces nombres.');
    expect(contradictory.body).toContain('Ce nombre dépasse celui des enfants inscrits (10).');
    expect(contradictory.body).toContain('href="#f-sessionsHeld"');
    // A figure refused on its own is not compared with another.
    const negative = await f.acmAgent.post(`${base}/bilan`, { ...reviewForm('acm', 'Objectif atteint.'), childrenEnrolled: '-4', childrenWithDisability: '2' });
    expect(negative.statusCode).toBe(422);
    expect(negative.body).not.toContain('Ce nombre dépasse celui des enfants inscrits');
    // Found after the scores, but listed where the field is: first.
    const early = await f.acmAgent.post(`${base}/bilan`, { side: 'acm', intent: 'submit', sessionsPlanned: '10', sessionsHeld: '12' });
    const summaryLinks = [...early.body.matchAll(/<li><a href="#(f-[\w-]+)">/g)].map(([, id]) => id!);
    expect(summaryLinks[0]).toBe('f-sessionsHeld');
    expect(summaryLinks.length).toBeGreaterThan(2);
    const positions = summaryLinks.map((id) => early.body.indexOf(`id="${id}"`));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect((await submit(f.acmAgent, 'acm', 'Objectif atteint : tous savent chuter.')).statusCode).toBe(303);
    const partnerView = await f.partnerAgent.get(`${base}/bilan`);
    expect(partnerView.body).toContain('bilan envoyé le');
    expect(partnerView.body).not.toContain('Objectif atteint : tous savent chuter.');
    expect((await f.acmAgent.post(`${base}/decision`, { decision: 'renew', decisionReason: 'Trop tôt' })).statusCode).toBe(409);
  });

  it('shows both parties’ answers side by side once both are sent', async () => {
    expect((await submit(f.partnerAgent, 'partner', 'Les progrès sont nets, deux enfants veulent s’inscrire au club.')).statusCode).toBe(303);
    const page = await f.acmAgent.get(`${base}/bilan`);
    const table = /<table class="table table-keep comparison-table">([\s\S]*?)<\/table>/.exec(page.body)![1]!;
    expect(table).toContain(f.acm.name);
    expect(table).toContain(f.partner.name);
    const row =
      /<tr><th scope="row">Atteinte de l’objectif : Développer la motricité et le respect des règles<\/th><td[^>]*>([^<]*)<\/td><td[^>]*>([^<]*)<\/td><\/tr>/.exec(
        table,
      )!;
    expect(row[1]).toBe('4/4 — Objectif atteint : tous savent chuter.');
    expect(row[2]).toBe('3/4 — Les progrès sont nets, deux enfants veulent s’inscrire au club.');
    // Amounts are written the French way: 360,00 € (with a no-break space).
    expect(table).toMatch(/Coût réel<\/th><td[^>]*>360,00\s€<\/td><td[^>]*>400,00\s€<\/td>/);
    expect(table).toContain('Reconduire — Les enfants en redemandent.');
    const reviews = await app.deps.db.select().from(partnershipReviews).where(eq(partnershipReviews.partnershipId, f.partnership.id));
    expect(reviews.every((r) => r.submittedAt)).toBe(true);
  });

  it('renews, once one party proposes and the other confirms, into next school year’s draft with the calendar recomputed for that year', async () => {
    const proposed = await f.acmAgent.post(`${base}/decision`, { side: 'acm', decision: 'renew', decisionReason: 'Les deux structures veulent continuer.' });
    expect(proposed.statusCode).toBe(303);
    const [waiting] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, f.partnership.id));
    expect(waiting).toMatchObject({ decision: null, proposedDecision: 'renew', proposedDecisionSide: 'acm' });
    expect((await f.acmAgent.get(`${base}/bilan`)).body).toContain(`En attente de la confirmation ${de(f.partner.name)}`);
    const partnerPage = (await f.partnerAgent.get(`${base}/bilan`)).body;
    expect(partnerPage).toContain(`${f.acm.name} propose : reconduire`);
    const response = await f.partnerAgent.post(`${base}/decision`, { side: 'partner', intent: 'confirm', proposedAt: proposedAtIn(partnerPage) });
    expect(response.statusCode).toBe(303);
    const nextId = Number(/\/partenariats\/(\d+)$/.exec(response.headers.location as string)![1]);
    const [previous] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, f.partnership.id));
    // Sessions are still planned this year: it runs until its last one.
    expect(previous).toMatchObject({ status: 'active', decision: 'renew', decisionReason: 'Les deux structures veulent continuer.' });
    const [next] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, nextId));
    expect(next).toMatchObject({
      schoolYear: '2027-2028',
      status: 'draft',
      renewedFromId: f.partnership.id,
      title: 'Judo du mercredi',
      periodicity: 'mensuel',
      monthlyWeek: 1,
      startTime: '09:30',
      // Shifted by 52 weeks: still Wednesdays.
      periodStart: '2027-09-01',
      periodEnd: '2028-06-28',
    });
    expect(next?.objectives).toEqual(previous?.objectives);
    const parties = await app.deps.db.select().from(partnershipParties).where(eq(partnershipParties.partnershipId, nextId));
    expect(parties.find((p) => p.side === 'partner')).toMatchObject({ commitments: 'Un éducateur diplômé et les tatamis.' });
    expect(parties.find((p) => p.side === 'partner')?.confirmedAt).not.toBeNull();
    expect(parties.find((p) => p.side === 'acm')?.confirmedAt).toBeNull();
    const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, nextId));
    expect(convention).toMatchObject({ status: 'draft', fields: { fin_tarif: '45 € par séance' } });
    // The 2027-2028 school holidays are not in the calendar data yet: the first Wednesday of each
    // month is computed with public holidays only (none falls on these Wednesdays), and the page says so.
    const sessions = await app.deps.db
      .select()
      .from(partnershipSessions)
      .where(eq(partnershipSessions.partnershipId, nextId))
      .orderBy(partnershipSessions.date);
    expect(sessions.map((s) => s.date)).toEqual([
      '2027-09-01',
      '2027-10-06',
      '2027-11-03',
      '2027-12-01',
      '2028-01-05',
      '2028-02-02',
      '2028-03-01',
      '2028-04-05',
      '2028-05-03',
      '2028-06-07',
    ]);
    expect(sessions.every((s) => s.status === 'planned' && s.childrenPresent === null)).toBe(true);
    const animation = await f.acmAgent.get(`/partenariats/${nextId}/animation`);
    expect(animation.body).toContain('Les vacances scolaires 2027-2028 ne sont pas encore publiées : seuls les jours fériés sont écartés');
    const history = await f.acmAgent.get(`/partenariats/${nextId}/historique`);
    expect(history.body).toContain('Reconduction du partenariat 2026-2027 pour 2027-2028');

    // The other party confirms: the renewed partnership starts.
    expect((await f.acmAgent.post(`/partenariats/${nextId}/confirmer`, { side: 'acm' })).statusCode).toBe(303);
    const [started] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, nextId));
    expect(started?.status).toBe('active');
    const old = await f.acmAgent.get(`${base}/bilan`);
    expect(old.body).toContain(`/partenariats/${nextId}`);
    // Once the last session of the year is past, the year ends and is read-only.
    await closeFinishedYears(app.deps.db, '2027-07-01', new Date());
    expect((await f.acmAgent.post(`${base}/definition`, { title: 'Trop tard' })).statusCode).toBe(403);
  });

  it('stops a partnership with a reason', async () => {
    const other = await createPartnershipFixture(app);
    const path = `/partenariats/${other.partnership.id}`;
    await app.deps.db.insert(partnershipReviews).values(
      (['acm', 'partner'] as const).map((side) => ({
        partnershipId: other.partnership.id,
        side,
        organisationId: side === 'acm' ? other.acm.id : other.partner.id,
        answers: {} as never,
        recommendation: 'stop' as const,
        submittedAt: new Date(),
      })),
    );
    const missingReason = await other.acmAgent.post(`${path}/decision`, { decision: 'stop' });
    expect(missingReason.statusCode).toBe(422);
    const reason = 'Le club n’a plus d’éducateur le mercredi.';
    expect((await other.acmAgent.post(`${path}/decision`, { decision: 'stop', decisionReason: reason })).statusCode).toBe(303);
    const [proposed] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, other.partnership.id));
    expect(proposed).toMatchObject({ status: 'active', decision: null, proposedDecision: 'stop' });
    // Proposing the same decision as the other party is agreeing: the partnership stops now.
    expect((await other.partnerAgent.post(`${path}/decision`, { decision: 'stop', decisionReason: 'D’accord.' })).statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, other.partnership.id));
    expect(row).toMatchObject({ status: 'closed', decision: 'stop', proposedDecision: null });
    const history = (await other.acmAgent.get(`${path}/historique`)).body;
    expect(history).toContain(`Proposée par ${other.acm.name}, confirmée par ${other.partner.name}.`);
  });

  it('lets the proposing party withdraw, the other propose something else, and refuses to confirm a proposal that changed', async () => {
    const other = await createPartnershipFixture(app);
    const path = `/partenariats/${other.partnership.id}`;
    await app.deps.db.insert(partnershipReviews).values(
      (['acm', 'partner'] as const).map((side) => ({
        partnershipId: other.partnership.id,
        side,
        organisationId: side === 'acm' ? other.acm.id : other.partner.id,
        answers: {} as never,
        recommendation: 'adjust' as const,
        submittedAt: new Date(),
      })),
    );
    await other.acmAgent.post(`${path}/decision`, { decision: 'stop', decisionReason: 'Plus de créneau.' });
    const seen = proposedAtIn((await other.partnerAgent.get(`${path}/bilan`)).body);
    // Only the proposing party withdraws its proposal.
    expect((await other.partnerAgent.post(`${path}/decision`, { intent: 'withdraw' })).statusCode).toBe(409);
    expect((await other.acmAgent.post(`${path}/decision`, { intent: 'withdraw' })).statusCode).toBe(303);
    await other.acmAgent.post(`${path}/decision`, { decision: 'adjust', decisionReason: 'Un créneau le matin.' });
    // The partner confirms what it saw, which is no longer the proposal.
    const stale = await other.partnerAgent.post(`${path}/decision`, { intent: 'confirm', proposedAt: seen });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('La proposition a changé entre-temps');
    // A counter-proposal replaces it and waits for the ACM.
    expect((await other.partnerAgent.post(`${path}/decision`, { decision: 'renew', decisionReason: 'Continuons tel quel.' })).statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, other.partnership.id));
    expect(row).toMatchObject({ decision: null, proposedDecision: 'renew', proposedDecisionSide: 'partner' });
    const page = (await other.acmAgent.get(`${path}/bilan`)).body;
    expect(page).toContain(`${other.partner.name} propose : reconduire`);
    expect(page).toContain('Confirmer : reconduire');
  });
});
