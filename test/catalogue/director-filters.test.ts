import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { acmWithMember } from '../helpers/matching.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

/**
 * The filters directors use (Wednesday slot, sub-theme, age range, availability period, « vient
 * dans mon accueil », free or paid, accessibility) on the API, the map and the page. The engines'
 * exact counts on generated data are checked by the search contract (test/search/contract.ts).
 */
let app: App;
const ids: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp();
  const partner = await createOrganisation(app, { name: 'Maison des mercredis', status: 'verified' });
  const offers = {
    judo: {
      title: 'Judo du matin',
      themes: ['sport'],
      subthemes: ['sports-de-combat'],
      slots: ['mercredi-matin'],
      ageMin: 6,
      ageMax: 8,
      price: 'gratuit' as const,
      accessibility: ['moteur'],
      startDate: '2026-09-01',
      endDate: '2026-12-20',
    },
    danse: {
      title: 'Danse de l’après-midi',
      themes: ['culture'],
      subthemes: ['danse'],
      slots: ['mercredi-apres-midi'],
      ageMin: 10,
      ageMax: 14,
      price: 'payant' as const,
      startDate: '2027-01-06',
      endDate: '2027-06-30',
    },
    lectures: {
      title: 'Lectures chez vous',
      themes: ['culture'],
      subthemes: ['lecture-ecriture'],
      slots: ['mercredi-journee'],
      venue: 'dans-l-accueil' as const,
      travelKm: 15,
      ageMin: 3,
      ageMax: 6,
    },
    conte: {
      title: 'Conte à Villefranche',
      themes: ['culture'],
      subthemes: ['lecture-ecriture'],
      venue: 'dans-l-accueil' as const,
      travelKm: 5,
      codeInsee: '69264',
      lat: 45.9837,
      lng: 4.72596,
      ageMin: 6,
      ageMax: 11,
      price: 'sur-devis' as const,
    },
    rhone: {
      title: 'Sport santé dans tout le Rhône',
      themes: ['sport'],
      subthemes: ['sport-sante'],
      slots: ['mercredi-matin', 'mercredi-journee'],
      venue: 'dans-l-accueil' as const,
      departmentsServed: ['69'],
      codeInsee: '38185',
      lat: 45.1885,
      lng: 5.7245,
      ageMin: 12,
      ageMax: 17,
    },
  };
  for (const [key, values] of Object.entries(offers)) ids[key] = (await insertOffer(app, partner.id, values)).id;
  await syncSearch(app);
});
afterAll(async () => {
  await app.close();
});

async function api(query: string) {
  const response = await app.inject({ url: `/api/v1/offers?${query}&per_page=100` });
  expect(response.statusCode, query).toBe(200);
  const body = response.json();
  return { ...body, found: (body.items as { id: number }[]).map((i) => i.id).sort((a, b) => a - b) };
}
const idsOf = (...keys: string[]) => keys.map((k) => ids[k]!).sort((a, b) => a - b);

