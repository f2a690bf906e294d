import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, memberships, notifications, offers, partnershipParties, partnershipSessions, partnerships, requests } from '../../db/schema/index.js';
import { createPartnershipFromRequest } from '../../server/partnerships/partnerships.usecases.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app);
});
afterAll(async () => {
  await app.close();
});

const sections = ['', '/definition', '/recherche', '/formalisation', '/animation', '/bilan', '/historique', '/convention/imprimer', '/convention.pdf'];

describe('who sees a partnership', () => {
  it('sends a visitor to the sign-in page', async () => {
    const response = await new Agent(app).get(`/partenariats/${f.partnership.id}`);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toContain('/connexion');
  });

  it('answers 404 to a member of another organisation on every page, the PDF and every form', async () => {
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'partner', ownerId: outsider.id });
    const agent = await signedInAgent(app, outsider);
    for (const path of sections) expect((await agent.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(404);
    expect((await agent.post(`/partenariats/${f.partnership.id}/definition`, { title: 'Piratage' })).statusCode).toBe(404);
    expect((await agent.post(`/partenariats/${f.partnership.id}/agenda`)).statusCode).toBe(404);
    expect((await agent.get('/partenariats')).body).not.toContain('Judo du mercredi');
    const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, f.partnership.id));
    expect(row?.title).toBe('Judo du mercredi');
  });

  it('lets the members of both organisations in, with the forms of their own side only', async () => {
    const acmPage = await f.acmAgent.get(`/partenariats/${f.partnership.id}/definition`);
    expect(acmPage.statusCode).toBe(200);
    expect(acmPage.body).toContain(`action="/partenariats/${f.partnership.id}/definition"`);
    expect(acmPage.body).toContain('name="side" value="acm"');
    expect(acmPage.body).not.toContain('name="side" value="partner"');
    expect(acmPage.body).toContain('Un éducateur diplômé et les tatamis.');
    const partnerPage = await f.partnerAgent.get(`/partenariats/${f.partnership.id}/definition`);
    expect(partnerPage.body).toContain('name="side" value="partner"');
    expect(partnerPage.body).toContain(`action="/partenariats/${f.partnership.id}/intervenants"`);
    const overview = await f.acmAgent.get(`/partenariats/${f.partnership.id}`);
    expect(overview.body).toContain('Aucun bilan rempli sur 2');
    expect(overview.body).not.toContain('(s)');
  });

  it('lets an admin read every page without any form, and refuses their changes', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const path of sections) expect((await admin.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(200);
    const page = await admin.get(`/partenariats/${f.partnership.id}/definition`);
    expect(page.body).toContain('lecture seule');
    expect(page.body).not.toContain(`action="/partenariats/${f.partnership.id}/definition"`);
    expect((await admin.post(`/partenariats/${f.partnership.id}/definition`, { title: 'Autre' })).statusCode).toBe(403);
  });

  it('refuses a party that edits the commitments of the other side', async () => {
    const response = await f.partnerAgent.post(`/partenariats/${f.partnership.id}/engagements`, { side: 'acm', commitments: 'Écrit par le partenaire' });
    expect(response.statusCode).toBe(403);
    const [acmParty] = await app.deps.db
      .select()
      .from(partnershipParties)
      .where(and(eq(partnershipParties.partnershipId, f.partnership.id), eq(partnershipParties.side, 'acm')));
    expect(acmParty?.commitments).toBe('Deux animateurs présents à chaque séance.');
  });
});

