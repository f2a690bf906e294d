import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offers, organisations, requests } from '../../db/schema/index.js';
import { acmSubject } from '../../server/favourites/acm-distance.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { acmWithMember, partnerWithMember } from '../helpers/matching.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const starButton = (body: string, action: string) => new RegExp(`<button[^>]*formaction="${action}"[^>]*>`).exec(body)?.[0] ?? null;

async function setStatus(offerId: number, status: 'paused' | 'archived' | 'published') {
  await app.deps.db.update(offers).set({ status }).where(eq(offers.id, offerId));
}

describe('favourites of an ACM member', () => {
  it('stars an offer and a partner with plain forms, finds them at /favoris with a way to send a request, and unstars them', async () => {
    const { partner } = await partnerWithMember(app, { name: 'Cirque des Pentes' });
    const offer = await insertOffer(app, partner.id, { title: 'Initiation aux arts du cirque' });
    const { agent } = await acmWithMember(app);

    const page = await agent.get(`/offres/${offer.id}-${offer.slug}`);
    const button = starButton(page.body, `/favoris/offres/${offer.id}`);
    expect(button).toContain('aria-pressed="false"');
    expect(page.body).toContain('Favori<span class="visually-hidden"> : Initiation aux arts du cirque</span>');
    expect(page.body).toContain('<form id="favourite-form" method="post"');

    const starred = await agent.post(`/favoris/offres/${offer.id}`, { favori: '1', suivant: `/offres/${offer.id}-${offer.slug}` });
    expect(starred.statusCode).toBe(303);
    expect(starred.headers.location).toBe(`/offres/${offer.id}-${offer.slug}`);
    const again = await agent.get(`/offres/${offer.id}-${offer.slug}`);
    expect(again.body).toContain('« Initiation aux arts du cirque » est dans vos favoris.');
    expect(starButton(again.body, `/favoris/offres/${offer.id}`)).toContain('aria-pressed="true"');

    const partnerPage = await agent.get(`/structures/${partner.id}-${partner.slug}`);
    expect(starButton(partnerPage.body, `/favoris/structures/${partner.id}`)).toContain('aria-pressed="false"');
    expect((await agent.post(`/favoris/structures/${partner.id}`, { favori: '1' })).headers.location).toBe('/favoris');

    const list = await agent.get('/favoris');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('1\u00a0offre');
    expect(list.body).toContain('1\u00a0structure');
    expect(list.body).toContain('Initiation aux arts du cirque');
    expect(list.body).toContain(`href="/demandes/nouvelle?offre=${offer.id}"`);
    expect(list.body).toContain(`href="/demandes/nouvelle?structure=${partner.id}"`);

    await agent.post(`/favoris/offres/${offer.id}`, { favori: '0' });
    await agent.post(`/favoris/structures/${partner.id}`, { favori: '0' });
    const empty = await agent.get('/favoris');
    expect(empty.body).toContain('Vous n’avez pas encore de favori.');
  });

  it('answers htmx with the button alone, pressed, and the CSRF token is required', async () => {
    const { partner } = await partnerWithMember(app);
    const offer = await insertOffer(app, partner.id);
    const { agent } = await acmWithMember(app);
    const token = await agent.csrfToken();
    const swapped = await agent.post(`/favoris/offres/${offer.id}`, { favori: '1' }, { csrf: token, headers: { 'hx-request': 'true', 'x-csrf-token': token } });
    expect(swapped.statusCode).toBe(200);
    expect(swapped.body.trim()).toMatch(/^<button[^>]*aria-pressed="true"[^>]*>.*<\/button>$/s);
    expect(swapped.body).toContain('value="0"');

    const forged = await agent.post(`/favoris/offres/${offer.id}`, { favori: '0' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect((await agent.get('/favoris')).body).toContain(offer.title);
  });

  it('says when a favourite offer is paused or archived, without a request link', async () => {
    const { partner } = await partnerWithMember(app);
    const paused = await insertOffer(app, partner.id, { title: 'Atelier bientôt en pause' });
    const archived = await insertOffer(app, partner.id, { title: 'Atelier bientôt archivé' });
    const { agent } = await acmWithMember(app);
    await agent.post(`/favoris/offres/${paused.id}`, { favori: '1' });
    await agent.post(`/favoris/offres/${archived.id}`, { favori: '1' });
    await setStatus(paused.id, 'paused');
    await setStatus(archived.id, 'archived');

    const list = await agent.get('/favoris');
    expect(list.body).toContain('En pause : le partenaire ne la propose plus pour le moment.');
    expect(list.body).toContain('Archivée : cette offre n’est plus proposée.');
    expect(list.body).not.toContain(`/demandes/nouvelle?offre=${paused.id}`);
    expect(list.body).not.toContain(`/demandes/nouvelle?offre=${archived.id}`);
    expect(list.body).not.toContain(`href="/offres/${paused.id}-`);

    // Unstarring still works; starring what is not published does not.
    expect((await agent.post(`/favoris/offres/${paused.id}`, { favori: '0' })).statusCode).toBe(303);
    expect((await agent.post(`/favoris/offres/${paused.id}`, { favori: '1' })).statusCode).toBe(404);
  });

  it('keeps favourites personal: another ACM member does not see mine', async () => {
    const { partner } = await partnerWithMember(app);
    const offer = await insertOffer(app, partner.id, { title: 'Jardin partagé du mercredi' });
    const mine = await acmWithMember(app);
    const other = await acmWithMember(app);
    await mine.agent.post(`/favoris/offres/${offer.id}`, { favori: '1' });
    expect((await mine.agent.get('/favoris')).body).toContain('Jardin partagé du mercredi');
    const theirs = await other.agent.get('/favoris');
    expect(theirs.body).not.toContain('Jardin partagé du mercredi');
    expect(starButton((await other.agent.get(`/offres/${offer.id}-${offer.slug}`)).body, `/favoris/offres/${offer.id}`)).toContain('aria-pressed="false"');
  });

  it('is not for partner members nor visitors', async () => {
    const { partner, agent: partnerAgent } = await partnerWithMember(app);
    const offer = await insertOffer(app, partner.id);
    const page = await partnerAgent.get(`/offres/${offer.id}-${offer.slug}`);
    expect(page.body).not.toContain('favourite-toggle');
    expect((await partnerAgent.post(`/favoris/offres/${offer.id}`, { favori: '1' })).statusCode).toBe(403);
    expect((await partnerAgent.get('/favoris')).statusCode).toBe(403);

    const visitor = new Agent(app);
    expect((await visitor.get(`/offres/${offer.id}-${offer.slug}`)).body).not.toContain('favourite-toggle');
    expect((await visitor.post(`/favoris/offres/${offer.id}`, { favori: '1' })).statusCode).toBe(403);
    const list = await visitor.get('/favoris');
    expect(list.statusCode).toBe(302);
    expect(list.headers.location).toBe('/connexion?suivant=%2Ffavoris');
  });
});

describe('results that help choose', () => {
  it('marks offers and partners already contacted, in the results and on the offer page', async () => {
    const { partner } = await partnerWithMember(app, { name: 'Bibliothèque des Brotteaux' });
    const asked = await insertOffer(app, partner.id, { title: 'Heure du conte demandée' });
    const sibling = await insertOffer(app, partner.id, { title: 'Heure du conte voisine' });
    await syncSearch(app);
    const { acm, agent, user } = await acmWithMember(app);
    await app.deps.db.insert(requests).values({
      acmId: acm.id,
      partnerId: partner.id,
      offerId: asked.id,
      direction: 'acm_to_partner',
      status: 'declined',
      createdBy: user.id,
    });

    const results = await agent.get('/offres?q=conte');
    const cardOf = (id: number) => new RegExp(`<li class="offer-card" id="offre-${id}"[\\s\\S]*?</li>\\n`).exec(results.body)?.[0] ?? '';
    expect(cardOf(asked.id)).toContain('Déjà contacté');
    expect(cardOf(sibling.id)).toContain('Structure déjà contactée');
    expect(cardOf(asked.id)).toContain('favourite-toggle');

    expect((await agent.get(`/offres/${asked.id}-${asked.slug}`)).body).toContain('Déjà contacté');
    expect((await agent.get(`/structures/${partner.id}-${partner.slug}`)).body).toContain('Déjà contactée');
    const stranger = await acmWithMember(app);
    const strangerResults = (await stranger.agent.get('/offres?q=conte')).body;
    expect(strangerResults).not.toContain('Déjà contacté');
    expect(strangerResults).not.toContain('Structure déjà contactée');
    expect((await new Agent(app).get('/offres?q=conte')).body).not.toContain('favourite-toggle');
  });

  it('tells an ACM member how far each accueil is and whether it lies in the travel zone', async () => {
    const { partner } = await partnerWithMember(app);
    // Base in Villeurbanne, 10 km radius: Lyon 2e (≈ 3 km) is inside, Villefranche-sur-Saône (≈ 30 km) is not.
    const offer = await insertOffer(app, partner.id, { venue: 'dans-l-accueil', travelKm: 10, lat: 45.7719, lng: 4.8902, codeInsee: '69266' });
    const { agent, user } = await acmWithMember(app, { name: 'Les Pitchouns' });
    const far = await acmWithMember(app, { name: 'Accueil de loisirs des Calades', lat: 45.9899, lng: 4.7186, codeInsee: '69264' });
    const page = await agent.get(`/offres/${offer.id}-${offer.slug}`);
    expect(page.body).toMatch(/Votre accueil Les Pitchouns est à [\d,]+ km — dans la zone de déplacement\./);
    const farPage = await far.agent.get(`/offres/${offer.id}-${offer.slug}`);
    expect(farPage.body).toMatch(/Accueil de loisirs des Calades est à 2\d km — hors de la zone de déplacement\./);
    expect((await new Agent(app).get(`/offres/${offer.id}-${offer.slug}`)).body).not.toContain('zone de déplacement.');
    expect(user.id).toBeGreaterThan(0);
    expect(acmSubject('Accueil de loisirs Les Pitchouns')).toBe('Votre accueil Les Pitchouns');
    expect(acmSubject('Centre de loisirs Jean-Macé')).toBe('Votre accueil Jean-Macé');
  });

  it('shows the offer’s thumbnail in the results, with its alt text and fixed dimensions, and serves it to map popups', async () => {
    const { partner } = await partnerWithMember(app);
    const offer = await insertOffer(app, partner.id, {
      title: 'Photographie au sténopé',
      photoPath: 'offres/abc123.webp',
      photoAlt: 'Des enfants et une boîte noire',
    });
    const plain = await insertOffer(app, partner.id, { title: 'Photographie sans photo' });
    await syncSearch(app);
    const results = await new Agent(app).get('/offres?q=photographie');
    expect(results.body).toContain(
      '<img class="offer-card-thumb" src="/medias/offres/abc123-vignette.webp" alt="Des enfants et une boîte noire" width="96" height="64" loading="lazy">',
    );
    expect(results.body).toContain('data-thumb="/medias/offres/abc123-vignette.webp"');
    const thumb = await new Agent(app).get(`/offres/${offer.id}/vignette`);
    expect(thumb.statusCode).toBe(302);
    expect(thumb.headers.location).toBe('/medias/offres/abc123-vignette.webp');
    expect((await new Agent(app).get(`/offres/${plain.id}/vignette`)).statusCode).toBe(404);
    await setStatus(offer.id, 'paused');
    expect((await new Agent(app).get(`/offres/${offer.id}/vignette`)).statusCode).toBe(404);
  });
});

describe('contact details of a partner: one rule on every surface', () => {
  async function setup(contactPublic: boolean) {
    const owner = await partnerWithMember(app, { email: `contact-${contactPublic}@cirque.fr`, phone: '04 72 00 11 22', contactPublic });
    const offer = await insertOffer(app, owner.partner.id);
    await syncSearch(app);
    return { ...owner, offer };
  }

  async function surfaces(agent: Agent, partner: typeof organisations.$inferSelect, offer: typeof offers.$inferSelect) {
    const orgPage = (await agent.get(`/structures/${partner.id}-${partner.slug}`)).body;
    const offerPage = (await agent.get(`/offres/${offer.id}-${offer.slug}`)).body;
    const apiOrg = (await agent.get(`/api/v1/organisations/${partner.id}`)).json();
    const apiList = (await agent.get(`/api/v1/organisations?q=${encodeURIComponent(partner.name)}`)).json();
    const apiOffer = (await agent.get(`/api/v1/offers/${offer.id}`)).json();
    const email = partner.email!;
    return {
      orgPage: orgPage.includes(email) && orgPage.includes('04 72 00 11 22'),
      offerPage: offerPage.includes(email) && offerPage.includes('04 72 00 11 22'),
      apiOrg: apiOrg.contact?.email === email && apiOrg.contact?.phone === '04 72 00 11 22',
      apiList: apiList.items.find((i: { id: number }) => i.id === partner.id)?.contact?.email === email,
      apiOffer: apiOffer.contact?.email === email,
      leaked: [orgPage, offerPage, JSON.stringify(apiOrg), JSON.stringify(apiList), JSON.stringify(apiOffer)].some((b) => b.includes(email)),
    };
  }
  const all = { orgPage: true, offerPage: true, apiOrg: true, apiList: true, apiOffer: true, leaked: true };
  const none = { orgPage: false, offerPage: false, apiOrg: false, apiList: false, apiOffer: false, leaked: false };

  it('shows them to members of verified ACMs and to the partner’s own members, on pages and in the API', async () => {
    const { partner, offer, agent: ownAgent } = await setup(false);
    const verified = await acmWithMember(app, { status: 'verified' });
    expect(await surfaces(verified.agent, partner, offer)).toEqual(all);
    expect(await surfaces(ownAgent, partner, offer)).toEqual(all);
  });

  it('hides them from visitors, partner members of other organisations and members of unverified ACMs', async () => {
    const { partner, offer } = await setup(false);
    expect(await surfaces(new Agent(app), partner, offer)).toEqual(none);
    const otherPartner = await partnerWithMember(app);
    expect(await surfaces(otherPartner.agent, partner, offer)).toEqual(none);
    const unverified = await acmWithMember(app, { status: 'unverified' });
    expect(await surfaces(unverified.agent, partner, offer)).toEqual(none);
    const visitorPage = (await new Agent(app).get(`/offres/${offer.id}-${offer.slug}`)).body;
    expect(visitorPage).toContain('avec le compte d’un accueil vérifié pour voir l’e-mail et le téléphone');
  });

  it('shows them to everyone once the partner makes them public in its settings', async () => {
    const { partner, offer, agent: ownAgent } = await setup(false);
    const form = await ownAgent.get(`/structures/${partner.id}/modifier`);
    expect(form.body).toContain('Afficher l’e-mail et le téléphone à tous les visiteurs');
    await app.deps.db.update(organisations).set({ contactPublic: true }).where(eq(organisations.id, partner.id));
    expect(await surfaces(new Agent(app), partner, offer)).toEqual(all);
  });

  it('answers signed-in API requests with a private cache header, visitors with a public one', async () => {
    const { partner } = await setup(false);
    const verified = await acmWithMember(app);
    expect((await verified.agent.get(`/api/v1/organisations/${partner.id}`)).headers['cache-control']).toBe('private, no-cache');
    expect((await new Agent(app).get(`/api/v1/organisations/${partner.id}`)).headers['cache-control']).toBe('public, max-age=60');
  });
});
