import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { STATISTICS_JOB } from '../../server/observatory/jobs.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { insertOffer } from '../helpers/search.js';

let app: App;
const themes = ['culture', 'sport', 'environnement', 'sciences', 'citoyennete', 'sante', 'langues', 'jeux'];

/** A seeded pseudo-random generator: the generated territory is the same at every run. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

beforeAll(async () => {
  app = await createTestApp();
  const next = random(42);
  // ACMs in 12 communes of the Ain (01), one of them twice.
  const communes = await rows<{ code: string; lat: number; lng: number }>(
    app.deps.db,
    sql`select code_insee as code, lat, lng from communes where department_code = '01' order by population desc limit 12`,
  );
  for (const [i, c] of communes.entries()) {
    await createOrganisation(app, { kind: 'acm', name: `Accueil ${i}`, codeInsee: c.code, lat: Number(c.lat), lng: Number(c.lng) });
  }
  await createOrganisation(app, {
    kind: 'acm',
    name: 'Accueil bis',
    codeInsee: communes[0]!.code,
    lat: Number(communes[0]!.lat),
    lng: Number(communes[0]!.lng),
  });
  const partner = await createOrganisation(app, { name: 'Partenaire de l’Ain' });
  const suspended = await createOrganisation(app, { name: 'Partenaire suspendu', status: 'suspended' });
  // 150 offers scattered over the Ain and around it, some that come to the ACM with a travel radius.
  const { lat, lng } = { lat: Number(communes[0]!.lat), lng: Number(communes[0]!.lng) };
  for (let i = 0; i < 150; i++) {
    const comes = next() < 0.3;
    await insertOffer(app, i % 25 === 0 ? suspended.id : partner.id, {
      title: `Offre générée ${i}`,
      themes: [themes[Math.floor(next() * themes.length)]!, ...(next() < 0.3 ? [themes[Math.floor(next() * themes.length)]!] : [])].filter(
        (t, k, all) => all.indexOf(t) === k,
      ),
      lat: lat + (next() - 0.5) * 1.4,
      lng: lng + (next() - 0.5) * 1.8,
      codeInsee: communes[Math.floor(next() * communes.length)]!.code,
      venue: comes ? 'dans-l-accueil' : 'chez-le-partenaire',
      travelKm: comes ? Math.round(5 + next() * 40) : null,
      status: i % 17 === 0 ? 'draft' : 'published',
    });
  }
});
afterAll(async () => {
  await app.close();
});

interface PageCell {
  indicateur: string;
  ligne: string;
  colonne: string;
  valeur: string;
}

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();

/** Every cell of the page's indicator tables, as the CSV names them. */
function pageCells(html: string): PageCell[] {
  const cells: PageCell[] = [];
  for (const table of html.matchAll(/<table class="[^"]*stat-table[^"]*"[^>]*>([\s\S]*?)<\/table>/g)) {
    const caption = decode(/<caption>([\s\S]*?)<\/caption>/.exec(table[1]!)![1]!).replace(/ — [^—]*$/, '');
    const headers = [.../<thead>([\s\S]*?)<\/thead>/.exec(table[1]!)![1]!.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => decode(m[1]!));
    for (const row of /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!)![1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
      const label = decode(/<th scope="row">([\s\S]*?)<\/th>/.exec(row[1]!)![1]!);
      [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].forEach((td, i) => {
        cells.push({ indicateur: caption, ligne: label, colonne: headers[i + 1]!, valeur: decode(td[1]!) });
      });
    }
  }
  return cells;
}

function coverageOnPage(cells: PageCell[], column: string) {
  return new Map(cells.filter((c) => c.indicateur.startsWith('Couverture') && c.colonne === column).map((c) => [/\((\w+)\)$/.exec(c.ligne)![1]!, c.valeur]));
}

const shown = (n: number) => (n > 0 && n < 5 ? '< 5' : String(n));

