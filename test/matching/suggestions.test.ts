import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNeedById } from '../../server/matching/matching.repository.js';
import { suggestOffers, wishOfNeed } from '../../server/matching/suggestions.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { acmWithMember, needForm, partnerWithMember, theatreOffer } from '../helpers/matching.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
let acm: Awaited<ReturnType<typeof acmWithMember>>;
let partner: Awaited<ReturnType<typeof partnerWithMember>>;
let farPartner: Awaited<ReturnType<typeof partnerWithMember>>;
let offer: Awaited<ReturnType<typeof theatreOffer>>;
let needId: number;

beforeAll(async () => {
  app = await createTestApp();
  partner = await partnerWithMember(app, { name: 'Compagnie des Trois Coups' });
  offer = await theatreOffer(app, partner.partner.id, { title: 'Théâtre d’impro' });
  await insertOffer(app, partner.partner.id, { title: 'Conte pour les petits', themes: ['culture'], subthemes: ['lecture-ecriture'], ageMin: 3, ageMax: 5 });
  farPartner = await partnerWithMember(app, { name: 'Théâtre du Vieux-Port', codeInsee: '13201', lat: 43.3, lng: 5.38 });
  await theatreOffer(app, farPartner.partner.id, { title: 'Théâtre à Marseille', codeInsee: '13201', lat: 43.3, lng: 5.38 });
  acm = await acmWithMember(app, { name: 'Accueil des Canuts', themes: ['culture'] });
  const response = await acm.agent.post('/besoins', needForm({ title: 'Monter un spectacle de fin d’année' }));
  needId = Number(response.headers.location?.split('/').pop());
  await syncSearch(app);
});
afterAll(async () => {
  await app.close();
});

describe('suggestions on the dashboards and the offer page', () => {
  it('shows an ACM member the suggested partners for each open need and for its profile, with reasons', async () => {
    const page = await acm.agent.get('/tableau-de-bord');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Partenaires suggérés');
    expect(page.body).toContain('Pour votre besoin');
    expect(page.body).toContain('Monter un spectacle de fin d’année');
    expect(page.body).toContain('D’après le profil de l’Accueil des Canuts');
    expect(page.body).toContain('Théâtre d’impro');
    expect(page.body).toContain('Pourquoi cette suggestion ?');
    expect(page.body).not.toContain('Théâtre à Marseille');
    expect(page.body).not.toContain('Besoins près de chez vous');
  });

  it('shows a partner the needs near its offers, with the ACM’s name and commune but never its contact details', async () => {
    const page = await partner.agent.get('/tableau-de-bord');
    expect(page.body).toContain('Besoins près de chez vous');
    expect(page.body).toContain('Monter un spectacle de fin d’année');
    expect(page.body).toContain('Accueil des Canuts');
    expect(page.body).toContain('« Théâtre d’impro »');
    expect(page.body).not.toContain(acm.acm.email!);
    expect(page.body).not.toContain('04 78 00 00 99');
    expect(page.body).not.toContain('7 rue Secrète');
    expect(page.body).not.toContain('Partenaires suggérés');

    const far = await farPartner.agent.get('/tableau-de-bord');
    expect(far.body).toContain('Besoins près de chez vous');
    expect(far.body).not.toContain('Monter un spectacle de fin d’année');
  });

  it('shows "Accueils qui pourraient être intéressés" on an offer page to the offer’s members only, without contact details', async () => {
    const path = `/offres/${offer.id}-${offer.slug}`;
    const own = await partner.agent.get(path);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Accueils qui pourraient être intéressés');
    expect(own.body).toContain('Accueil des Canuts');
    expect(own.body).toContain(`href="/besoins/${needId}"`);
    expect(own.body).not.toContain(acm.acm.email!);
    expect(own.body).not.toContain('04 78 00 00 99');

    for (const agent of [new Agent(app), farPartner.agent, acm.agent]) {
      const page = await agent.get(path);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('Accueils qui pourraient être intéressés');
    }
  });

  it('finds candidates with the database prefilters that the exact scoring keeps (a partner 18 km away coming to the ACM)', async () => {
    const travelling = await partnerWithMember(app, { name: 'Troupe itinérante', codeInsee: '69091', lat: 45.5845, lng: 4.7561 });
    await theatreOffer(app, travelling.partner.id, {
      title: 'Théâtre qui se déplace',
      venue: 'dans-l-accueil',
      travelKm: 25,
      codeInsee: '69091',
      lat: 45.5845,
      lng: 4.7561,
    });
    const need = await openNeedById(app.deps.db, needId);
    const ranked = await suggestOffers(app.deps, wishOfNeed(need!));
    const titles = ranked.map((r) => r.item.title);
    expect(titles).toContain('Théâtre qui se déplace');
    expect(titles).toContain('Théâtre d’impro');
    expect(titles).not.toContain('Théâtre à Marseille');
    expect(titles).not.toContain('Conte pour les petits');
    const travellingMatch = ranked.find((r) => r.item.title === 'Théâtre qui se déplace')!.match;
    expect(travellingMatch.criteria.find((c) => c.key === 'distance')?.explanation).toContain('rayon de 25 km');
  });
});

