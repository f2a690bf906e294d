import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offers } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';
import { alongParallel } from '../search/contract.js';

let app: App;
let judoId: number;
let draftId: number;
let clubId: number;

beforeAll(async () => {
  app = await createTestApp();
  const club = await createOrganisation(app, {
    name: 'Judo Club Vénissieux',
    type: 'club-sportif',
    codeInsee: '69259',
    lat: 45.6974,
    lng: 4.8886,
    themes: ['sport'],
  });
  clubId = club.id;
  const library = await createOrganisation(app, { name: 'Médiathèque du 8e', type: 'bibliotheque' });
  judoId = (
    await insertOffer(app, club.id, {
      title: 'Initiation au judo',
      summary: 'Découvrir le judo en s’amusant',
      themes: ['sport'],
      subthemes: ['sports-de-combat'],
      codeInsee: '69259',
      lat: 45.6974,
      lng: 4.8886,
      ageMin: 6,
      ageMax: 10,
    })
  ).id;
  await insertOffer(app, library.id, { title: 'Heure du conte', themes: ['culture'], subthemes: ['lecture-ecriture'], ageMin: 3, ageMax: 6 });
  await insertOffer(app, library.id, {
    title: 'Lectures dans votre accueil',
    themes: ['culture'],
    venue: 'dans-l-accueil',
    travelKm: 40,
    departmentsServed: ['69'],
    ageMin: 6,
    ageMax: 11,
  });
  draftId = (await insertOffer(app, library.id, { title: 'Brouillon secret', status: 'draft', publishedAt: null })).id;
  await syncSearch(app);
});
afterAll(async () => {
  await app.close();
});

