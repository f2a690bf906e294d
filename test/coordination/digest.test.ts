import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs, requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, readMails, type SentMail, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let lyon: PartnershipFixture;
let lille: PartnershipFixture;
let rhone: { id: number; email: string };
let nord: { id: number; email: string };
let quiet: { id: number; email: string };

/** Monday 7 December 2026, 9:00 in Paris: the digest of week 2026-W50 is due. */
const MONDAY = new Date('2026-12-07T08:00:00Z');
const WEEK = 7 * 86_400_000;
const day = (n: number) => new Date(app.deps.clock.now().getTime() - n * 86_400_000);

async function everythingOld(fixture: PartnershipFixture, daysAgo: number) {
  const at = day(daysAgo).toISOString();
  const id = fixture.partnership.id;
  await app.deps.db.execute(sql`update partnerships set updated_at = ${at}::timestamptz, created_at = ${at}::timestamptz where id = ${id}`);
  await app.deps.db.execute(sql`update partnership_parties set updated_at = ${at}::timestamptz where partnership_id = ${id}`);
  await app.deps.db.execute(sql`update partnership_conventions set updated_at = ${at}::timestamptz where partnership_id = ${id}`);
  await app.deps.db.execute(sql`update organisations set created_at = ${at}::timestamptz where id in (${fixture.acm.id}, ${fixture.partner.id})`);
}

async function attentionItems(fixture: PartnershipFixture, label: string) {
  await app.deps.db.insert(requests).values({
    acmId: fixture.acm.id,
    partnerId: fixture.partner.id,
    direction: 'acm_to_partner',
    status: 'sent',
    message: label,
    createdAt: day(15),
    lastActivityAt: day(15),
    expiresAt: day(-6),
  });
  await app.deps.db
    .insert(needs)
    .values({ acmId: fixture.acm.id, title: `Besoin sans réponse ${label}`, ageMin: 6, ageMax: 10, themes: ['sport'], createdAt: day(30) });
  await createOrganisation(app, { kind: 'partner', name: `Nouvelle association ${label}`, codeInsee: fixture.acm.codeInsee, createdAt: day(2) });
}

