import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { acmWithMember, needForm, partnerWithMember } from '../helpers/matching.js';
import { syncSearch } from '../helpers/search.js';

const LYON_METROPOLE = '200046977';

let app: App;
let partner: Awaited<ReturnType<typeof partnerWithMember>>;

beforeAll(async () => {
  app = await createTestApp();
  partner = await partnerWithMember(app);
  // Villeurbanne is in the Métropole de Lyon; Villefranche-sur-Saône, in the Rhône too, is not.
  const villeurbanne = await acmWithMember(app, { name: 'Accueil de Villeurbanne', codeInsee: '69266', lat: 45.7719, lng: 4.8902 });
  const villefranche = await acmWithMember(app, { name: 'Accueil de Villefranche', codeInsee: '69264', lat: 45.9897, lng: 4.7186 });
  expect((await villeurbanne.agent.post('/besoins', needForm({ title: 'Théâtre à Villeurbanne' }))).statusCode).toBe(303);
  expect((await villefranche.agent.post('/besoins', needForm({ title: 'Théâtre à Villefranche' }))).statusCode).toBe(303);
  await syncSearch(app);
});
afterAll(async () => {
  await app.close();
});

describe('the needs search by intercommunalité (epci=)', () => {
  it('lists only the needs of ACMs in the EPCI, with a chip that removes the filter', async () => {
    const all = await partner.agent.get('/besoins');
    expect(all.body).toContain('Théâtre à Villefranche');
    const page = await partner.agent.get(`/besoins?epci=${LYON_METROPOLE}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('1\u00a0besoin ouvert');
    expect(page.body).toContain('Théâtre à Villeurbanne');
    expect(page.body).not.toContain('Théâtre à Villefranche');
    expect(page.body).toMatch(/<a[^>]*href="\/besoins"[^>]*>[^<]*Métropole de Lyon/);
    // The search form carries it, so that the next search (a facet, a place) keeps it.
    expect(page.body).toMatch(new RegExp(`<form id="search-form"[\\s\\S]*<input type="hidden" name="epci" value="${LYON_METROPOLE}">[\\s\\S]*</form>`));
    const withTheme = await partner.agent.get(`/besoins?epci=${LYON_METROPOLE}&theme=sport`);
    expect(withTheme.body).toContain('Aucun besoin ouvert');
  });

  it('filters the map of the needs the same way', async () => {
    const map = await partner.agent.get(`/besoins/carte.json?epci=${LYON_METROPOLE}`);
    expect(map.statusCode).toBe(200);
    const titles = (JSON.parse(map.body) as { features: { properties: { title: string } }[] }).features.map((f) => f.properties.title);
    expect(titles).toEqual(['Théâtre à Villeurbanne']);
  });

  it('names epci for a malformed or unknown code: a message on the page, a 400 on the map', async () => {
    const malformed = await partner.agent.get('/besoins?epci=lyon');
    expect(malformed.statusCode).toBe(200);
    expect(malformed.body).toContain('Le critère « intercommunalité » a été ignoré\u00a0: numéro SIREN à 9 chiffres attendu.');
    // Only that criterion goes: the words still narrow the list.
    const withWords = await partner.agent.get('/besoins?epci=lyon&q=villefranche');
    expect(withWords.body).toContain('Le critère « intercommunalité » a été ignoré\u00a0: numéro SIREN à 9 chiffres attendu.');
    expect(withWords.body).toContain('Théâtre à Villefranche');
    expect(withWords.body).not.toContain('Théâtre à Villeurbanne');
    const unknown = await partner.agent.get('/besoins?epci=123456789');
    expect(unknown.body).toContain('Le critère « intercommunalité » a été ignoré\u00a0: intercommunalité inconnue (123456789).');
    for (const value of ['lyon', '123456789', '2000469771']) {
      const map = await partner.agent.get(`/besoins/carte.json?epci=${value}`);
      expect(map.statusCode, value).toBe(400);
      expect(JSON.parse(map.body), value).toMatchObject({ error: 'invalid_parameter', parameter: 'epci' });
    }
  });

  it('answers the map in JSON even when the query itself is malformed', async () => {
    const tooLong = await partner.agent.get(`/besoins/carte.json?q=${'x'.repeat(2001)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.headers['content-type']).toContain('application/json');
    expect(JSON.parse(tooLong.body)).toMatchObject({ error: 'invalid_parameter', parameter: 'q' });
    // The page itself names words too long from a link, and lists the needs without them.
    const longWords = await partner.agent.get(`/besoins?q=${'x'.repeat(301)}`);
    expect(longWords.statusCode).toBe(200);
    expect(longWords.body).toContain('Le critère « mots-clés » a été ignoré\u00a0: 200 caractères au maximum.');
    expect(longWords.body).not.toMatch(/class="chip"[^>]*>« x/);
  });
});