describe('public statistics of a territory', () => {
  it('counts, for each commune with an ACM, the offers that can serve it as a brute-force count does', async () => {
    const response = await app.inject({ method: 'GET', url: '/territoires/departements/01/statistiques' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1>Statistiques : Ain\u00a0(01)</h1>');
    // Every (ACM commune, published offer of a partner not suspended) pair, with PostgreSQL's own distance.
    const expected = await rows<{ code: string; acms: number; offers: number; sport: number }>(
      app.deps.db,
      sql`with places as (
            select c.code_insee as code, c.lat, c.lng, count(*)::int as acms from organisations a join communes c on c.code_insee = a.code_insee
            where a.kind = 'acm' and c.department_code = '01' group by c.code_insee, c.lat, c.lng),
          published as (
            select o.* from offers o join organisations g on g.id = o.organisation_id where o.status = 'published' and g.status <> 'suspended')
          select p.code, p.acms,
            count(o.id) filter (where earth_distance(ll_to_earth(p.lat, p.lng), ll_to_earth(o.lat, o.lng)) <= 15000
              or (o.venue = 'dans-l-accueil' and earth_distance(ll_to_earth(p.lat, p.lng), ll_to_earth(o.lat, o.lng)) <= o.travel_km * 1000))::int as offers,
            count(o.id) filter (where 'sport' = any(o.themes) and (earth_distance(ll_to_earth(p.lat, p.lng), ll_to_earth(o.lat, o.lng)) <= 15000
              or (o.venue = 'dans-l-accueil' and earth_distance(ll_to_earth(p.lat, p.lng), ll_to_earth(o.lat, o.lng)) <= o.travel_km * 1000)))::int as sport
          from places p cross join published o group by p.code, p.acms`,
    );
    expect(expected).toHaveLength(12);
    expect(expected.some((e) => e.offers >= 5)).toBe(true);
    expect(expected.some((e) => e.sport === 0 || e.offers < 5)).toBe(true);
    const cells = pageCells(response.body);
    expect(coverageOnPage(cells, 'Offres accessibles')).toEqual(new Map(expected.map((e) => [e.code, shown(e.offers)])));
    expect(coverageOnPage(cells, 'Sport')).toEqual(new Map(expected.map((e) => [e.code, shown(e.sport)])));
    expect(coverageOnPage(cells, 'ACM')).toEqual(new Map(expected.map((e) => [e.code, shown(e.acms)])));
    const communesShown = [...new Set(cells.filter((c) => c.indicateur.startsWith('Couverture')).map((c) => c.ligne))];
    expect(communesShown).toEqual([...communesShown].sort((a, b) => a.localeCompare(b, 'fr')));
  });

  it('gives in the CSV download exactly the figures of the page, named with the territory and the Paris date', async () => {
    const page = await app.inject({ method: 'GET', url: '/territoires/departements/01/statistiques' });
    const csv = await app.inject({ method: 'GET', url: '/territoires/departements/01/statistiques.csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/filename="statistiques-ain-01-\d{4}-\d{2}-\d{2}\.csv"/);
    const records = readAsExcel(csv.rawPayload).map((r) => ({ indicateur: r.Indicateur!, ligne: r.Ligne!, colonne: r.Colonne!, valeur: r.Valeur! }));
    const cells = pageCells(page.body);
    expect(cells.length).toBeGreaterThan(100);
    expect(records).toEqual(cells);
  });

  it('shows counts from 1 to 4 as « < 5 », on the page, in its chart and in the CSV, and zero as zero', async () => {
    const partner = await createOrganisation(app, { name: 'Club du Cantal', codeInsee: '15014', lat: 44.926, lng: 2.444 });
    for (let i = 0; i < 3; i++) await insertOffer(app, partner.id, { themes: ['sport'], codeInsee: '15014', lat: 44.926, lng: 2.444 });
    for (let i = 0; i < 7; i++) await insertOffer(app, partner.id, { themes: ['culture'], codeInsee: '15014', lat: 44.926, lng: 2.444 });
    const page = await app.inject({ method: 'GET', url: '/territoires/departements/15/statistiques' });
    const themesOnPage = new Map(
      pageCells(page.body)
        .filter((c) => c.indicateur === 'Offres publiées par thème')
        .map((c) => [c.ligne, c.valeur]),
    );
    expect(themesOnPage.get('Sport')).toBe('< 5');
    expect(themesOnPage.get('Culture et arts')).toBe('7');
    expect(themesOnPage.get('Sciences et numérique')).toBe('0');
    expect(themesOnPage.get('Toutes les offres')).toBe('10');
    // The chart says no more than the table.
    const chart = /<div class="bars stat-chart"[\s\S]*?\n<\/div>/.exec(page.body)![0];
    expect(chart).toContain('&lt; 5');
    expect(chart).not.toMatch(/>3</);
    const csv = readAsExcel((await app.inject({ method: 'GET', url: '/territoires/departements/15/statistiques.csv' })).rawPayload);
    expect(csv.find((r) => r.Ligne === 'Sport' && r.Indicateur === 'Offres publiées par thème')?.Valeur).toBe('< 5');
    expect(csv.some((r) => r.Valeur === '3')).toBe(false);
  });

  it('serves stored figures until the job refreshes them', async () => {
    const before = await app.inject({ method: 'GET', url: '/territoires/communes/15014/statistiques' });
    const partner = await createOrganisation(app, { name: 'Club bis', codeInsee: '15014', lat: 44.926, lng: 2.444 });
    for (let i = 0; i < 5; i++) await insertOffer(app, partner.id, { themes: ['sciences'], codeInsee: '15014', lat: 44.926, lng: 2.444 });
    const cached = await app.inject({ method: 'GET', url: '/territoires/communes/15014/statistiques' });
    const sciences = (html: string) => pageCells(html).find((c) => c.indicateur === 'Offres publiées par thème' && c.ligne === 'Sciences et numérique')?.valeur;
    expect(sciences(before.body)).toBe('0');
    expect(sciences(cached.body)).toBe('0');
    app.deps.clock.advance(11 * 60_000);
    await app.deps.scheduler.runNow(STATISTICS_JOB);
    const refreshed = await app.inject({ method: 'GET', url: '/territoires/communes/15014/statistiques' });
    expect(sciences(refreshed.body)).toBe('5');
  });

  it('answers 404 for an unknown or malformed territory', async () => {
    expect((await app.inject({ method: 'GET', url: '/territoires/departements/00/statistiques' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/territoires/departements/abc/statistiques.csv' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/territoires/nulle-part/statistiques' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/territoires/auvergne-rhone-alpes/statistiques' })).statusCode).toBe(200);
  });
});