describe('"today" in Paris', () => {
  it('stops suggesting an offer that ended yesterday as soon as it is midnight in Paris, while it is still the day before in UTC', async () => {
    const ended = await theatreOffer(app, partner.partner.id, { title: 'Théâtre jusqu’au 10 juin', startDate: '2026-01-07', endDate: '2026-06-10' });
    const need = await openNeedById(app.deps.db, needId);
    const titlesAt = async (instant: string) => {
      app.deps.clock.setNow(new Date(instant));
      return (await suggestOffers(app.deps, { ...wishOfNeed(need!), startDate: null, endDate: null })).map((r) => r.item.title);
    };
    try {
      expect(await titlesAt('2026-06-10T21:30:00Z')).toContain(ended.title);
      expect(await titlesAt('2026-06-10T22:30:00Z')).not.toContain(ended.title);
    } finally {
      app.deps.clock.setNow(null);
    }
  });
});

describe('the needs search (kind "need" of the search engine)', () => {
  it('lists open needs for partners with facets, place and radius, and keeps them from the public API', async () => {
    const other = await acmWithMember(app, { name: 'Accueil de Vénissieux', codeInsee: '69259', lat: 45.7012, lng: 4.8805 });
    await other.agent.post('/besoins', needForm({ title: 'Initiation au judo', themes: ['sport'], subthemes: ['sports-de-combat'], ageMin: '6', ageMax: '9' }));
    const marseille = await acmWithMember(app, { name: 'Accueil du Panier', codeInsee: '13201', lat: 43.3, lng: 5.38 });
    await marseille.agent.post('/besoins', needForm({ title: 'Théâtre sur le port' }));
    await syncSearch(app);

    const all = await partner.agent.get('/besoins');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('3\u00a0besoins ouverts');
    expect(all.body).toContain('Initiation au judo');
    expect(all.body).toContain('Enregistrer cette recherche');
    expect(all.body).toMatch(/Sport&nbsp;<span class="facet-count">\(1<span class="visually-hidden"> besoin<\/span>\)/);
    expect(all.body).not.toMatch(/visually-hidden"> offres?</);
    // A theme no need has stays choosable but reads as empty; one that has needs does not.
    expect(all.body).toMatch(/<div class="checkbox facet-option facet-option-empty">\s*<input type="checkbox" id="facet-theme-langues"/);
    expect(all.body).toMatch(/<div class="checkbox facet-option">\s*<input type="checkbox" id="facet-theme-sport"/);

    const sport = await partner.agent.get('/besoins?theme=sport');
    expect(sport.body).toContain('1\u00a0besoin ouvert');
    expect(sport.body).toContain('Initiation au judo');
    expect(sport.body).not.toContain('Théâtre sur le port');
    expect(sport.body).toMatch(/Culture et arts&nbsp;<span class="facet-count">\(2<span/);

    const near = await partner.agent.get('/besoins?lieu=Villeurbanne&radius_km=20');
    expect(near.body).toContain('2\u00a0besoins ouverts');
    expect(near.body).not.toContain('Théâtre sur le port');
    expect(near.body).toContain('Autour de Villeurbanne (20 km)');
    const point = await partner.agent.get('/besoins?near=45.7719,4.8902&radius_km=20');
    expect(point.body).toContain('2\u00a0besoins ouverts');
    expect(point.body).toContain('Autour de Villeurbanne (20 km)');
    expect(point.body).toContain('name="lieu" value="Villeurbanne (69100)"');

    const fragment = await partner.agent.get('/besoins?q=judo', { 'hx-request': 'true', 'hx-target': 'search-results' });
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toContain('Initiation au judo');

    const map = await partner.agent.get('/besoins/carte.json?theme=culture');
    expect(map.statusCode).toBe(200);
    const geo = JSON.parse(map.body) as { features: { properties: { title: string; path: string } }[] };
    expect(geo.features.map((f) => f.properties.title).sort()).toEqual(['Monter un spectacle de fin d’année', 'Théâtre sur le port']);

    const api = await app.inject({ url: '/api/v1/offers?q=judo' });
    expect(api.body).not.toContain('Initiation au judo');
    expect((await new Agent(app).get('/besoins/carte.json')).statusCode).toBe(302);
    expect((await acm.agent.get('/besoins/carte.json')).statusCode).toBe(404);
    const acmList = await acm.agent.get('/besoins');
    expect(acmList.body).toContain('Monter un spectacle de fin d’année');
    expect(acmList.body).not.toContain('Initiation au judo');

    const judo = await partner.agent.get('/besoins?q=judo');
    const judoId = Number(/href="\/besoins\/(\d+)"/.exec(judo.body)?.[1]);
    await other.agent.post(`/besoins/${judoId}/statut`, { action: 'closed' });
    await syncSearch(app);
    expect((await partner.agent.get('/besoins?q=judo')).body).toContain('Aucun besoin ouvert');
  });
});
