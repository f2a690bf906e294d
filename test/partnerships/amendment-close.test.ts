import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, conventionSignatures, conventionVersions, notifications, partnershipConventions, partnershipSessions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, signShownText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** A signed convention with an amendment proposed by the ACM (a new price), signed by the ACM already. */
async function proposedAmendment(price = '50 € par séance') {
  const f = await createPartnershipFixture(app);
  const id = f.partnership.id;
  await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
  await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
  const saved = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_tarif: price, fin_frais: 'Aucun', confirm: 'on' });
  expect(saved.headers.location).toContain('#avenant');
  await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
  return f;
}

async function snapshot(id: number) {
  const versions = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id)).orderBy(conventionVersions.version);
  const signatures = await app.deps.db
    .select()
    .from(conventionSignatures)
    .where(and(eq(conventionSignatures.partnershipId, id), isNull(conventionSignatures.voidedAt)));
  const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
  return { versions, signatures: signatures.map((s) => [s.side, s.version, s.textHash]), convention: convention! };
}

async function history(id: number) {
  const rows = await app.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, id)));
  return rows.map((r) => r.action);
}

describe('a proposed amendment in the next steps', () => {
  it('asks the party that has not signed it to sign, on the partnership and on the dashboard, and no longer once signed', async () => {
    const f = await proposedAmendment();
    const id = f.partnership.id;
    const steps = async (agent: typeof f.acmAgent) =>
      /<section class="card next-steps"[\s\S]*?<\/section>/.exec((await agent.get(`/partenariats/${id}`)).body)![0];
    const partnerSteps = await steps(f.partnerAgent);
    expect(partnerSteps).toMatch(
      /Pour vous — [^<]*<\/h3>\s*<ul class="action-list">\s*<li><a href="\/partenariats\/\d+\/formalisation#avenant">Relire et signer l’avenant n° 1<\/a>/,
    );
    expect((await f.partnerAgent.get('/tableau-de-bord')).body).toContain('Relire et signer l’avenant n° 1');
    // The ACM signed it when proposing it.
    expect((await f.acmAgent.get('/tableau-de-bord')).body).not.toContain('Relire et signer l’avenant');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect(await steps(f.partnerAgent)).not.toContain('avenant');
  });
});