describe('the workspace', () => {
  it('shows the five steps as an ordered list with the current step marked, and what each side has to do next', async () => {
    const page = await f.acmAgent.get(`/partenariats/${f.partnership.id}`);
    const progress = /<ol class="progress-steps">([\s\S]*?)<\/ol>/.exec(page.body)![1]!;
    expect(progress.match(/<li /g)).toHaveLength(5);
    expect(progress).toMatch(/is-done"[^>]*>\s*<a href="\/partenariats\/\d+\/definition"/);
    expect(progress).toMatch(/is-current" aria-current="step">\s*<a href="\/partenariats\/\d+\/formalisation"/);
    expect(progress).toContain('étape en cours');
    expect(page.body).toContain('Prochaines étapes');
    expect(page.body).toContain('Relire et signer la convention');
    expect(page.body).toContain('Établir le calendrier des séances');
  });

  it('saves the définition with general and operational objectives, and keeps who changed what in the history', async () => {
    const response = await f.partnerAgent.post(`/partenariats/${f.partnership.id}/definition`, {
      title: 'Judo du mercredi',
      objective_0: 'Développer la motricité et le respect des règles',
      operational_0: 'Apprendre le salut et les chutes\n- Participer à une rencontre inter-centres',
      objective_1: 'Favoriser la mixité',
      operational_1: 'Groupes mixtes à chaque séance',
      expectedResults: 'Chaque enfant maîtrise le salut et les chutes.',
      finalRealisation: 'Démonstration devant les familles en juin',
      reasons: ['diversifier-activites', 'vivre-ensemble'],
      charterAxes: ['activites-variees', 'inclusion'],
      childrenExpected: '12',
      ageMin: '6',
      ageMax: '10',
      budgetEur: '540',
    });
    expect(response.statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, f.partnership.id));
    expect(row?.objectives).toEqual([
      {
        general: 'Développer la motricité et le respect des règles',
        operational: ['Apprendre le salut et les chutes', 'Participer à une rencontre inter-centres'],
      },
      { general: 'Favoriser la mixité', operational: ['Groupes mixtes à chaque séance'] },
    ]);
    expect(row?.reasons).toEqual(['diversifier-activites', 'vivre-ensemble']);
    expect(row?.budgetEur).toBe('540.00');
    const history = await f.acmAgent.get(`/partenariats/${f.partnership.id}/historique`);
    expect(history.body).toContain('Définition modifiée : objectifs, raisons du partenariat, budget prévisionnel.');
    expect(history.body).toContain('Karim Benali');
    expect(history.body).toContain(f.partner.name);
  });

  it('shows French messages next to the fields of a bad définition, never a 500', async () => {
    const response = await f.acmAgent.post(`/partenariats/${f.partnership.id}/definition`, {
      title: '',
      objective_0: '',
      operational_0: 'Un objectif opérationnel sans objectif général',
      ageMin: '12',
      ageMax: '8',
      budgetEur: 'beaucoup',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Ce champ est obligatoire.');
    expect(response.body).toContain('Indiquez l’objectif général auquel ces objectifs opérationnels se rattachent.');
    expect(response.body).toContain('L’âge maximum doit être supérieur ou égal à l’âge minimum.');
    expect(response.body).toContain('Saisissez un montant en euros');
    // The summary at the top names each field by its label on the page.
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(response.body)![0];
    const items = [...summary.matchAll(/<li><a href="#([\w-]+)">([^<]*)<\/a><\/li>/g)].map(([, href, text]) => [href, text]);
    expect(items).toEqual([
      ['f-title', 'Intitulé du partenariat : Ce champ est obligatoire.'],
      ['f-objective_0', 'Objectif général 1 : Indiquez l’objectif général auquel ces objectifs opérationnels se rattachent.'],
      ['f-ageMax', 'Âge maximum : L’âge maximum doit être supérieur ou égal à l’âge minimum.'],
      ['f-budgetEur', 'Budget prévisionnel (€) : Saisissez un montant en euros, avec au plus deux décimales (exemple : 1 234,50).'],
    ]);
  });

  it('lets each party describe its own commitments, and the partner name its intervenants', async () => {
    expect(
      (
        await f.acmAgent.post(`/partenariats/${f.partnership.id}/engagements`, {
          side: 'acm',
          commitments: 'Deux animateurs et la salle de motricité.',
          humanResources: 'Deux animateurs BAFA',
          materialResources: 'Salle de motricité',
          financialResources: 'Budget activités de la commune',
          referentName: 'Claire Dubois',
          referentContact: '04 72 00 00 00',
        })
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await f.partnerAgent.post(`/partenariats/${f.partnership.id}/intervenants`, {
          intervenant_name_0: 'Paul Martin',
          intervenant_birthDate_0: '1990-04-12',
          intervenant_birthPlace_0: 'Lyon',
          intervenant_qualification_0: 'BPJEPS judo',
          intervenant_cardNumber_0: '06912ED0123',
          intervenant_cardExpiry_0: '2029-06-30',
          intervenant_qualification_1: 'Sans nom',
        })
      ).statusCode,
    ).toBe(422);
    // A birth date to come and an expired card would go into the convention and the ACM's declaration as they are.
    const impossible = await f.partnerAgent.post(`/partenariats/${f.partnership.id}/intervenants`, {
      intervenant_name_0: 'Jean Test',
      intervenant_birthDate_0: '2030-01-01',
      intervenant_cardExpiry_0: '2020-01-01',
    });
    expect(impossible.statusCode).toBe(422);
    expect(impossible.body).toMatch(/id="f-intervenant_birthDate_0-error">[\s\S]*?La date de naissance doit être une date passée/);
    expect(impossible.body).toMatch(/id="f-intervenant_cardExpiry_0-error">[\s\S]*?Cette carte professionnelle a expiré/);
    expect(impossible.body).toContain('Date de naissance : La date de naissance doit être une date passée');
    const parties = await app.deps.db.select().from(partnershipParties).where(eq(partnershipParties.partnershipId, f.partnership.id));
    expect(parties.find((p) => p.side === 'acm')?.materialResources).toBe('Salle de motricité');
    expect(JSON.stringify(parties.find((p) => p.side === 'partner')?.intervenants ?? [])).not.toContain('Jean Test');
    const page = await f.partnerAgent.get(`/partenariats/${f.partnership.id}/definition`);
    expect(page.body).toContain('Salle de motricité');
  });
});

describe('a partnership created from an accepted request', () => {
  it('is prefilled from the request and the offer, with its sessions computed', async () => {
    const other = await createPartnershipFixture(app);
    const [request] = await app.deps.db
      .insert(requests)
      .values({
        acmId: other.acm.id,
        partnerId: other.partner.id,
        offerId: other.partnership.offerId,
        direction: 'acm_to_partner',
        status: 'accepted',
        periodStart: '2026-11-01',
        periodEnd: '2026-12-18',
        slots: ['mercredi-apres-midi'],
        childrenCount: 14,
        ageMin: 7,
        ageMax: 9,
        objectives: ['diversifier-activites', 'inclusion'],
        objectivesOther: 'Faire découvrir un sport de combat',
      })
      .returning();
    await app.deps.db.update(offers).set({ periodicity: 'hebdomadaire' }).where(eq(offers.id, other.partnership.offerId!));
    const created = await app.deps.db.transaction((tx) => createPartnershipFromRequest(tx, request!, 'Judo à Jean-Zay', new Date('2026-10-01T08:00:00Z')));
    expect(created.reasons).toEqual(['diversifier-activites', 'inclusion']);
    expect(created.objectives.map((o) => o.general)).toEqual([
      'Faire découvrir un sport de combat',
      'Enrichir et diversifier l’offre d’activités',
      'Accueillir davantage d’enfants en situation de handicap',
    ]);
    expect([created.startTime, created.endTime, created.childrenExpected]).toEqual(['14:00', '16:00', 14]);
    const sessions = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, created.id));
    // Zone A: 4 November to 16 December, without 11 November (Armistice).
    expect(sessions.map((s) => s.date).sort()).toEqual(['2026-11-04', '2026-11-18', '2026-11-25', '2026-12-02', '2026-12-09', '2026-12-16']);
    const page = await other.acmAgent.get(`/partenariats/${created.id}/recherche`);
    expect(page.body).toContain('Faire découvrir un sport de combat');
    expect(page.body).toContain(`/demandes/${request!.id}`);
  });
});

describe('prescription by a territory coordinator', () => {
  it('creates a partnership both organisations must confirm, notifies them, and lets the coordinator read it', async () => {
    const coordinator = await createUser(app, { name: 'Nadia Coordinatrice' });
    await addCoordinatorScope(app, coordinator.id, 'department', '69');
    const agent = await signedInAgent(app, coordinator);
    const target = await createPartnershipFixture(app);
    const form = await agent.get('/partenariats/prescrire');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(target.acm.name);
    const response = await agent.post('/partenariats/prescrire', {
      acmId: String(target.acm.id),
      partnerId: String(target.partner.id),
      title: 'Lecture au centre',
      message: 'La médiathèque et l’accueil ont tout intérêt à travailler ensemble.',
      objective: 'Donner le goût de lire',
      reasons: ['faire-reseau'],
    });
    expect(response.statusCode).toBe(303);
    const id = Number(/\/partenariats\/(\d+)/.exec(response.headers.location as string)![1]);
    const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, id));
    expect(row?.status).toBe('awaiting_confirmation');
    expect(row?.prescribedBy).toBe(coordinator.id);
    const notified = await app.deps.db.select().from(notifications).where(eq(notifications.type, 'partnership_prescribed'));
    expect(notified.map((n) => n.userId).sort()).toEqual([target.acmUser.id, target.partnerUser.id].sort());

    const readOnly = await agent.get(`/partenariats/${id}`);
    expect(readOnly.statusCode).toBe(200);
    expect(readOnly.body).toContain('lecture seule');
    expect((await agent.post(`/partenariats/${id}/confirmer`, { side: 'acm' })).statusCode).toBe(403);
    // Another coordinator of the ACM's territory reads it too (issue 14); one from elsewhere does not.
    const otherCoordinator = await createUser(app);
    await addCoordinatorScope(app, otherCoordinator.id, 'department', '69');
    expect((await (await signedInAgent(app, otherCoordinator)).get(`/partenariats/${id}`)).statusCode).toBe(200);
    const farCoordinator = await createUser(app);
    await addCoordinatorScope(app, farCoordinator.id, 'department', '33');
    expect((await (await signedInAgent(app, farCoordinator)).get(`/partenariats/${id}`)).statusCode).toBe(404);

    // Declining without a reason: the summary at the top says what is missing and leads to the field.
    const noReason = await target.partnerAgent.post(`/partenariats/${id}/refuser`, { side: 'partner', reason: '' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toMatch(/id="error-summary"[\s\S]*?<a href="#f-reason-partner">Motif du refus : Ce champ est obligatoire\.<\/a>/);
    expect(noReason.body).toContain('id="f-reason-partner"');

    expect((await target.acmAgent.post(`/partenariats/${id}/confirmer`, { side: 'acm' })).statusCode).toBe(303);
    let [after] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, id));
    expect(after?.status).toBe('awaiting_confirmation');
    expect((await target.partnerAgent.post(`/partenariats/${id}/confirmer`, { side: 'partner' })).statusCode).toBe(303);
    [after] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, id));
    expect(after?.status).toBe('active');
    const coordinatorNotes = await app.deps.db.select().from(notifications).where(eq(notifications.userId, coordinator.id));
    expect(coordinatorNotes.map((n) => n.title)).toContain('Partenariat confirmé : Lecture au centre');
    const history = await app.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, id)));
    expect(history.map((h) => h.action)).toEqual(expect.arrayContaining(['partnership.prescribed', 'partnership.confirmed', 'partnership.started']));
  });

  it('refuses organisations outside the coordinator’s territory and hides the form from other users', async () => {
    const coordinator = await createUser(app);
    await addCoordinatorScope(app, coordinator.id, 'commune', '69382');
    const agent = await signedInAgent(app, coordinator);
    const paris = await createPartnershipFixture(app, { zone: 'C' });
    const lyon = await createPartnershipFixture(app);
    const response = await agent.post('/partenariats/prescrire', {
      acmId: String(paris.acm.id),
      partnerId: String(lyon.partner.id),
      title: 'Hors territoire',
      message: 'Essai',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Choisissez un accueil de votre territoire.');
    expect((await f.acmAgent.get('/partenariats/prescrire')).statusCode).toBe(404);
  });
});

describe('lists and dashboard', () => {
  it('lists the user’s partnerships with their current step, and adds a block to the dashboard', async () => {
    const list = await f.acmAgent.get('/partenariats');
    expect(list.body).toContain('Judo du mercredi');
    expect(list.body).toContain('3 · Formalisation');
    const dashboard = await f.acmAgent.get('/tableau-de-bord');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Mes partenariats en cours');
    expect(dashboard.body).toContain('Relire et signer la convention');
  });

  it('stops showing a partnership to someone who left the organisation', async () => {
    const leaver = await createUser(app);
    await app.deps.db.insert(memberships).values({ organisationId: f.acm.id, userId: leaver.id, role: 'member' });
    const agent = await signedInAgent(app, leaver);
    expect((await agent.get(`/partenariats/${f.partnership.id}`)).statusCode).toBe(200);
    await app.deps.db.delete(memberships).where(and(eq(memberships.organisationId, f.acm.id), eq(memberships.userId, leaver.id)));
    expect((await agent.get(`/partenariats/${f.partnership.id}`)).statusCode).toBe(404);
  });
});
