import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requests, users } from '../../db/schema/index.js';
import { loadCurrentUser } from '../../server/accounts/sessions.repository.js';
import { formatters } from '../../server/lib/format.js';
import { offerPageSections } from '../../server/offers/offer-page-sections.js';
import { dashboardSections } from '../../server/organisations/dashboard.js';
import { organisationPageSections } from '../../server/organisations/organisation-page-sections.js';
import { loadResponsiveness, medianLabel } from '../../server/requests/responsiveness.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createOffer, createRequestParties, sendRequest } from '../helpers/requests.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const HOUR = 3_600_000;

async function currentUser(userId: number) {
  const [user] = await app.deps.db.select().from(users).where(eq(users.id, userId));
  return loadCurrentUser(app.deps.db, user!);
}

describe('inboxes', () => {
  it('lists received requests for the partner and sent ones for the ACM, with unread badges, status filter and text search', async () => {
    const { offer, partner, acmAgent, partnerAgent } = await createRequestParties(app, { acm: 'Accueil Les Écureuils', partner: 'Médiathèque Jean Macé' });
    const second = await createOffer(app, partner.id, { title: 'Heure du conte au jardin' });
    const first = await sendRequest(acmAgent, offer.id, { message: 'Nous aimerions découvrir le kamishibaï avec les plus petits du centre.' });
    const other = await sendRequest(acmAgent, second.id);
    await partnerAgent.post(`/demandes/${other}/decliner`, { declineCode: 'complet' });

    const received = await partnerAgent.get('/demandes');
    expect(received.statusCode).toBe(200);
    expect(received.body).toContain('aria-current="page">Reçues');
    expect(received.body).toContain(`href="/demandes/${first}"`);
    expect(received.body).toContain(`href="/demandes/${other}"`);
    expect(received.body).toContain('Accueil Les Écureuils');
    expect(received.body).toMatch(new RegExp(`href="/demandes/${first}">${offer.title}</a> <span class="badge">1<`));
    expect(received.body.indexOf(`/demandes/${other}"`)).toBeLessThan(received.body.indexOf(`/demandes/${first}"`));
    // Worded as the dashboard words it: the request waits for this partner's answer.
    const firstItem = new RegExp(`href="/demandes/${first}">[\\s\\S]*?</li>`).exec(received.body)![0];
    expect(firstItem).toContain('<span class="tag tag-warning">À répondre</span>');
    expect(firstItem).not.toContain('Envoyée');
    expect((await partnerAgent.get('/tableau-de-bord')).body).toContain('1\u00a0demande attend votre réponse');

    const open = await partnerAgent.get('/demandes?boite=recues&statut=ouvertes');
    expect(open.body).toContain(`href="/demandes/${first}"`);
    expect(open.body).not.toContain(`href="/demandes/${other}"`);

    const search = await partnerAgent.get('/demandes?boite=recues&q=KAMISHIBAI');
    expect(search.body).toContain(`href="/demandes/${first}"`);
    expect(search.body).not.toContain(`href="/demandes/${other}"`);
    const none = await partnerAgent.get('/demandes?q=introuvable');
    expect(none.body).toContain('Aucune demande ne correspond à ces filtres.');
    expect(none.body).not.toContain('0 demande');

    const fragment = await partnerAgent.get('/demandes?boite=recues&statut=declinee', { 'hx-request': 'true', 'hx-target': 'request-list' });
    expect(fragment.body).toMatch(/^<div id="request-list"/);
    expect(fragment.body).toContain(`href="/demandes/${other}"`);
    expect(fragment.body).not.toContain(`href="/demandes/${first}"`);

    const sent = await acmAgent.get('/demandes');
    expect(sent.body).toContain('aria-current="page">Envoyées');
    expect(sent.body).toContain('Médiathèque Jean Macé');
    expect(sent.body).toContain(`href="/demandes/${first}"`);
    expect(new RegExp(`href="/demandes/${first}">[\\s\\S]*?</li>`).exec(sent.body)![0]).toContain('>Envoyée</span>');

    await partnerAgent.get(`/demandes/${first}`);
    expect((await partnerAgent.get('/demandes')).body).not.toMatch(new RegExp(`href="/demandes/${first}">[^<]*</a> <span class="badge"`));
    expect((await partnerAgent.get('/demandes?statut=nimporte')).statusCode).toBe(400);
  });

  it('shows each organisation’s requests to a user who belongs to several', async () => {
    const { partner, offer, coordinator, acmAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    const otherPartner = await createOrganisation(app, { kind: 'partner', name: 'Club de judo', memberIds: [coordinator.id] });
    const agent = await signedInAgent(app, coordinator);
    const judo = await agent.get(`/demandes?structure=${otherPartner.id}`);
    expect(judo.body).not.toContain(`href="/demandes/${id}"`);
    expect(judo.body).toContain('Club de judo');
    const own = await agent.get(`/demandes?structure=${partner.id}`);
    expect(own.body).toContain(`href="/demandes/${id}"`);
  });
});

describe('dashboard and pages of other domains', () => {
  it('shows on the dashboard the requests waiting for an answer and the threads with unread messages', async () => {
    const { offer, coordinator, director, acmAgent, partnerAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    const partnerUser = await currentUser(coordinator.id);
    const partnerSections = await dashboardSections.load(app.deps, partnerUser, partnerUser);
    const block = partnerSections.find((s) => s.id === 'requests-waiting');
    expect(block?.template).toBe('requests/dashboard');
    const html = app.deps.eta.render('/partials/requests/dashboard', { ...block!.data, f: formatters });
    expect(html).toContain('1\u00a0demande attend votre réponse');
    expect(html).toContain(`href="/demandes/${id}"`);

    await partnerAgent.post(`/demandes/${id}/messages`, { body: 'Bonjour, avec plaisir, parlons-en.' });
    const acmUser = await currentUser(director.id);
    const acmSections = await dashboardSections.load(app.deps, acmUser, acmUser);
    const acmBlock = acmSections.find((s) => s.id === 'requests-waiting')!;
    expect((acmBlock.data.waiting as { unreadThreads: number }).unreadThreads).toBe(1);
  });

  it('shows the partner’s responsiveness once it has received at least three requests', async () => {
    const { partner, acm } = await createRequestParties(app);
    const now = app.deps.clock.now();
    const base = { acmId: acm.id, partnerId: partner.id, direction: 'acm_to_partner' as const, message: 'x' };
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
    await app.deps.db.insert(requests).values([
      { ...base, status: 'accepted', createdAt: at(100), firstReplyAt: at(98) },
      { ...base, status: 'declined', createdAt: at(200), firstReplyAt: at(150) },
    ]);
    expect((await loadResponsiveness(app.deps.db, [partner.id], now)).size).toBe(0);
    const mine = async () => (await organisationPageSections.load(app.deps, partner, null)).find((s) => s.id === 'requests-responsiveness');
    expect(await mine()).toBeUndefined();

    await app.deps.db.insert(requests).values([
      { ...base, status: 'in_discussion', createdAt: at(300), firstReplyAt: at(276) },
      { ...base, status: 'expired', createdAt: at(1000) },
      { ...base, status: 'sent', createdAt: at(5) },
      { ...base, status: 'withdrawn', createdAt: at(400) },
      { ...base, status: 'accepted', createdAt: at(24 * 400), firstReplyAt: at(24 * 400 - 1) },
    ]);
    const result = (await loadResponsiveness(app.deps.db, [partner.id, acm.id], now)).get(partner.id);
    expect(result).toMatchObject({ considered: 4, answered: 3, answerRate: 75, medianHours: 24, medianLabel: 'en 1 jour' });

    const section = await mine();
    expect(section?.template).toBe('requests/organisation-section');
    const html = app.deps.eta.render('/partials/requests/responsiveness', section!.data);
    expect(html).toContain('Répond en général <strong>en 1 jour</strong>');
    expect(html).toContain('<strong>75 %</strong> de réponses');

    const offer = await createOffer(app, partner.id, { title: 'Visite des coulisses' });
    const offerSections = await offerPageSections.load(app.deps, offer, null);
    expect(offerSections.find((s) => s.id === 'requests-offer')?.data.responsiveness).toMatchObject({ answerRate: 75 });
    expect(medianLabel(0.5)).toBe('en moins d’une heure');
    expect(medianLabel(5)).toBe('en 5 heures');
    expect(medianLabel(72)).toBe('en 3 jours');
  });

  it('tells an ACM member on the offer page that a request is already open', async () => {
    const { offer, director, acmAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    const sections = await offerPageSections.load(app.deps, offer, await currentUser(director.id));
    const section = sections.find((s) => s.id === 'requests-offer')!;
    const html = app.deps.eta.render('/partials/requests/offer-section', section.data);
    expect(html).toContain(`href="/demandes/${id}"`);
    const stranger = await createUser(app);
    expect((await offerPageSections.load(app.deps, offer, await currentUser(stranger.id))).find((s) => s.id === 'requests-offer')).toBeUndefined();
  });
});