describe('the filters directors use, on the API', () => {
  it('filters by Wednesday slot and counts each slot with the other filters only', async () => {
    const body = await api('slot=mercredi-matin');
    expect(body.found).toEqual(idsOf('judo', 'rhone'));
    expect(body.facets.slot).toEqual({ 'mercredi-matin': 2, 'mercredi-apres-midi': 1, 'mercredi-journee': 2 });
    const sport = await api('slot=mercredi-journee&theme=sport');
    expect(sport.found).toEqual(idsOf('rhone'));
    expect(sport.facets.slot).toEqual({ 'mercredi-matin': 2, 'mercredi-apres-midi': 0, 'mercredi-journee': 1 });
    expect(sport.facets.theme).toMatchObject({ sport: 1, culture: 1 });
  });

  it('filters by sub-theme under a theme and counts the sub-themes within the ticked themes', async () => {
    const body = await api('theme=culture&subtheme=lecture-ecriture');
    expect(body.found).toEqual(idsOf('lectures', 'conte'));
    expect(body.facets.subtheme).toMatchObject({ 'lecture-ecriture': 2, danse: 1, 'sports-de-combat': 0 });
    expect(body.facets.theme).toMatchObject({ culture: 2, sport: 0 });
  });

  it('keeps the offers whose ages overlap « de 8 à 11 ans », both ends included', async () => {
    expect((await api('age_min=8&age_max=11')).found).toEqual(idsOf('judo', 'danse', 'conte'));
    expect((await api('age_min=12')).found).toEqual(idsOf('danse', 'rhone'));
    expect((await api('age_max=5')).found).toEqual(idsOf('lectures'));
  });

  it('keeps the offers available during part of the period, those without dates always', async () => {
    expect((await api('available_from=2026-12-21&available_to=2027-01-05')).found).toEqual(idsOf('lectures', 'conte', 'rhone'));
    expect((await api('available_from=2027-01-10')).found).toEqual(idsOf('danse', 'lectures', 'conte', 'rhone'));
    expect((await api('available_to=2026-12-20')).found).toEqual(idsOf('judo', 'lectures', 'conte', 'rhone'));
  });

  it('keeps, for comes_to, the travelling offers that reach the commune or serve its département', async () => {
    expect((await api('comes_to=69382')).found).toEqual(idsOf('lectures', 'rhone'));
    expect((await api('comes_to=69264')).found).toEqual(idsOf('conte', 'rhone'));
    expect((await api('comes_to=38185')).found).toEqual([]);
  });

  it('filters free or paid offers and accessibility, with their facets', async () => {
    const body = await api('price=gratuit&accessibility=moteur');
    expect(body.found).toEqual(idsOf('judo'));
    expect(body.facets.price).toEqual({ gratuit: 1, payant: 0, 'sur-devis': 0 });
    expect((await api('price=payant&price=sur-devis')).found).toEqual(idsOf('danse', 'conte'));
  });

  it('answers 400 naming the parameter for each bad value, never a 500', async () => {
    const cases: [string, string][] = [
      ['slot=mercredi-soir', 'slot'],
      ['subtheme=astrologie', 'subtheme'],
      ['age_min=abc', 'age_min'],
      ['age_max=120', 'age_max'],
      ['age_min=11&age_max=8', 'age_max'],
      ['available_from=2026-02-30', 'available_from'],
      ['available_from=demain', 'available_from'],
      ['available_from=2027-01-10&available_to=2027-01-01', 'available_to'],
      ['comes_to=99999', 'comes_to'],
      ['comes_to=lyon', 'comes_to'],
      ['price=offert', 'price'],
      ['accessibility=tous', 'accessibility'],
    ];
    for (const [query, parameter] of cases) {
      const response = await app.inject({ url: `/api/v1/offers?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toMatchObject({ error: 'invalid_parameter', parameter });
      const map = await app.inject({ url: `/api/v1/map?bbox=4,45,6,47&${query}` });
      expect(map.statusCode, `map ${query}`).toBe(400);
    }
  });

  it('applies the same filters on the map', async () => {
    const map = (await app.inject({ url: '/api/v1/map?bbox=3,44,7,47&zoom=14&slot=mercredi-matin&available_from=2026-09-01' })).json();
    expect(map.features.map((f: { properties: { id: number } }) => f.properties.id).sort((a: number, b: number) => a - b)).toEqual(idsOf('judo', 'rhone'));
    const comes = (await app.inject({ url: '/api/v1/map?bbox=3,44,7,47&zoom=5&comes_to=69382' })).json();
    expect(comes.total).toBe(2);
  });

  it('documents the new parameters in the OpenAPI document', async () => {
    const document = (await app.inject({ url: '/api/docs/json' })).json();
    const names = (document.paths['/api/v1/offers'].get.parameters as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['slot', 'subtheme', 'age_min', 'age_max', 'available_from', 'available_to', 'comes_to', 'price', 'accessibility']),
    );
    expect(Object.keys(document.paths['/api/v1/offers'].get.responses['200'].content['application/json'].schema.properties.facets.properties)).toEqual(
      expect.arrayContaining(['slot', 'subtheme']),
    );
  });
});

describe('the filters directors use, on the page /offres', () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('shows each filter with its counts and the active ones as removable chips', async () => {
    const page = await app.inject({ url: '/offres?theme=culture&slot=mercredi-journee&age_min=3&age_max=6&available_from=2026-09-01&price=gratuit' });
    expect(page.statusCode).toBe(200);
    const body = text(page.body);
    expect(body).toContain('1 offre');
    expect(body).toContain('Lectures chez vous');
    expect(page.body).toMatch(/id="facet-slot-mercredi-matin"/);
    expect(page.body).toMatch(/id="facet-subtheme-lecture-ecriture"/);
    expect(page.body).toMatch(/id="f-age-min" name="age_min" min="3" max="17" inputmode="numeric" value="3"/);
    expect(page.body).toMatch(/id="f-from" name="available_from" value="2026-09-01"/);
    for (const chip of ['Culture et arts', 'Mercredi journée', 'De 3 à 6 ans', 'À partir du 01/09/2026', 'Gratuit']) expect(body).toContain(chip);
  });

  it('lists, for a signed-in ACM, the offers that come to it', async () => {
    const { agent, acm } = await acmWithMember(app, { name: 'Les Pitchouns' });
    const page = await agent.get('/offres?vient=1');
    const body = text(page.body);
    expect(body).toContain('Vient dans mon accueil (Les Pitchouns)');
    expect(body).toContain('2 offres');
    expect(body).toContain('Lectures chez vous');
    expect(body).toContain('Sport santé dans tout le Rhône');
    expect(body).not.toContain('Conte à Villefranche');
    expect(acm.codeInsee).toBe('69382');
    // Without an ACM account, the filter explains itself instead of failing.
    const anonymous = text((await app.inject({ url: '/offres?vient=1' })).body);
    expect(anonymous).toContain('Connectez-vous avec le compte d’un accueil');
  });

  it('turns a bad age range or period into a French message beside the results', async () => {
    const body = text((await app.inject({ url: '/offres?age_min=11&age_max=8' })).body);
    expect(body).toContain('le second âge doit être au moins égal au premier');
    const dates = text((await app.inject({ url: '/offres?available_from=2027-02-01&available_to=2027-01-01' })).body);
    expect(dates).toContain('la date de fin doit suivre la date de début');
  });

  it('offers the nearest ways out of zero results, with exact counts, as links', async () => {
    const page = await app.inject({ url: '/offres?theme=sport&slot=mercredi-apres-midi&lieu=Lyon&near=45.74637,4.82649&radius_km=5' });
    const body = text(page.body);
    expect(body).toContain('Aucune offre');
    // Within 5 km of Lyon 2e: the judo is the only sport offer, the dance the only afternoon one.
    expect(body).toContain('Sans le filtre Mercredi après-midi : 1 offre');
    expect(body).toContain('Sans le filtre Sport : 1 offre');
    expect(page.body).toMatch(/<a href="\/offres\?theme=sport&amp;lieu=Lyon&amp;near=45.74637%2C4.82649&amp;radius_km=5" data-hx-get=/);
    const far = text((await app.inject({ url: '/offres?theme=sport&lieu=Villefranche-sur-Sa%C3%B4ne&radius_km=5' })).body);
    expect(far).toContain('Élargir à 30 km : 1 offre');
    expect(far).toContain('Partout, sans le lieu : 2 offres');
  });
});
