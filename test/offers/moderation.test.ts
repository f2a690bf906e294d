import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, offerReports, searchOutbox } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, linkIn, readMails, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, offerForm, offerRow } from '../helpers/offers.js';

let app: App;
let admin: Agent;
beforeAll(async () => {
  app = await createTestApp();
  admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
});
afterAll(async () => {
  await app.close();
});

async function partner(status: 'unverified' | 'verified' = 'unverified') {
  const owner = await createUser(app);
  const colleague = await createUser(app);
  const organisation = await createOrganisation(app, { ownerId: owner.id, memberIds: [colleague.id], status });
  return { owner, colleague, organisation, agent: await signedInAgent(app, owner) };
}

const REASON = "Précisez le déroulé des séances & ce que l'accueil prévoit.";
const errorOf = (body: string, field: string) =>
  new RegExp(`id="f-${field}-error"><span class="visually-hidden">Erreur : </span>([^<]*)<`).exec(body)?.[1] ?? null;

describe('moderation queue', () => {
  it('refuses an offer with a coded reason, emails every member, and takes the resubmission back to the queue', async () => {
    const { owner, colleague, organisation, agent } = await partner();
    const offer = await insertOffer(app, organisation.id, { status: 'pending', title: 'Atelier à revoir', submittedAt: new Date() });

    const missing = await admin.post(`/admin/moderation/${offer.id}/refuser`, { code: '', reason: '' });
    expect(missing.statusCode).toBe(422);
    expect(errorOf(missing.body, 'code')).toBe('Ce champ est obligatoire.');
    const other = await admin.post(`/admin/moderation/${offer.id}/refuser`, { code: 'autre', reason: '' });
    expect(errorOf(other.body, 'reason')).toBe('Ce champ est obligatoire.');
    expect((await offerRow(app, offer.id)).status).toBe('pending');

    const refused = await admin.post(`/admin/moderation/${offer.id}/refuser`, { code: 'informations-incompletes', reason: REASON });
    expect(refused.statusCode).toBe(303);
    expect(await offerRow(app, offer.id)).toMatchObject({
      status: 'rejected',
      rejectionCode: 'informations-incompletes',
      rejectionReason: REASON,
    });
    const mails = (await readMails(app)).filter((m) => m.subject.startsWith('Votre offre n’a pas été validée'));
    expect(mails.map((m) => m.to).sort()).toEqual([owner.email, colleague.email].sort());
    expect(mails[0]!.text).toContain('Informations incomplètes ou imprécises');
    expect(mails[0]!.text).toContain(REASON);
    expect(linkIn(mails[0]!.text)).toBe(`/offres/${offer.id}/modifier`);
    const [entry] = await app.deps.db.select().from(auditLog).where(eq(auditLog.entityId, offer.id));
    expect(entry).toMatchObject({ action: 'offer.rejected', entity: 'offer' });

    const editor = await agent.get(`/offres/${offer.id}/modifier`);
    expect(editor.body).toContain('Précisez le déroulé des séances &amp; ce que l&#39;accueil prévoit.');
    const resubmit = await agent.post(`/offres/${offer.id}/modifier`, { ...offerForm({ title: 'Atelier revu' }), action: 'submit' });
    expect(resubmit.statusCode).toBe(303);
    expect(await offerRow(app, offer.id)).toMatchObject({ status: 'pending', title: 'Atelier revu', rejectionCode: null });
    expect((await admin.get('/admin/moderation')).body).toContain('Atelier revu');
  });

  it('approves an offer, emails the members and refuses to approve it twice', async () => {
    const { owner, organisation } = await partner();
    const offer = await insertOffer(app, organisation.id, { status: 'pending', title: 'Ludothèque mobile', publishedAt: null });
    const review = await admin.get(`/admin/moderation/${offer.id}`);
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain('Ludothèque mobile');
    expect((await admin.post(`/admin/moderation/${offer.id}/approuver`)).statusCode).toBe(303);
    expect((await offerRow(app, offer.id)).status).toBe('published');
    expect((await readMails(app)).some((m) => m.to.includes(owner.email) && m.subject === 'Votre offre est publiée : Ludothèque mobile')).toBe(true);
    const again = await admin.post(`/admin/moderation/${offer.id}/approuver`);
    expect(again.statusCode).toBe(303);
    expect((await admin.get('/admin/moderation')).body).toContain('n’est plus en attente');
    const outbox = await app.deps.db.select().from(searchOutbox).where(eq(searchOutbox.entityId, offer.id));
    expect(outbox.length).toBeGreaterThan(0);
  });

  it('keeps the moderation pages for admins', async () => {
    const { agent, organisation } = await partner();
    const offer = await insertOffer(app, organisation.id, { status: 'pending' });
    for (const url of ['/admin/moderation', `/admin/moderation/${offer.id}`, '/admin/signalements', '/admin/import']) {
      expect((await agent.get(url)).statusCode, url).toBe(404);
    }
    expect((await agent.post(`/admin/moderation/${offer.id}/approuver`)).statusCode).toBe(404);
    expect((await offerRow(app, offer.id)).status).toBe('pending');
    expect((await new Agent(app).get('/admin/moderation')).statusCode).toBe(302);
  });
});

