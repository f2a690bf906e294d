import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { coverageMatrix } from '../../server/coordination/coverage.js';
import { COVERAGE_JOB } from '../../server/coordination/jobs.js';
import { ageBands, ageBandsFor, themes } from '../../server/kernel/taxonomy.js';
import { servesPoint } from '../../server/observatory/coverage.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer } from '../helpers/search.js';

let app: App;
let coordinator: Agent;
let places: { code: string; name: string; lat: number; lng: number }[];
const acmIds = new Map<string, number>();
let outsideAcmId: number;
const base = '/coordination/departement/01';
const themeSlugs = themes.map((t) => t.value as string);
const bands = ageBands.map((b) => ({ value: b.value as string, label: b.label, low: Number(b.value.split('-')[0]), high: Number(b.value.split('-')[1]) }));

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
  const next = random(7);
  // ACMs in 9 communes of the Ain (01), spread over the département; one commune has two.
  const all = await rows<{ code: string; name: string; lat: number; lng: number }>(
    app.deps.db,
    sql`select code_insee as code, name, lat, lng from communes where department_code = '01' order by population desc limit 60`,
  );
  places = all.filter((_, i) => i % 7 === 0).map((c) => ({ ...c, lat: Number(c.lat), lng: Number(c.lng) }));
  for (const [i, c] of places.entries()) {
    const acm = await createOrganisation(app, { kind: 'acm', name: `Accueil ${String.fromCharCode(65 + i)}`, codeInsee: c.code, lat: c.lat, lng: c.lng });
    acmIds.set(c.code, acm.id);
  }
  await createOrganisation(app, { kind: 'acm', name: 'Accueil Z bis', codeInsee: places[0]!.code, lat: places[0]!.lat, lng: places[0]!.lng });
  // A suspended ACM counts nowhere; an ACM of another département is outside.
  await createOrganisation(app, {
    kind: 'acm',
    name: 'Accueil suspendu',
    codeInsee: all[59]!.code,
    lat: Number(all[59]!.lat),
    lng: Number(all[59]!.lng),
    status: 'suspended',
  });
  outsideAcmId = (await createOrganisation(app, { kind: 'acm', name: 'Accueil de Lyon' })).id;
  const centre = places[0]!;
  const partner = await createOrganisation(app, { name: 'Partenaire de l’Ain', codeInsee: centre.code, lat: centre.lat, lng: centre.lng });
  const sport = await createOrganisation(app, { name: 'Club omnisport de l’Ain', codeInsee: centre.code, lat: centre.lat, lng: centre.lng });
  const suspended = await createOrganisation(app, { name: 'Partenaire suspendu', status: 'suspended', codeInsee: centre.code });
  // 160 offers scattered over the Ain and around it: every theme and age, some that come to the ACM with a travel radius.
  for (let i = 0; i < 160; i++) {
    const comes = next() < 0.35;
    const ageMin = 3 + Math.floor(next() * 12);
    const theme = themeSlugs[Math.floor(next() * themeSlugs.length)]!;
    const second = next() < 0.25 ? themeSlugs[Math.floor(next() * themeSlugs.length)]! : theme;
    await insertOffer(app, i % 31 === 0 ? suspended.id : theme === 'sport' ? sport.id : partner.id, {
      title: `Offre générée ${i}`,
      themes: [...new Set([theme, second])],
      ageMin,
      ageMax: Math.min(17, ageMin + Math.floor(next() * 6)),
      lat: 46.1 + next() * 0.9,
      lng: 4.7 + next() * 1.3,
      codeInsee: centre.code,
      venue: comes ? 'dans-l-accueil' : 'chez-le-partenaire',
      travelKm: comes ? Math.round(5 + next() * 35) : null,
      status: i % 19 === 0 ? 'draft' : 'published',
    });
  }
  const user = await createUser(app, { name: 'Camille Coordinatrice' });
  await addCoordinatorScope(app, user.id, 'department', '01');
  coordinator = await signedInAgent(app, user);
});
afterAll(async () => {
  await app.close();
});