describe('refusing or withdrawing a proposed amendment', () => {
  it('shows the proposer a withdraw button and the other party a refusal form with a reason', async () => {
    const f = await proposedAmendment();
    const id = f.partnership.id;
    const acmPage = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(acmPage).toContain(`action="/partenariats/${id}/convention/avenant/retirer"`);
    expect(acmPage).not.toContain(`action="/partenariats/${id}/convention/avenant/refuser"`);
    expect(acmPage).toContain('Retirer l’avenant n° 1');
    const partnerPage = (await f.partnerAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(partnerPage).toContain(`action="/partenariats/${id}/convention/avenant/refuser"`);
    expect(partnerPage).not.toContain(`action="/partenariats/${id}/convention/avenant/retirer"`);
    expect(partnerPage).toContain('<label for="f-reason-avenant">Motif du refus');
  });

  it('lets the other party refuse it with a reason: the signed text and signatures stay, the proposer is told, and a new proposal can follow', async () => {
    const f = await proposedAmendment();
    const id = f.partnership.id;
    const before = await snapshot(id);
    expect(before.versions).toHaveLength(1);

    // The proposer cannot refuse its own proposal, the other party cannot withdraw it.
    expect((await f.acmAgent.post(`/partenariats/${id}/convention/avenant/refuser`, { side: 'acm' })).statusCode).toBe(403);
    expect((await f.partnerAgent.post(`/partenariats/${id}/convention/avenant/retirer`, { side: 'partner' })).statusCode).toBe(403);
    // Without a CSRF token, nothing happens.
    expect((await f.partnerAgent.post(`/partenariats/${id}/convention/avenant/refuser`, { side: 'partner' }, { csrf: false })).statusCode).toBe(403);

    const refused = await f.partnerAgent.post(`/partenariats/${id}/convention/avenant/refuser`, { side: 'partner', reason: 'Le tarif reste celui signé.' });
    expect(refused.statusCode).toBe(303);
    const page = (await f.partnerAgent.get(refused.headers.location as string)).body;
    expect(page).toContain('L’avenant n° 1 est refusé : la convention signée reste en vigueur sans changement.');
    expect(page).not.toContain('Avenant n° 1 proposé');
    expect(page).not.toContain('50 € par séance');
    expect(page).toContain('Texte de la convention signée');

    const after = await snapshot(id);
    expect(after.versions).toEqual(before.versions);
    expect(after.signatures).toEqual(before.signatures.filter(([, version]) => version !== null));
    expect(after.convention.status).toBe('signed');
    expect(after.convention.amendmentProposedAt).toBeNull();
    expect(await history(id)).toContain('convention.amendment_refused');
    const [notice] = await app.deps.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, f.acmUser.id),
          eq(notifications.title, `Avenant n° 1 à la convention refusé : la convention signée reste en vigueur · ${f.partnership.title}`),
        ),
      );
    expect(notice?.body).toBe('Motif : Le tarif reste celui signé.');
    const acmHistory = (await f.acmAgent.get(`/partenariats/${id}/historique`)).body;
    expect(acmHistory).toContain('Avenant n° 1 refusé (motif : Le tarif reste celui signé.) : la convention signée reste en vigueur sans changement.');

    // The PDF is still the signed convention alone.
    const pdf = await f.acmAgent.get(`/partenariats/${id}/convention.pdf`);
    expect(pdf.headers['content-disposition']).toContain('-v1.pdf');

    // A new proposal is possible, and numbered 1 again since none was signed.
    const again = await f.partnerAgent.post(`/partenariats/${id}/convention/sections/finances`, {
      fin_tarif: '45 € par séance',
      fin_frais: 'Aucun',
      confirm: 'on',
    });
    expect(again.statusCode).toBe(303);
    const proposed = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(proposed).toContain('Avenant n° 1 proposé');
    expect(proposed).toContain(`Proposé par ${f.partner.name}`);
    expect(proposed).toContain(`action="/partenariats/${id}/convention/avenant/refuser"`);
  });

  it('lets the proposer withdraw it and tells the other party', async () => {
    const f = await proposedAmendment();
    const id = f.partnership.id;
    const withdrawn = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/retirer`, { side: 'acm' });
    expect(withdrawn.statusCode).toBe(303);
    expect((await f.acmAgent.get(withdrawn.headers.location as string)).body).toContain('L’avenant n° 1 est retiré');
    expect((await snapshot(id)).convention.amendmentProposedAt).toBeNull();
    expect(await history(id)).toContain('convention.amendment_withdrawn');
    const notices = await app.deps.db.select().from(notifications).where(eq(notifications.userId, f.partnerUser.id));
    expect(notices.map((n) => n.title)).toContain(`Avenant n° 1 à la convention retiré : la convention signée reste en vigueur · ${f.partnership.title}`);
    // Nothing left to withdraw: a clear message, not an error page.
    const twice = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/retirer`, { side: 'acm' });
    expect(twice.statusCode).toBe(303);
    expect((await f.acmAgent.get(twice.headers.location as string)).body).toContain('Aucun avenant n’attend de signature');
  });

  async function signedCalendar() {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    const calendar = { periodicity: 'hebdomadaire', periodStart: '2027-01-04', periodEnd: '2027-01-31', slot: 'mercredi-apres-midi' };
    expect((await f.acmAgent.post(`/partenariats/${id}/calendrier`, calendar)).statusCode).toBe(303);
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    return { f, id };
  }

  async function sessionsOf(id: number) {
    const rows = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, id)).orderBy(partnershipSessions.date);
    return rows.map((s) => ({ date: s.date, startTime: s.startTime, endTime: s.endTime, status: s.status }));
  }

  it('puts a session moved by the amendment back at its signed date when the amendment is refused, and the signatures still hold', async () => {
    const { f, id } = await signedCalendar();
    const signedSessions = await sessionsOf(id);
    expect(signedSessions.map((s) => s.date)).toEqual(['2027-01-06', '2027-01-13', '2027-01-20', '2027-01-27']);
    const before = await snapshot(id);
    const [session] = await app.deps.db
      .select()
      .from(partnershipSessions)
      .where(and(eq(partnershipSessions.partnershipId, id), eq(partnershipSessions.date, '2027-01-13')));
    const move = { date: '2027-01-12', startTime: '15:00', endTime: '17:00', status: 'planned', notes: '', confirm: 'on' };
    expect((await f.partnerAgent.post(`/partenariats/${id}/seances/${session!.id}`, move)).statusCode).toBe(303);
    expect((await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body).toContain('Avenant n° 1 proposé');

    const refused = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/refuser`, { side: 'acm', reason: 'Le mardi, la salle est prise.' });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`/partenariats/${id}/formalisation#texte`);
    const page = (await f.acmAgent.get(refused.headers.location as string)).body;
    expect(page).toContain(
      'L’avenant n° 1 est refusé : la convention signée reste en vigueur sans changement, et les séances reviennent au calendrier signé (séance du 12 janvier 2027 remise au 13 janvier 2027).',
    );
    expect(page).not.toContain('Avenant n° 1 proposé');
    expect(await sessionsOf(id)).toEqual(signedSessions);
    const after = await snapshot(id);
    expect(after.convention.status).toBe('signed');
    expect(after.convention.amendmentProposedAt).toBeNull();
    expect(after.versions).toEqual(before.versions);
    expect(after.signatures).toEqual(before.signatures);
    const acmHistory = (await f.acmAgent.get(`/partenariats/${id}/historique`)).body;
    expect(acmHistory).toContain('Calendrier remis comme signé : séance du 12 janvier 2027 remise au 13 janvier 2027.');
  });

  it('reinstates a cancelled session and removes an added one when the proposer withdraws the amendment', async () => {
    const { f, id } = await signedCalendar();
    const signedSessions = await sessionsOf(id);
    const before = await snapshot(id);
    const [session] = await app.deps.db
      .select()
      .from(partnershipSessions)
      .where(and(eq(partnershipSessions.partnershipId, id), eq(partnershipSessions.date, '2027-01-20')));
    const cancel = {
      date: '2027-01-20',
      startTime: session!.startTime,
      endTime: session!.endTime,
      status: 'cancelled',
      cancelReason: 'Grève',
      notes: '',
      confirm: 'on',
    };
    expect((await f.acmAgent.post(`/partenariats/${id}/seances/${session!.id}`, cancel)).statusCode).toBe(303);
    expect((await f.acmAgent.post(`/partenariats/${id}/seances`, { date: '2027-02-03', confirm: 'on' })).statusCode).toBe(303);
    expect((await sessionsOf(id)).length).toBe(5);

    const withdrawn = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/retirer`, { side: 'acm' });
    expect(withdrawn.statusCode).toBe(303);
    expect((await f.acmAgent.get(withdrawn.headers.location as string)).body).toContain(
      'et les séances reviennent au calendrier signé (séance du 20 janvier 2027 rétablie, séance du 3 février 2027 retirée)',
    );
    expect(await sessionsOf(id)).toEqual(signedSessions);
    expect((await snapshot(id)).signatures).toEqual(before.signatures);
  });

  it('says what to put back by hand when the amendment changes the calendar rules, and changes nothing', async () => {
    const { f, id } = await signedCalendar();
    const longer = { periodicity: 'hebdomadaire', periodStart: '2027-01-04', periodEnd: '2027-02-14', slot: 'mercredi-apres-midi', confirm: 'on' };
    expect((await f.acmAgent.post(`/partenariats/${id}/calendrier`, longer)).statusCode).toBe(303);
    const amended = await sessionsOf(id);
    expect(amended.length).toBe(6);
    const refused = await f.partnerAgent.post(`/partenariats/${id}/convention/avenant/refuser`, { side: 'partner', reason: '' });
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`/partenariats/${id}/formalisation#avenant`);
    const page = (await f.partnerAgent.get(refused.headers.location as string)).body;
    expect(page).toContain('L’avenant n° 1 modifie aussi ce que Passerelle ne peut pas remettre seul : « Calendrier et lieux », « Suivi et évaluation ».');
    expect(page).toContain('Avenant n° 1 proposé');
    expect(await sessionsOf(id)).toEqual(amended);
  });

  it('refuses a reason longer than 1 000 characters beside the field', async () => {
    const f = await proposedAmendment();
    const response = await f.partnerAgent.post(`/partenariats/${f.partnership.id}/convention/avenant/refuser`, { side: 'partner', reason: 'x'.repeat(1001) });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('f-reason-avenant-error');
  });

  it('lets a coordinator read the amendment without the forms, and hides it from outsiders', async () => {
    const f = await proposedAmendment();
    const id = f.partnership.id;
    const coordinator = await createUser(app);
    await addCoordinatorScope(app, coordinator.id, 'department', '69');
    const agent = await signedInAgent(app, coordinator);
    const page = await agent.get(`/partenariats/${id}/formalisation`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Avenant n° 1 proposé');
    expect(page.body).not.toContain('/convention/avenant/');
    for (const segment of ['retirer', 'refuser']) {
      expect((await agent.post(`/partenariats/${id}/convention/avenant/${segment}`, { side: 'acm' })).statusCode).toBe(403);
    }
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'partner', ownerId: outsider.id });
    const stranger = await signedInAgent(app, outsider);
    for (const segment of ['retirer', 'refuser']) {
      expect((await stranger.post(`/partenariats/${id}/convention/avenant/${segment}`, { side: 'partner' })).statusCode).toBe(404);
    }
    expect((await snapshot(id)).convention.amendmentProposedAt).not.toBeNull();
  });
});