describe('GET /api/v1/offers', () => {
  it('returns the contract shape with items, facets and distances', async () => {
    const response = await app.inject({ url: '/api/v1/offers?near=45.70,4.89&radius_km=5&sort=distance' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['facets', 'items', 'page', 'per_page', 'total']);
    expect(body.total).toBe(2);
    const [first] = body.items;
    expect(first).toMatchObject({
      id: judoId,
      title: 'Initiation au judo',
      url: `http://localhost:3000/offres/${judoId}-initiation-au-judo`,
      themes: ['sport'],
      subthemes: ['sports-de-combat'],
      venue: 'chez-le-partenaire',
      age_min: 6,
      age_max: 10,
      price: 'gratuit',
      organisation: { id: clubId, name: 'Judo Club Vénissieux', type: 'club-sportif' },
      location: { code_insee: '69259', department: '69' },
    });
    expect(first.distance_km).toBeLessThan(1);
    expect(body.items[1].title).toBe('Lectures dans votre accueil');
    expect(Object.keys(body.facets).sort()).toEqual(['accessibility', 'age_band', 'format', 'org_type', 'price', 'slot', 'subtheme', 'theme', 'venue']);
    expect(body.facets.theme).toMatchObject({ sport: 1, culture: 1 });
  });

  it('counts facets disjunctively: a ticked theme still shows the other themes’ counts', async () => {
    const body = (await app.inject({ url: '/api/v1/offers?theme=sport' })).json();
    expect(body.total).toBe(1);
    expect(body.facets.theme).toMatchObject({ sport: 1, culture: 2 });
    expect(body.facets.age_band).toMatchObject({ '6-8': 1, '9-11': 1, '3-5': 0 });
  });

  it('never shows unpublished offers', async () => {
    const body = (await app.inject({ url: '/api/v1/offers?q=brouillon' })).json();
    expect(body.total).toBe(0);
    expect((await app.inject({ url: `/api/v1/offers/${draftId}` })).statusCode).toBe(404);
    const detail = (await app.inject({ url: `/api/v1/offers/${judoId}` })).json();
    expect(detail).toMatchObject({ id: judoId, age_bands: ['6-8', '9-11'], description: '' });
  });

  it('keeps an offer at both ends of its age range, and not one year beyond', async () => {
    const titles = async (age: number) =>
      ((await app.inject({ url: `/api/v1/offers?age=${age}` })).json().items as { title: string }[]).map((i) => i.title).sort();
    expect(await titles(2)).toEqual([]);
    expect(await titles(3)).toEqual(['Heure du conte']);
    expect(await titles(6)).toEqual(['Heure du conte', 'Initiation au judo', 'Lectures dans votre accueil']);
    expect(await titles(7)).toEqual(['Initiation au judo', 'Lectures dans votre accueil']);
    expect(await titles(10)).toEqual(['Initiation au judo', 'Lectures dans votre accueil']);
    expect(await titles(11)).toEqual(['Lectures dans votre accueil']);
    expect(await titles(12)).toEqual([]);
  });

  it('brings an offer that travels to a point within its travel distance only, whatever the search radius', async () => {
    const [lectures] = ((await app.inject({ url: '/api/v1/offers?q=lectures' })).json().items as { id: number }[]).map((i) => i.id);
    const [row] = await app.deps.db.select({ lat: offers.lat, lng: offers.lng }).from(offers).where(eq(offers.id, lectures!));
    const base = { lat: row!.lat!, lng: row!.lng! };
    const found = async (point: { lat: number; lng: number }, radiusKm: number) =>
      ((await app.inject({ url: `/api/v1/offers?near=${point.lat},${point.lng}&radius_km=${radiusKm}` })).json().items as { id: number }[]).some(
        (i) => i.id === lectures,
      );
    expect(await found(alongParallel(base, 38), 1)).toBe(true);
    expect(await found(alongParallel(base, -38), 1)).toBe(true);
    expect(await found(alongParallel(base, 45), 10)).toBe(false);
  });

  it('answers 400 naming the bad parameter, never a 500', async () => {
    const cases: [string, string][] = [
      ['radius_km=-1&near=45.7,4.8', 'radius_km'],
      ['bbox=10,41,-5,51', 'bbox'],
      ['bbox=-5,41,10', 'bbox'],
      ['bbox=-5,-95,10,51', 'bbox'],
      ['age=abc', 'age'],
      ['per_page=10000', 'per_page'],
      ['page=0', 'page'],
      ['theme=astrologie', 'theme'],
      ['theme=sport&theme=nope', 'theme'],
      ['near=45.7', 'near'],
      ['near=95,4.8&radius_km=3', 'near'],
      ['near=45.7,4.8', 'radius_km'],
      ['sort=cheapest', 'sort'],
      ['commune=99999', 'commune'],
      ['department=999', 'department'],
      ['venue=dehors', 'venue'],
      ['unknown=1', 'unknown'],
      [`q=${'x'.repeat(300)}`, 'q'],
    ];
    for (const [query, parameter] of cases) {
      const response = await app.inject({ url: `/api/v1/offers?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toMatchObject({ error: 'invalid_parameter', parameter });
      expect(response.json().message, query).toContain(parameter);
    }
  });

  it('answers a badly encoded address with a French 400, in JSON on the API', async () => {
    const api = await app.inject({ url: '/api/v1/offers/%ZZ' });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('mal encodé') });
    const page = await app.inject({ url: '/offres/%ZZ' });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Cette adresse contient un caractère mal encodé');
  });

  it('treats SQL or unicode junk in q as text', async () => {
    for (const q of ["' OR 1=1; DROP TABLE offers; --", '"; select pg_sleep(10); --', '💥🧨', '\u202e\u0000', '%', 'judo\\']) {
      const response = await app.inject({ url: `/api/v1/offers?q=${encodeURIComponent(q)}` });
      expect(response.statusCode, q).toBe(200);
    }
    expect((await app.inject({ url: `/api/v1/offers?q=${encodeURIComponent('judo\\')}` })).json().total).toBe(1);
  });

  it('sends an ETag and answers 304 when nothing changed', async () => {
    const first = await app.inject({ url: '/api/v1/offers?theme=culture' });
    expect(first.headers['cache-control']).toContain('max-age');
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await app.inject({ url: '/api/v1/offers?theme=culture', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });
});

describe('other API endpoints', () => {
  it('lists partner organisations with the place filters, and one with its offers', async () => {
    const near = (await app.inject({ url: '/api/v1/organisations?near=45.6974,4.8886&radius_km=2' })).json();
    expect(near.items.map((o: { name: string }) => o.name)).toEqual(['Judo Club Vénissieux']);
    const typed = (await app.inject({ url: '/api/v1/organisations?org_type=bibliotheque' })).json();
    expect(typed.total).toBe(1);
    const one = (await app.inject({ url: `/api/v1/organisations/${clubId}` })).json();
    expect(one.offers.map((o: { title: string }) => o.title)).toEqual(['Initiation au judo']);
    expect((await app.inject({ url: '/api/v1/organisations?bbox=1,2,0,3' })).json()).toMatchObject({ parameter: 'bbox' });
  });

  it('returns GeoJSON for the map with the same filters', async () => {
    const map = (await app.inject({ url: '/api/v1/map?bbox=4.5,45.5,5.2,46&zoom=14&theme=sport' })).json();
    expect(map.type).toBe('FeatureCollection');
    expect(map.features).toHaveLength(1);
    expect(map.features[0].properties).toMatchObject({ cluster: false, id: judoId, title: 'Initiation au judo' });
    const far = (await app.inject({ url: '/api/v1/map?bbox=-5,41,10,51&zoom=5' })).json();
    expect(far.clustered).toBe(true);
    expect(far.features.reduce((s: number, f: { properties: { count: number } }) => s + f.properties.count, 0)).toBe(3);
    expect((await app.inject({ url: '/api/v1/map?zoom=5' })).json()).toMatchObject({ parameter: 'bbox' });
  });

  it('documents the API only at /api/docs', async () => {
    const spec = (await app.inject({ url: '/api/docs/json' })).json();
    const paths = Object.keys(spec.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/offers', '/api/v1/offers/{id}', '/api/v1/map', '/api/v1/organisations', '/api/v1/organisations/{id}']),
    );
    expect(paths.every((p) => p.startsWith('/api/v1/'))).toBe(true);
    expect((await app.inject({ url: '/api/docs' })).statusCode).toBeLessThan(400);
  });
});

describe('search and territory pages', () => {
  it('renders the search page with facets, counts, distances and why it matched', async () => {
    const page = await app.inject({ url: '/offres?q=combat&lieu=V%C3%A9nissieux&radius_km=10' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Initiation au judo');
    expect(page.body).toContain('sous-thème « Sports de combat »');
    expect(page.body).toMatch(/à 0,\d&nbsp;km/);
    expect(page.body).toContain('Autour de Vénissieux (10 km)');
    expect(page.body).toMatch(/Sport&nbsp;<span class="facet-count">\(1<span class="visually-hidden"> offre<\/span>\)/);
  });

  it('suggests sub-themes and titles while typing', async () => {
    const response = await app.inject({ url: '/offres/suggestions?q=comb' });
    expect(response.body).toContain('<option value="Sports de combat">');
    expect((await app.inject({ url: '/offres/suggestions?q=initiat' })).body).toContain('<option value="Initiation au judo">');
  });

  it('works as a plain GET form with empty fields, and answers htmx with the results fragment', async () => {
    const plain = await app.inject({ url: '/offres?q=&lieu=&radius_km=20&age=&sort=relevance&theme=culture' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toContain('2\u00a0offres');
    const fragment = await app.inject({ url: '/offres?theme=sport', headers: { 'hx-request': 'true', 'hx-target': 'search-results' } });
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).toContain('id="search-results"');
    const unknownPlace = await app.inject({ url: '/offres?lieu=Zzzzxq' });
    expect(unknownPlace.body).toContain('Lieu introuvable');
  });

  it('answers the results fragment only to htmx asking for #search-results, as one element the swap replaces whole', async () => {
    const fragment = await app.inject({
      url: '/offres?theme=sport',
      headers: { 'hx-request': 'true', 'hx-target': 'search-results', 'hx-trigger': 'search-form' },
    });
    expect(fragment.body.trimStart()).toMatch(/^<div id="search-results"/);
    expect(fragment.body.match(/id="search-results"/g)).toHaveLength(1);
    expect(fragment.body).not.toContain('id="search-bar"');
    expect(fragment.headers.vary).toContain('HX-Target');
    expect(fragment.headers.vary).toContain('HX-Trigger');
    expect(fragment.headers['cache-control']).toBe('private, no-cache');
    const page = await app.inject({ url: '/offres?theme=sport' });
    expect(page.headers.vary).toContain('HX-Request');
    expect(page.body.match(/id="search-results"/g)).toHaveLength(1);
    expect(page.body).toMatch(/hx-target="#search-results" data-hx-swap="outerHTML"/);
    for (const headers of [
      { 'hx-request': 'true' },
      { 'hx-request': 'true', 'hx-history-restore-request': 'true' },
      { 'hx-request': 'true', 'hx-boosted': 'true', 'hx-target': 'search-results' },
    ]) {
      expect((await app.inject({ url: '/offres?theme=sport', headers })).body).toContain('<html');
    }
  });

  it('sends the search bar again, out of band, when a link (not the form) updated the results, so a removed filter leaves the form too', async () => {
    const fromLink = { 'hx-request': 'true', 'hx-target': 'search-results' };
    for (const path of ['/offres', '/carte']) {
      const fragment = (await app.inject({ url: `${path}?theme=sport&radius_km=10&lieu=V%C3%A9nissieux&age=9`, headers: fromLink })).body;
      const bar = fragment.slice(fragment.indexOf('<div class="search-bar" id="search-bar" data-hx-swap-oob="true">'));
      expect(bar, path).toMatch(/^<div class="search-bar" id="search-bar" data-hx-swap-oob="true">/);
      expect(bar, path).toContain('id="f-q" name="q" value=""');
      expect(bar, path).toContain('name="lieu" value="Vénissieux"');
      expect(bar, path).toContain('<option value="10" selected>10 km</option>');
      expect(bar, path).toContain('<input type="hidden" name="age" value="9">');
      const withoutPlace = (await app.inject({ url: `${path}?q=judo`, headers: fromLink })).body;
      expect(withoutPlace, path).toContain('id="f-q" name="q" value="judo"');
      expect(withoutPlace, path).toContain('name="lieu" value=""');
      expect(withoutPlace, path).not.toContain('name="age"');
    }
    const page = (await app.inject({ url: '/offres?theme=sport' })).body;
    expect(page).toContain('<div class="search-bar" id="search-bar">');
    expect(page).not.toContain('data-hx-swap-oob');
  });

  it('names a point given without a place after its nearest commune, so its chip removes it and the form keeps it', async () => {
    const page = (await app.inject({ url: '/offres?near=45.6974,4.8886&radius_km=10' })).body;
    expect(page).toContain('Autour de Vénissieux (10 km)');
    expect(page).toContain('name="lieu" value="Vénissieux (69200)"');
    expect(page).toContain('name="near" value="45.6974,4.8886"');
    expect(page).toContain(`/offres/${judoId}-initiation-au-judo`);
    expect(page).toMatch(/<a class="chip" href="\/offres"[^>]*>Autour de Vénissieux/);
    const atSea = (await app.inject({ url: '/offres?near=46.5,-6.5&radius_km=5' })).body;
    expect(atSea).toContain('Autour de 46.5, -6.5 (5 km)');
    const notAPoint = await app.inject({ url: '/offres?near=46.5&radius_km=5' });
    expect(notAPoint.statusCode).toBe(200);
    expect(notAPoint.body).not.toContain('Autour de 46.5');
    expect(notAPoint.body).toContain('Le critère « lieu » a été ignoré\u00a0: point attendu sous la forme « latitude,longitude » (ex.\u00a045.76,4.83).');
    expect((await app.inject({ url: '/offres?q=judo&per_page=999' })).body).toContain('Le critère « offres par page » a été ignoré');
    // A point with a third number is no point: the place field does not name one either.
    const threeNumbers = (await app.inject({ url: '/offres?near=45.76,4.83,9&radius_km=5' })).body;
    expect(threeNumbers).toContain('Le critère « lieu » a été ignoré\u00a0: point attendu sous la forme « latitude,longitude »');
    expect(threeNumbers).not.toContain('value="Lyon');
    expect(threeNumbers).not.toMatch(/class="chip"[^>]*>Autour de/);
  });

  it('drops only the criterion a link carries wrong, and keeps applying the others', async () => {
    const judo = `/offres/${judoId}-initiation-au-judo`;
    const badPageSize = (await app.inject({ url: '/offres?q=judo&per_page=999' })).body;
    expect(badPageSize).toContain('Le critère « offres par page » a été ignoré\u00a0: nombre entier entre 1 et 100 attendu.');
    expect(badPageSize).toContain(judo);
    expect(badPageSize).not.toContain('Heure du conte');
    const badPlace = (await app.inject({ url: '/offres?theme=culture&near=91,4.83&radius_km=5' })).body;
    expect(badPlace).toContain('Le critère « lieu » a été ignoré\u00a0: latitude entre -90 et 90 attendue.');
    expect(badPlace).toContain('Heure du conte');
    expect(badPlace).not.toContain(judo);
    // Two wrong at once: both are named and dropped, the words still apply.
    const twoWrong = (await app.inject({ url: '/offres?q=conte&page=0&sort=nearest' })).body;
    expect(twoWrong).toContain('Le critère « page » a été ignoré\u00a0: nombre entier entre 1 et 1000 attendu.');
    expect(twoWrong).toContain('Le critère « trier par » a été ignoré\u00a0: valeur inconnue (nearest).');
    expect(twoWrong).toContain('1\u00a0offre pour « conte »');
    // Neither is carried on by the page's links and form, so the next click does not meet them again.
    expect(twoWrong).not.toMatch(/sort=nearest|value="nearest"/);
    expect(twoWrong).not.toMatch(/page=0\b/);
    // A typed criterion stays in its field, to be mended.
    // An impossible range is ignored whole: « de 11 à 8 ans » is not read as « from 11 ».
    const badAges = (await app.inject({ url: '/offres?age_min=11&age_max=8&theme=sport' })).body;
    expect(badAges).toContain('Âge des enfants\u00a0: le second âge doit être au moins égal au premier. Le critère a été ignoré.');
    expect(badAges).toContain(judo);
    expect(badAges).toMatch(/name="age_max"[^>]*value="8"/);
    expect(twoWrong).not.toContain(judo);
    // A malformed code in a list of départements is named with the form expected; the valid code still applies.
    const badDepartment = (await app.inject({ url: '/offres?department=69&department=rhone' })).body;
    expect(badDepartment).toContain('Le critère « département » a été ignoré\u00a0: code de département attendu (ex.\u00a069, 2A ou 974).');
    expect(badDepartment).toContain(judo);
    expect(badDepartment).not.toContain('department=rhone');
    const badDate = (await app.inject({ url: '/offres?q=judo&available_from=5-1-2027' })).body;
    expect(badDate).toContain('Le critère « disponible à partir du » a été ignoré\u00a0: date attendue sous la forme AAAA-MM-JJ.');
    expect(badDate).toContain(judo);
    // A wrong radius falls back to the form's own (20 km) around the same place.
    const badRadius = (await app.inject({ url: '/offres?near=45.6974,4.8886&radius_km=abc' })).body;
    expect(badRadius).toContain('Le critère « rayon » a été ignoré\u00a0: nombre de kilomètres jusqu’à 1000 attendu.');
    expect(badRadius).toContain('Autour de Vénissieux (20 km)');
    expect(badRadius).toContain(judo);
    // Words too long for a search, from a link: the page names them and their limit, and the theme still applies.
    const longWords = await app.inject({ url: `/offres?theme=sport&q=${encodeURIComponent('judo '.repeat(100))}` });
    expect(longWords.statusCode).toBe(200);
    expect(longWords.body).toContain('Le critère « mots-clés » a été ignoré\u00a0: 200 caractères au maximum.');
    expect(longWords.body).toContain(judo);
    expect(longWords.body).not.toContain('Heure du conte');
    expect(longWords.body).toMatch(/name="q"[^>]*value="judo judo/);
    // They stay in the field to be mended, but no chip offers to remove a filter that does not apply.
    expect(longWords.body).not.toMatch(/class="chip"[^>]*>« judo/);
    // Long words that do apply get a chip cut short, and its way out names them the same.
    const longest = `${'x'.repeat(60)} judo`;
    const clippedChip = (await app.inject({ url: `/offres?q=${encodeURIComponent(longest)}` })).body;
    expect(clippedChip).toMatch(/class="chip"[^>]*>« x{39}… »/);
    // An unknown value of a list (an old link's theme) is dropped alone, and said: the other themes still apply.
    const unknownTheme = (await app.inject({ url: '/offres?theme=sport&theme=foo' })).body;
    expect(unknownTheme).toContain('Le critère « thème » a été ignoré\u00a0: valeur inconnue (foo).');
    expect(unknownTheme).toContain(judo);
    expect(unknownTheme).not.toContain('Heure du conte');
    expect(unknownTheme).not.toContain('theme=foo');
    expect((await app.inject({ url: '/offres?theme=foo' })).body).toContain('Le critère « thème » a été ignoré\u00a0: valeur inconnue (foo).');
    // Two unknown values of one list: each is named.
    const twoThemes = (await app.inject({ url: '/offres?theme=culture&theme=foo&theme=bar' })).body;
    expect(twoThemes).toContain('valeur inconnue (foo).');
    expect(twoThemes).toContain('valeur inconnue (bar).');
    expect(twoThemes).toContain('Heure du conte');
    // Many: the first three are named, then how many more.
    const manyThemes = (await app.inject({ url: `/offres?theme=culture&${['a', 'b', 'c', 'd', 'e'].map((t) => `theme=${t}`).join('&')}` })).body;
    expect(manyThemes).toContain('valeur inconnue (c). 2 autres critères ont été ignorés.');
    expect(manyThemes).not.toContain('valeur inconnue (d)');
    expect(manyThemes).toContain('Heure du conte');
    // However many values are unknown, the words still apply.
    const manyUnknown = (await app.inject({ url: '/offres?q=judo&theme=a&theme=b&theme=c&theme=d&format=e&format=f' })).body;
    expect(manyUnknown).toContain('Le critère « thème » a été ignoré\u00a0: valeur inconnue (a).');
    expect(manyUnknown).toContain(judo);
    expect(manyUnknown).not.toContain('Heure du conte');
    const oldAge = (await app.inject({ url: '/offres?age=200&theme=sport' })).body;
    expect(oldAge).toContain('Le critère « âge » a été ignoré\u00a0: nombre entier entre 0 et 99 attendu.');
    expect(oldAge).toContain(judo);
  });

  it('explains that sorting by distance needs a place, and sorts by relevance meanwhile', async () => {
    const page = await app.inject({ url: '/offres?q=judo&sort=distance' });
    expect(page.body).toContain('Pour trier par distance, indiquez une commune');
    expect(page.body).toContain('triées par pertinence');
    const located = await app.inject({ url: '/offres?q=judo&sort=distance&lieu=V%C3%A9nissieux&radius_km=10' });
    expect(located.body).toContain(`/offres/${judoId}-initiation-au-judo`);
    expect(located.body).not.toContain('Pour trier par distance');
  });

  it('shows the map page and the territory pages with counts per theme and links up and down', async () => {
    const map = (await app.inject({ url: '/carte?theme=sport' })).body;
    expect(map).toContain('1\u00a0offre</strong> correspond.');
    expect(map).toContain('Voir cette offre en liste</a>');
    const empty = (await app.inject({ url: '/carte?theme=sport&q=zzzzzz' })).body;
    expect(empty).toContain('Aucune offre</strong>.');
    expect(empty).toContain('Voir la recherche en liste</a>');
    const index = await app.inject({ url: '/territoires' });
    expect(index.body).toContain('/territoires/auvergne-rhone-alpes');
    // French order, not the database's byte order (which puts « Île-de-France » after « Provence… »).
    const regionOrder = ['Hauts-de-France', 'Île-de-France', 'La Réunion', 'Normandie'].map((name) => index.body.indexOf(`>${name}<`));
    expect(regionOrder.every((at) => at > 0)).toBe(true);
    expect(regionOrder).toEqual([...regionOrder].sort((x, y) => x - y));
    const region = await app.inject({ url: '/territoires/auvergne-rhone-alpes' });
    expect(region.statusCode).toBe(200);
    expect(region.body).toContain('/territoires/departements/69');
    const department = await app.inject({ url: '/territoires/departements/69' });
    expect(department.body).toContain('/territoires/communes/69259');
    expect(department.body).toContain('Judo Club Vénissieux');
    const commune = await app.inject({ url: '/territoires/communes/69259' });
    expect(commune.body).toContain('Initiation au judo');
    expect(commune.body).toContain('href="/territoires/departements/69"');
    expect(commune.body).toMatch(/<th scope="row"><a href="[^"]+theme=sport">Sport<\/a><\/th><td>1<\/td>/);
    expect((await app.inject({ url: '/territoires/nulle-part' })).statusCode).toBe(404);
  });

  it('offers "mon accueil" to a signed-in ACM member, and ignores another ACM for anyone else', async () => {
    const director = await createUser(app);
    const acm = await createOrganisation(app, {
      kind: 'acm',
      name: 'Accueil des Minguettes',
      codeInsee: '69259',
      lat: 45.71,
      lng: 4.87,
      memberIds: [director.id],
    });
    const agent = await signedInAgent(app, director);
    const form = await agent.get('/offres');
    expect(form.body).toContain('Ou autour de mon accueil');
    expect(form.body).toContain('Accueil des Minguettes');
    const near = await agent.get(`/offres?accueil=${acm.id}&radius_km=5`);
    expect(near.body).toContain('Autour de l’Accueil des Minguettes (5 km)');
    expect(near.body).toContain('Initiation au judo');
    expect(near.body).not.toContain('Heure du conte');
    const visitor = await app.inject({ url: `/offres?accueil=${acm.id}&radius_km=5` });
    expect(visitor.body).not.toContain('Accueil des Minguettes');
    expect(visitor.body).toContain('Heure du conte');
    const stranger = await signedInAgent(app);
    expect((await stranger.get(`/offres?accueil=${acm.id}&radius_km=5`)).body).not.toContain('Accueil des Minguettes');
  });
});