/** The brute-force count: every (ACM commune, published offer) pair with PostgreSQL's own distance, then each theme × age band by hand. */
async function bruteForce(radiusKm: number) {
  const served = await rows<{ code: string; themes: string[]; age_min: number; age_max: number }>(
    app.deps.db,
    sql`with places as (
          select distinct c.code_insee as code, c.lat, c.lng from organisations a join communes c on c.code_insee = a.code_insee
          where a.kind = 'acm' and a.status <> 'suspended' and c.department_code = '01'),
        published as (
          select o.* from offers o join organisations g on g.id = o.organisation_id where o.status = 'published' and g.status <> 'suspended')
        select p.code, o.themes, o.age_min, o.age_max from places p cross join published o
        where earth_distance(ll_to_earth(p.lat, p.lng), ll_to_earth(o.lat, o.lng)) <= ${radiusKm * 1000}
          or (o.venue = 'dans-l-accueil' and o.travel_km > 0 and earth_distance(ll_to_earth(p.lat, p.lng), ll_to_earth(o.lat, o.lng)) <= o.travel_km * 1000)`,
  );
  const expected = new Map<string, number>();
  const key = (code: string, theme: string, band: string) => `${code}|${theme}|${band}`;
  for (const p of places) for (const t of [...themeSlugs, '']) for (const b of [...bands.map((x) => x.value), '']) expected.set(key(p.code, t, b), 0);
  for (const s of served) {
    const inBands = bands.filter((b) => s.age_min <= b.high && s.age_max >= b.low).map((b) => b.value);
    for (const t of [...s.themes, '']) for (const b of [...inBands, '']) expected.set(key(s.code, t, b), expected.get(key(s.code, t, b))! + 1);
  }
  return expected;
}

