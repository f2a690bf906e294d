import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchOutbox } from '../../db/schema/index.js';
import { availabilityDefaults, todayIn } from '../../server/offers/offers.usecases.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, readMails, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, offerForm, offerRow, offersOf } from '../helpers/offers.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function partnerWithMember(status: 'unverified' | 'verified' = 'unverified') {
  const user = await createUser(app);
  const organisation = await createOrganisation(app, { ownerId: user.id, status });
  const agent = await signedInAgent(app, user);
  return { user, organisation, agent };
}

async function outboxFor(id: number) {
  return app.deps.db.select().from(searchOutbox).where(eq(searchOutbox.entityId, id));
}

describe('offer lifecycle', () => {
  it('takes an offer from draft to moderation to the public page', async () => {
    const { organisation, agent, user } = await partnerWithMember('unverified');
    const editor = await agent.get(`/structures/${organisation.id}/offres/nouvelle`);
    expect(editor.statusCode).toBe(200);
    expect(editor.body).toContain('Nouvelle offre');
    const today = todayIn(app.deps);
    const period = availabilityDefaults(app.deps);
    expect(editor.body).toContain(`value="${[period.start, today].sort()[1]}"`);
    expect(editor.body).toContain(`value="${period.end}"`);

    const draft = await agent.post(`/structures/${organisation.id}/offres`, { ...offerForm(), action: 'draft' });
    expect(draft.statusCode).toBe(303);
    const [offer] = await offersOf(app, organisation.id);
    expect(offer).toMatchObject({
      status: 'draft',
      title: 'Cycle théâtre d’objets',
      ageMin: 6,
      ageMax: 10,
      travelKm: 20,
      priceEur: '90.00',
      createdBy: user.id,
    });
    expect(draft.headers.location).toBe(`/offres/${offer!.id}/modifier`);
    expect((await outboxFor(offer!.id)).length).toBeGreaterThan(0);

    const visitor = new Agent(app);
    expect((await visitor.get(`/offres/${offer!.id}-${offer!.slug}`)).statusCode).toBe(404);
    expect((await agent.get(`/offres/${offer!.id}-${offer!.slug}`)).body).toContain('Aperçu : cette offre n’est pas publiée');

    const submit = await agent.post(`/offres/${offer!.id}/modifier`, { ...offerForm(), action: 'submit' });
    expect(submit.statusCode).toBe(303);
    expect((await offerRow(app, offer!.id)).status).toBe('pending');
    expect((await visitor.get(`/offres/${offer!.id}-${offer!.slug}`)).statusCode).toBe(404);

    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const queue = await admin.get('/admin/moderation');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Cycle théâtre d’objets');
    const approve = await admin.post(`/admin/moderation/${offer!.id}/approuver`);
    expect(approve.statusCode).toBe(303);
    const published = await offerRow(app, offer!.id);
    expect(published.status).toBe('published');
    expect(published.publishedAt).not.toBeNull();

    const mail = (await readMails(app)).find((m) => m.to.includes(user.email) && m.subject.startsWith('Votre offre est publiée'));
    expect(mail?.text).toContain(`/offres/${offer!.id}-${offer!.slug}`);

    const page = await visitor.get(`/offres/${offer!.id}-${offer!.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Cycle théâtre d’objets</h1>');
    expect(page.body).toContain('6–10 ans (tranches 6-8, 9-11)');
    expect(page.body).toContain('De 8 à 15 enfants');
    expect(page.body).toContain('90,00');
    expect(page.body).toContain('dans un rayon de 20 km');
    expect(page.body).toContain('application/ld+json');
    expect(page.body).toContain('"@type":"Service"');
    expect(page.body).toContain(encodeURIComponent(`/demandes/nouvelle?offre=${offer!.id}`));
    expect(page.body).toContain(`/structures/${organisation.id}-`);
    expect(page.body).toContain('Signaler cette offre');

    const wrongSlug = await visitor.get(`/offres/${offer!.id}-ancien-titre`);
    expect(wrongSlug.statusCode).toBe(301);
    expect(wrongSlug.headers.location).toBe(`/offres/${offer!.id}-${offer!.slug}`);
  });

  it('publishes at once for a verified organisation, then pauses, resumes and archives', async () => {
    const { organisation, agent } = await partnerWithMember('verified');
    const response = await agent.post(`/structures/${organisation.id}/offres`, { ...offerForm({ title: 'Atelier percussions' }), action: 'submit' });
    expect(response.statusCode).toBe(303);
    const [offer] = await offersOf(app, organisation.id);
    expect(offer!.status).toBe('published');

    expect((await agent.post(`/offres/${offer!.id}/suspendre`)).statusCode).toBe(303);
    expect((await offerRow(app, offer!.id)).status).toBe('paused');
    expect((await new Agent(app).get(`/offres/${offer!.id}-${offer!.slug}`)).statusCode).toBe(404);
    expect((await agent.post(`/offres/${offer!.id}/reprendre`)).statusCode).toBe(303);
    expect((await offerRow(app, offer!.id)).status).toBe('published');
    expect((await agent.post(`/offres/${offer!.id}/archiver`)).statusCode).toBe(303);
    expect((await offerRow(app, offer!.id)).status).toBe('archived');
    const edit = await agent.post(`/offres/${offer!.id}/modifier`, { ...offerForm(), action: 'draft' });
    expect(edit.statusCode).toBe(409);
  });

  it('duplicates an offer as a new draft', async () => {
    const { organisation, agent } = await partnerWithMember('verified');
    const original = await insertOffer(app, organisation.id, { title: 'Balade nature' });
    const response = await agent.post(`/offres/${original.id}/dupliquer`);
    expect(response.statusCode).toBe(303);
    const rows = await offersOf(app, organisation.id);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ title: 'Balade nature (copie)', status: 'draft', themes: ['sport'] });
    expect(response.headers.location).toBe(`/offres/${rows[1]!.id}/modifier`);
  });

  it('lists the published offers on the organisation page and in the dashboard', async () => {
    const { organisation, agent } = await partnerWithMember('verified');
    await insertOffer(app, organisation.id, { title: 'Escalade en salle' });
    await insertOffer(app, organisation.id, { title: 'Brouillon secret', status: 'draft' });
    const page = await new Agent(app).get(`/structures/${organisation.id}-${organisation.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Offres proposées aux accueils');
    expect(page.body).toContain('Escalade en salle');
    expect(page.body).toContain('class="offer-card"');
    expect(page.body).not.toContain('Brouillon secret');
    const dashboard = await agent.get('/tableau-de-bord');
    expect(dashboard.body).toContain('Vos offres');
    expect(dashboard.body).toContain('1\u00a0publiée');
    expect(dashboard.body).toContain('1\u00a0brouillon');
  });
});