describe('reports and take-downs', () => {
  it('lets a signed-in user report an offer, and an admin dismiss the report', async () => {
    const { organisation } = await partner('verified');
    const offer = await insertOffer(app, organisation.id, { title: 'Stage de foot' });
    const visitor = await new Agent(app).get(`/offres/${offer.id}/signaler`);
    expect(visitor.statusCode).toBe(302);
    expect(visitor.headers.location).toContain('/connexion');

    const reporter = await signedInAgent(app);
    const form = await reporter.get(`/offres/${offer.id}/signaler`);
    expect(form.statusCode).toBe(200);
    const invalid = await reporter.post(`/offres/${offer.id}/signaler`, { reason: 'autre', message: '' });
    expect(invalid.statusCode).toBe(422);
    expect(errorOf(invalid.body, 'message')).toBe('Ce champ est obligatoire.');
    const sent = await reporter.post(`/offres/${offer.id}/signaler`, { reason: 'offre-inexistante', message: 'Le club a fermé en juin.' });
    expect(sent.statusCode).toBe(303);

    const queue = await admin.get('/admin/signalements');
    expect(queue.body).toContain('Stage de foot');
    expect(queue.body).toContain('Le club a fermé en juin.');
    const [report] = await app.deps.db.select().from(offerReports).where(eq(offerReports.offerId, offer.id));
    expect((await admin.post(`/admin/signalements/${report!.id}/classer`)).statusCode).toBe(303);
    const [dismissed] = await app.deps.db.select().from(offerReports).where(eq(offerReports.id, report!.id));
    expect(dismissed!.status).toBe('dismissed');
    expect((await admin.get('/admin/signalements')).body).not.toContain('Le club a fermé en juin.');
    expect((await offerRow(app, offer.id)).status).toBe('published');

    const draft = await insertOffer(app, organisation.id, { status: 'draft' });
    expect((await reporter.post(`/offres/${draft.id}/signaler`, { reason: 'publicite' })).statusCode).toBe(404);
  });

  it('takes down a reported offer, closes its reports and emails the members; resubmission goes to moderation', async () => {
    const { owner, organisation, agent } = await partner('verified');
    const offer = await insertOffer(app, organisation.id, { title: 'Atelier douteux' });
    const reporter = await signedInAgent(app);
    await reporter.post(`/offres/${offer.id}/signaler`, { reason: 'contenu-inapproprie', message: 'Propos déplacés.' });
    await reporter.post(`/offres/${offer.id}/signaler`, { reason: 'informations-inexactes' });

    const takeDown = await admin.post(`/admin/moderation/${offer.id}/retirer`, {
      code: 'contenu-inapproprie',
      reason: 'Le texte contient des propos déplacés.',
    });
    expect(takeDown.statusCode).toBe(303);
    const row = await offerRow(app, offer.id);
    expect(row).toMatchObject({ status: 'rejected', rejectionCode: 'contenu-inapproprie' });
    expect(row.takenDownAt).not.toBeNull();
    const reports = await app.deps.db.select().from(offerReports).where(eq(offerReports.offerId, offer.id));
    expect(reports.map((r) => r.status)).toEqual(['actioned', 'actioned']);
    expect((await new Agent(app).get(`/offres/${offer.id}-${offer.slug}`)).statusCode).toBe(404);
    const mail = (await readMails(app)).find((m) => m.to.includes(owner.email) && m.subject.startsWith('Votre offre a été retirée'));
    expect(mail?.text).toContain('Le texte contient des propos déplacés.');

    const resubmit = await agent.post(`/offres/${offer.id}/soumettre`);
    expect(resubmit.statusCode).toBe(303);
    expect((await offerRow(app, offer.id)).status).toBe('pending');
  });
});

describe('archive job', () => {
  it('archives published, paused and pending offers whose period is over, and nothing else', async () => {
    const { organisation } = await partner('verified');
    const expired = await insertOffer(app, organisation.id, { endDate: '2020-07-04' });
    const pausedExpired = await insertOffer(app, organisation.id, { endDate: '2020-07-04', status: 'paused' });
    const draftExpired = await insertOffer(app, organisation.id, { endDate: '2020-07-04', status: 'draft' });
    const current = await insertOffer(app, organisation.id, { endDate: '2099-07-04' });
    const endless = await insertOffer(app, organisation.id, { endDate: null });
    expect(app.deps.scheduler.list()).toContain('offers-archive');
    await app.deps.scheduler.runNow('offers-archive');
    expect((await offerRow(app, expired.id)).status).toBe('archived');
    expect((await offerRow(app, pausedExpired.id)).status).toBe('archived');
    expect((await offerRow(app, draftExpired.id)).status).toBe('draft');
    expect((await offerRow(app, current.id)).status).toBe('published');
    expect((await offerRow(app, endless.id)).status).toBe('published');
    const outbox = await app.deps.db.select().from(searchOutbox).where(eq(searchOutbox.entityId, expired.id));
    expect(outbox.length).toBeGreaterThan(0);

    app.deps.clock.setNow(new Date('2099-07-05T10:00:00Z'));
    try {
      await app.deps.scheduler.runNow('offers-archive');
    } finally {
      app.deps.clock.setNow(null);
    }
    expect((await offerRow(app, current.id)).status).toBe('archived');
  });
});