const decode = (html: string) =>
  html
    .replace(/<span class="visually-hidden">[\s\S]*?<\/span>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** The table of the page as `code|theme|band` → count (theme and band '' for « Tous »). */
function pageCounts(html: string) {
  const found = new Map<string, number>();
  for (const group of html.matchAll(/<tbody id="commune-([0-9AB]+)">([\s\S]*?)<\/tbody>/g)) {
    for (const row of group[2]!.matchAll(/<tr(?: class="coverage-all")?>\s*<th scope="row">([\s\S]*?)<\/th>([\s\S]*?)<\/tr>/g)) {
      const label = decode(row[1]!);
      const theme = label === 'Tous les thèmes' ? '' : themes.find((t) => t.label === label)!.value;
      [...row[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].forEach((td, i) => {
        found.set(`${group[1]}|${theme}|${bands[i]?.value ?? ''}`, Number.parseInt(decode(td[1]!), 10));
      });
    }
  }
  return found;
}

describe('coverage of a coordinator’s territory', () => {
  it('counts per commune, theme and age band exactly what a brute-force count finds, at the default radius and another', async () => {
    for (const radius of [15, 25]) {
      const response = await coordinator.get(`${base}/couverture${radius === 15 ? '' : `?rayon=${radius}`}`);
      expect(response.statusCode).toBe(200);
      const expected = await bruteForce(radius);
      const shown = pageCounts(response.body);
      expect(shown.size).toBe(places.length * 9 * 6);
      expect(shown).toEqual(expected);
      // The generated territory has gaps and covered cells.
      expect([...expected.values()].some((v) => v === 0)).toBe(true);
      expect([...expected.values()].some((v) => v >= 3)).toBe(true);
    }
  });

  it('gives in the CSV exactly the numbers of the page, named with the territory and the Paris date', async () => {
    for (const query of ['', '?rayon=25', '?theme=sport&age=6-8']) {
      const page = await coordinator.get(`${base}/couverture${query}`);
      const csv = await coordinator.get(`${base}/export/couverture.csv${query}`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-disposition']).toMatch(/filename="coordination-couverture-ain-01-\d{4}-\d{2}-\d{2}\.csv"/);
      expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const fromCsv = new Map<string, number>();
      for (const r of readAsExcel(csv.rawPayload)) {
        const theme = r.Thème === 'Tous les thèmes' ? '' : themes.find((t) => t.label === r.Thème)!.value;
        for (const b of bands) fromCsv.set(`${r['Code INSEE']}|${theme}|${b.value}`, Number(r[b.label]));
        fromCsv.set(`${r['Code INSEE']}|${theme}|`, Number(r['Tous âges']));
        expect(r['Rayon (km)']).toBe(query.includes('25') ? '25' : '15');
      }
      expect(fromCsv).toEqual(pageCounts(page.body));
      if (query.includes('sport')) expect(fromCsv.size).toBe(places.length * 6);
    }
  });

  it('agrees at the default radius with the public statistics page (every age, per theme)', async () => {
    const page = pageCounts((await coordinator.get(`${base}/couverture`)).body);
    const stats = (await app.inject({ method: 'GET', url: '/territoires/departements/01/statistiques' })).body;
    const table = /<table class="[^"]*stat-table[^"]*" data-stat-table="couverture">([\s\S]*?)<\/table>/.exec(stats)![1]!;
    const headers = [.../<thead>([\s\S]*?)<\/thead>/.exec(table)![1]!.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => decode(m[1]!));
    let compared = 0;
    for (const row of table.matchAll(/<tr><th scope="row">([\s\S]*?)<\/th>([\s\S]*?)<\/tr>/g)) {
      const code = /\((\w+)\)$/.exec(decode(row[1]!))![1]!;
      [...row[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].forEach((td, i) => {
        const theme = themes.find((t) => t.label === headers[i + 1]);
        const mine = theme ? page.get(`${code}|${theme.value}|`) : headers[i + 1] === 'Offres accessibles' ? page.get(`${code}||`) : undefined;
        if (mine === undefined) return;
        expect(decode(td[1]!), `${code} ${headers[i + 1]}`).toBe(mine > 0 && mine < 5 ? '< 5' : String(mine));
        compared++;
      });
    }
    expect(compared).toBe(places.length * 9);
  });

  it('draws the map with its legend, the gaps first, and links each gap to a prescription for an ACM of the commune', async () => {
    const response = await coordinator.get(`${base}/couverture?theme=sport&age=6-8`);
    const body = response.body;
    expect(body).toMatch(/<svg class="coverage-map"[^>]*role="img"/);
    expect(body).toContain('Zone blanche : aucune offre');
    const expected = await bruteForce(15);
    const gaps = places.filter((p) => expected.get(`${p.code}|sport|6-8`) === 0);
    expect(body.match(/<rect class="coverage-point coverage-gap"/g)?.length ?? 0).toBe(gaps.length + 1); // + the legend's swatch
    expect(body.match(/<circle class="coverage-point/g)?.length).toBe(places.length - gaps.length + 3);
    // Communes with the fewest sport offers for the 6-8 first.
    const order = [...body.matchAll(/<tbody id="commune-([0-9AB]+)">/g)].map((m) => m[1]!);
    const counts = order.map((code) => expected.get(`${code}|sport|6-8`)!);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // Every zero of the table links to the prescription of the commune's first ACM.
    for (const group of body.matchAll(/<tbody id="commune-([0-9AB]+)">([\s\S]*?)<\/tbody>/g)) {
      const zeros = group[2]!.match(/class="coverage-zero"/g)?.length ?? 0;
      const links = [...group[2]!.matchAll(/href="\/partenariats\/prescrire\?([^"]+)"/g)].map((m) => new URLSearchParams(m[1]!.replace(/&amp;/g, '&')));
      expect(links).toHaveLength(zeros);
      for (const link of links) {
        expect(link.get('accueil')).toBe(String(acmIds.get(group[1]!)));
        expect(link.get('theme')).toBe('sport');
      }
    }
  });

  it('refuses a radius out of bounds with a French message beside the field, and an unknown theme or age with a 400', async () => {
    for (const rayon of ['0', '51', 'abc', '2.5']) {
      const response = await coordinator.get(`${base}/couverture?rayon=${rayon}`);
      expect(response.statusCode, rayon).toBe(422);
      expect(response.body).toContain('Indiquez un rayon en kilomètres, nombre entier de 1 à 50.');
      expect(response.body).toMatch(/id="f-rayon"[^>]*aria-invalid="true"/);
    }
    expect((await coordinator.get(`${base}/export/couverture.csv?rayon=99`)).statusCode).toBe(400);
    const theme = await coordinator.get(`${base}/couverture?theme=peche`);
    expect(theme.statusCode).toBe(400);
    expect(theme.body).toContain('theme');
    expect((await coordinator.get(`${base}/couverture?age=2-4`)).statusCode).toBe(400);
    expect((await coordinator.get(`${base}/couverture?inconnu=1`)).statusCode).toBe(400);
  });

  it('reads stored figures for the default radius until the job refreshes them', async () => {
    const count = async () => pageCounts((await coordinator.get(`${base}/couverture`)).body).get(`${places[1]!.code}|sciences|`)!;
    const before = await count();
    const partner = await createOrganisation(app, { name: 'Labo mobile', codeInsee: places[1]!.code, lat: places[1]!.lat, lng: places[1]!.lng });
    await insertOffer(app, partner.id, { themes: ['sciences'], lat: places[1]!.lat, lng: places[1]!.lng, codeInsee: places[1]!.code });
    expect(await count()).toBe(before);
    app.deps.clock.advance(11 * 60_000);
    await app.deps.scheduler.runNow(COVERAGE_JOB);
    expect(await count()).toBe(before + 1);
    const stored = await rows<{ radius: number }>(
      app.deps.db,
      sql`select radius_km as radius from territory_coverage where level = 'department' and code = '01' order by 1`,
    );
    expect(stored.map((s) => s.radius)).toEqual([15, 25]);
  });
});

describe('who opens the coverage', () => {
  const paths = [`${base}/couverture`, `${base}/couverture?rayon=30&theme=culture`, `${base}/export/couverture.csv`];

  it('sends a visitor to the sign-in page', async () => {
    const response = await new Agent(app).get(paths[0]!);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toContain('/connexion');
  });

  it('serves the coordinator of the territory, with the link in the workspace navigation', async () => {
    for (const path of paths) expect((await coordinator.get(path)).statusCode, path).toBe(200);
    const dashboard = await coordinator.get(base);
    expect(dashboard.body).toContain(`href="${base}/couverture"`);
    expect(dashboard.body).toContain(`href="${base}/export/couverture.csv"`);
  });

  it('answers 404 to a coordinator of another territory and to a plain user', async () => {
    const other = await createUser(app);
    await addCoordinatorScope(app, other.id, 'department', '69');
    const outsider = await signedInAgent(app, other);
    const plain = await signedInAgent(app, await createUser(app));
    for (const path of paths) {
      expect((await outsider.get(path)).statusCode, path).toBe(404);
      expect((await plain.get(path)).statusCode, path).toBe(404);
    }
  });

  it('opens it to an admin, without prescription links (prescribing is a coordinator’s act)', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const path of paths) expect((await admin.get(path)).statusCode, path).toBe(200);
    const page = await admin.get(`${base}/couverture`);
    expect(page.body).toContain('class="coverage-zero"');
    expect(page.body).not.toContain('/partenariats/prescrire');
  });
});

describe('the prescription opened from a gap', () => {
  it('preselects the ACM and the best partner of the territory for the theme and age, and says why', async () => {
    const acmId = acmIds.get(places[2]!.code)!;
    const response = await coordinator.get(`/partenariats/prescrire?accueil=${acmId}&theme=sport&age=6-8`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(new RegExp(`<option value="${acmId}" selected>`));
    // The best suggestion (a partner of the territory with a sport offer for these ages) is the partner preselected.
    const suggestions = [...response.body.matchAll(/<li><strong>([^<]+)<\/strong> : <a href="\/offres\/[^"]+">/g)].map((m) => m[1]!.replace(/&#39;/g, "'"));
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions).toContain('Club omnisport de l’Ain');
    const best = /<select id="f-partnerId"[\s\S]*?<\/select>/.exec(response.body)![0];
    expect(best).toMatch(new RegExp(`<option value="\\d+" selected>${suggestions[0]} \\(`));
    expect(response.body).toContain(`/partenariats/prescrire?accueil=${acmId}&amp;theme=sport&amp;age=6-8&amp;partenaire=`);
    expect(response.body).toContain('Zone blanche : Accueil C, Sport, 6-8 ans');
    expect(response.body).toContain('value="Sport pour les 6-8 ans — Accueil C"');
    expect(response.body).toContain('Aucune offre « Sport » pour les 6-8 ans n’est proposée sur Passerelle à proximité de l’Accueil C (');
    expect(response.body).toContain('Club omnisport de l’Ain');
    // Choosing another partner keeps the rest.
    const partner = await createOrganisation(app, { name: 'Autre partenaire', codeInsee: places[0]!.code });
    const chosen = await coordinator.get(`/partenariats/prescrire?accueil=${acmId}&theme=sport&age=6-8&partenaire=${partner.id}`);
    expect(chosen.body).toMatch(new RegExp(`<option value="${partner.id}" selected>`));
    // From the row of every theme: the age alone.
    const anyTheme = await coordinator.get(`/partenariats/prescrire?accueil=${acmId}&age=12-14`);
    expect(anyTheme.body).toContain('value="Activités pour les 12-14 ans — Accueil C"');
  });

  it('ignores an ACM outside the coordinator’s territory and keeps the prescription’s authorization', async () => {
    const outside = await coordinator.get(`/partenariats/prescrire?accueil=${outsideAcmId}&theme=sport`);
    expect(outside.statusCode).toBe(200);
    expect(outside.body).not.toContain(`value="${outsideAcmId}"`);
    expect(outside.body).not.toContain('Zone blanche');
    const plain = await signedInAgent(app, await createUser(app));
    expect((await plain.get(`/partenariats/prescrire?accueil=${acmIds.get(places[2]!.code)}&theme=sport`)).statusCode).toBe(404);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    expect((await admin.get(`/partenariats/prescrire?accueil=${acmIds.get(places[2]!.code)}&theme=sport`)).statusCode).toBe(404);
    expect((await coordinator.get('/partenariats/prescrire?accueil=abc')).statusCode).toBe(400);
  });
});

describe('the coverage matrix', () => {
  it('equals, for every radius, a naive loop over servesPoint (the search’s rule)', () => {
    const next = random(99);
    const spots = Array.from({ length: 40 }, (_, i) => ({ code: String(i), name: `C${i}`, lat: 45 + next() * 2, lng: 4 + next() * 3, acms: 1 }));
    const offers = Array.from({ length: 3000 }, () => {
      const ageMin = 3 + Math.floor(next() * 14);
      return {
        themes: [themeSlugs[Math.floor(next() * 8)]!, ...(next() < 0.2 ? [themeSlugs[Math.floor(next() * 8)]!] : [])].filter(
          (t, k, all) => all.indexOf(t) === k,
        ),
        ageMin,
        ageMax: Math.min(17, ageMin + Math.floor(next() * 8)),
        lat: 44.8 + next() * 2.4,
        lng: 3.8 + next() * 3.4,
        travelKm: next() < 0.3 ? Math.round(1 + next() * 60) : null,
      };
    });
    for (const radius of [1, 7, 15, 33, 50]) {
      const matrix = coverageMatrix(spots, offers, radius);
      for (const [i, spot] of spots.entries()) {
        const serving = offers.filter((o) => servesPoint(o, spot.lat, spot.lng, radius));
        const row = matrix[i]!;
        expect(row.total).toBe(serving.length);
        themeSlugs.forEach((t, ti) => {
          expect(row.byTheme[ti]).toBe(serving.filter((o) => o.themes.includes(t)).length);
          bands.forEach((b, bi) => {
            expect(row.cells[ti * bands.length + bi]).toBe(
              serving.filter((o) => o.themes.includes(t) && ageBandsFor(o.ageMin, o.ageMax).includes(b.value as never)).length,
            );
          });
        });
        for (const [bi, b] of bands.entries()) {
          expect(row.byBand[bi]).toBe(serving.filter((o) => ageBandsFor(o.ageMin, o.ageMax).includes(b.value as never)).length);
        }
      }
    }
  });
});