/** The List-Unsubscribe headers (nodemailer folds long headers onto the next line). */
function listUnsubscribe(raw: string): { url: string; post: string } {
  const head = (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
  return {
    url: /^List-Unsubscribe:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '',
    post: /^List-Unsubscribe-Post:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '',
  };
}

/** Runs the job at an instant and returns the emails it sent (the outbox files are named by the clock, so compare by name). */
async function runAt(instant: Date): Promise<SentMail[]> {
  const before = new Set((await readMails(app)).map((m) => m.file));
  app.deps.clock.setNow(instant);
  await app.deps.scheduler.runNow('coordination-digest');
  return (await readMails(app)).filter((m) => !before.has(m.file));
}

function mailsTo(mails: SentMail[], to: string) {
  return mails.filter((m) => m.to === to);
}

beforeAll(async () => {
  app = await createTestApp();
  app.deps.clock.setNow(MONDAY);
  lyon = await createPartnershipFixture(app, { zone: 'A', acmName: 'Accueil des Pentes', partnership: { title: 'Judo à la Croix-Rousse' } });
  lille = await createPartnershipFixture(app, { zone: 'B', acmName: 'Accueil de Wazemmes', partnership: { title: 'Escrime à Wazemmes' } });
  await everythingOld(lyon, 40);
  await everythingOld(lille, 40);
  await attentionItems(lyon, 'Rhône');
  await attentionItems(lille, 'Nord');
  // A recent partnership in Lyon: active, so not stalled.
  const fresh = await createPartnershipFixture(app, { zone: 'A', acmName: 'Accueil Bellecour', partnership: { title: 'Théâtre à Bellecour' } });
  await app.deps.db.execute(
    sql`update organisations set created_at = ${day(60).toISOString()}::timestamptz where id in (${fresh.acm.id}, ${fresh.partner.id})`,
  );
  // A partner of Lyon waiting for verification for months: not new any more.
  await createOrganisation(app, { kind: 'partner', name: 'Ancienne association', createdAt: day(90) });
  rhone = await createUser(app, { name: 'Nadia Coordinatrice' });
  await addCoordinatorScope(app, rhone.id, 'department', '69');
  nord = await createUser(app, { name: 'Paul Coordinateur' });
  await addCoordinatorScope(app, nord.id, 'department', '59');
  // Nothing needs attention in Bourg-en-Bresse: no email.
  quiet = await createUser(app, { name: 'Léa Tranquille' });
  await addCoordinatorScope(app, quiet.id, 'commune', '01053');
});
afterAll(async () => {
  await app.close();
});

describe('the coordinators’ weekly digest', () => {
  let rhoneMail: SentMail;

  it('waits for Monday 7:00 (Paris time)', async () => {
    expect(await runAt(new Date('2026-12-07T05:30:00Z'))).toEqual([]);
  });

  it('sends each coordinator what needs attention in their territory, and nothing from elsewhere', async () => {
    const mails = await runAt(MONDAY);
    expect(mailsTo(mails, quiet.email)).toEqual([]);
    expect(mailsTo(mails, rhone.email)).toHaveLength(1);
    rhoneMail = mailsTo(mails, rhone.email)[0]!;
    expect(rhoneMail.subject).toBe('Rhône (69) : 4 points à suivre cette semaine');
    const text = rhoneMail.text;
    expect(text).toContain('== Partenariats à l’arrêt (1) ==');
    expect(text).toContain('Judo à la Croix-Rousse');
    expect(text).toContain(`http://localhost:3000/partenariats/${lyon.partnership.id}`);
    expect(text).toContain('http://localhost:3000/coordination/departement/69/partenariats?inactif=oui');
    expect(text).toContain('== Demandes sans réponse (1) ==');
    expect(text).toContain('http://localhost:3000/coordination/departement/69/demandes?retard=oui');
    expect(text).toContain('== Besoins sans proposition (1) ==');
    expect(text).toContain('Besoin sans réponse Rhône');
    const [rhoneNeed] = await app.deps.db.select({ id: needs.id }).from(needs).where(eq(needs.title, 'Besoin sans réponse Rhône'));
    expect(text).toContain(`http://localhost:3000/besoins/${rhoneNeed!.id}`);
    expect(text).toContain('http://localhost:3000/coordination/departement/69/besoins?sansreponse=oui');
    expect(text).toContain('== Nouveaux partenaires en attente de vérification (1) ==');
    expect(text).toContain('Nouvelle association Rhône');
    for (const elsewhere of ['Théâtre à Bellecour', 'Ancienne association', 'Wazemmes', 'Nord']) expect(text).not.toContain(elsewhere);

    const nordText = mailsTo(mails, nord.email)[0]!.text;
    expect(nordText).toContain('Escrime à Wazemmes');
    expect(nordText).toContain('Besoin sans réponse Nord');
    for (const elsewhere of ['Judo à la Croix-Rousse', 'Rhône']) expect(nordText).not.toContain(elsewhere);

    // The dashboard lists show the same items behind the links.
    const coordinator = await signedInAgent(app, rhone);
    const stalled = await coordinator.get('/coordination/departement/69/partenariats?inactif=oui');
    expect(stalled.body).toContain('Judo à la Croix-Rousse');
    expect(stalled.body).not.toContain('Théâtre à Bellecour');
    const waiting = await coordinator.get('/coordination/departement/69/partenaires?statut=unverified');
    expect(waiting.body).toContain('Nouvelle association Rhône');
    const need = await coordinator.get(`/besoins/${rhoneNeed!.id}`);
    expect(need.statusCode).toBe(200);
    expect(need.body).toContain('Aucune structure partenaire n’a encore répondu.');
  });

  it('sends nothing twice when the job runs again in the same week, and again the next week', async () => {
    expect(await runAt(new Date(MONDAY.getTime() + 3600_000))).toEqual([]);
    expect(await runAt(new Date(MONDAY.getTime() + 5 * 86_400_000))).toEqual([]);
    const next = await runAt(new Date(MONDAY.getTime() + WEEK));
    expect(next.map((m) => m.to).sort()).toEqual([nord.email, rhone.email].sort());
  });

  it('unsubscribes in one click without signing in, and the coordinator subscribes again from their workspace', async () => {
    const header = listUnsubscribe(rhoneMail.raw);
    expect(header.post).toBe('List-Unsubscribe=One-Click');
    const url = /^<http:\/\/localhost:3000([^>]+)>$/.exec(header.url)![1]!;
    expect(rhoneMail.text).toContain(`http://localhost:3000${url}`);

    const forged = await app.inject({
      method: 'POST',
      url: url.replace(/.{4}$/, 'AAAA'),
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(404);
    expect((await new Agent(app).get(url)).body).toContain('Ne plus recevoir le résumé hebdomadaire du territoire Rhône (69) ?');
    expect((await new Agent(app).get(url.replace(/.{4}$/, 'AAAA'))).statusCode).toBe(404);
    const done = await app.inject({
      method: 'POST',
      url,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Vous ne recevrez plus le résumé hebdomadaire du territoire Rhône (69)');

    const third = await runAt(new Date(MONDAY.getTime() + 2 * WEEK));
    expect(third.map((m) => m.to)).toEqual([nord.email]);

    const coordinator = await signedInAgent(app, rhone);
    const dashboard = await coordinator.get('/coordination/departement/69');
    expect(dashboard.body).toContain('Vous ne le recevez pas.');
    const again = await coordinator.post('/coordination/departement/69/resume-hebdomadaire', { abonnement: 'oui' });
    expect(again.statusCode).toBe(303);
    expect((await coordinator.get('/coordination/departement/69')).body).toContain('Vous le recevez.');
    const fourth = await runAt(new Date(MONDAY.getTime() + 3 * WEEK));
    expect(fourth.map((m) => m.to).sort()).toEqual([nord.email, rhone.email].sort());
  });

  it('lets only the appointed coordinator change their own digest', async () => {
    const other = await signedInAgent(app, nord);
    expect((await other.post('/coordination/departement/69/resume-hebdomadaire', { abonnement: 'non' })).statusCode).toBe(404);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const page = await admin.get('/coordination/departement/69');
    expect(page.body).not.toContain('id="resume-hebdomadaire"');
    expect((await admin.post('/coordination/departement/69/resume-hebdomadaire', { abonnement: 'non' })).statusCode).toBe(404);
    const coordinator = await signedInAgent(app, rhone);
    expect((await coordinator.post('/coordination/departement/69/resume-hebdomadaire', { abonnement: 'peut-être' })).statusCode).toBe(400);
    expect((await coordinator.post('/coordination/departement/69/resume-hebdomadaire', { abonnement: 'non' }, { csrf: false })).statusCode).toBe(403);
    const plain = await signedInAgent(app);
    expect((await plain.post('/coordination/departement/69/resume-hebdomadaire', { abonnement: 'non' })).statusCode).toBe(404);
  });
});
