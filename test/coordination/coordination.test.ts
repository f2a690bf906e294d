import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { organisations, partnershipConventions, partnershipReviews, partnershipSessions, partnerships, requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let inScope: PartnershipFixture;
let outOfScope: PartnershipFixture;
let coordinator: Agent;

const base = '/coordination/departement/69';
const lists = ['accueils', 'partenaires', 'partenariats', 'demandes', 'besoins'];
const pages = ['', ...lists.map((l) => `/${l}`)];
const exports = [...lists.map((l) => `/export/${l}.csv`), '/export/entonnoir.csv'];

beforeAll(async () => {
  app = await createTestApp();
  inScope = await createPartnershipFixture(app, { acmName: 'Accueil des Pentes', partnerName: 'Judo des Pentes' });
  outOfScope = await createPartnershipFixture(app, {
    acmName: 'Accueil de Bordeaux',
    partnerName: 'Club de Bordeaux',
    partnership: { title: 'Voile à Bordeaux' },
  });
  // The second ACM and its partner move to Bordeaux (Gironde).
  await app.deps.db
    .update(organisations)
    .set({ codeInsee: '33063', postcode: '33000' })
    .where(inArray(organisations.id, [outOfScope.acm.id, outOfScope.partner.id]));
  // A partner whose name a spreadsheet would run as a formula.
  await createOrganisation(app, { kind: 'partner', name: '=HYPERLINK("http://x")' });
  // Three requests of the Lyon ACM: one waiting, one declined after an answer, one accepted that went all the way.
  const day = (n: number) => new Date(Date.now() - n * 86_400_000);
  const common = { acmId: inScope.acm.id, partnerId: inScope.partner.id, direction: 'acm_to_partner' as const };
  await app.deps.db.insert(requests).values([
    { ...common, status: 'sent', createdAt: day(2), lastActivityAt: day(2), expiresAt: day(-19) },
    { ...common, status: 'declined', createdAt: day(30), firstReplyAt: day(29), lastActivityAt: day(29) },
  ]);
  const [accepted] = await app.deps.db
    .insert(requests)
    .values({ ...common, status: 'accepted', createdAt: day(90), firstReplyAt: day(88), lastActivityAt: day(80) })
    .returning();
  await app.deps.db.update(partnerships).set({ requestId: accepted!.id }).where(eq(partnerships.id, inScope.partnership.id));
  await app.deps.db.update(partnershipConventions).set({ status: 'signed' }).where(eq(partnershipConventions.partnershipId, inScope.partnership.id));
  await app.deps.db
    .insert(partnershipSessions)
    .values({ partnershipId: inScope.partnership.id, date: '2026-10-07', startTime: '14:00', endTime: '16:00', status: 'held' });
  await app.deps.db.insert(partnershipReviews).values(
    (['acm', 'partner'] as const).map((side) => ({
      partnershipId: inScope.partnership.id,
      side,
      organisationId: side === 'acm' ? inScope.acm.id : inScope.partner.id,
      answers: {} as never,
      submittedAt: day(1),
    })),
  );
  const user = await createUser(app, { name: 'Nadia Coordinatrice' });
  await addCoordinatorScope(app, user.id, 'department', '69');
  coordinator = await signedInAgent(app, user);
});
afterAll(async () => {
  await app.close();
});

function decode(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** The rows of the page's list table, as text, cell by cell. */
function tableRows(html: string): string[][] {
  const body = /<table class="table coordination-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!)));
}

describe('who opens the coordination of a territory', () => {
  it('sends a visitor to the sign-in page', async () => {
    const response = await new Agent(app).get(base);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toContain('/connexion');
  });

  it('takes a coordinator with one territory straight to it, and serves every page and export of it', async () => {
    const start = await coordinator.get('/coordination');
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe(base);
    for (const path of [...pages, ...exports]) expect((await coordinator.get(`${base}${path}`)).statusCode, path).toBe(200);
  });

  it('answers 404 to a coordinator of another territory, on every page and export', async () => {
    const other = await createUser(app);
    await addCoordinatorScope(app, other.id, 'department', '33');
    const agent = await signedInAgent(app, other);
    for (const path of [...pages, ...exports]) expect((await agent.get(`${base}${path}`)).statusCode, path).toBe(404);
    expect((await agent.get('/coordination/departement/33')).statusCode).toBe(200);
  });

  it('answers 404 to a plain user and to an unknown territory', async () => {
    const agent = await signedInAgent(app, await createUser(app));
    expect((await agent.get('/coordination')).statusCode).toBe(404);
    for (const path of [...pages, ...exports]) expect((await agent.get(`${base}${path}`)).statusCode, path).toBe(404);
    expect((await coordinator.get('/coordination/departement/99')).statusCode).toBe(404);
    expect((await coordinator.get('/coordination/pays/FR')).statusCode).toBe(404);
  });

  it('lets an admin choose and open any territory', async () => {
    const agent = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const page = await agent.get('/coordination');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="departement-69"');
    const chosen = await agent.get('/coordination?territoire=departement-33');
    expect(chosen.headers.location).toBe('/coordination/departement/33');
    for (const path of [...pages, ...exports]) expect((await agent.get(`${base}${path}`)).statusCode, path).toBe(200);
  });

  it('shows Coordination in the navigation of coordinators only', async () => {
    expect((await coordinator.get('/tableau-de-bord')).body).toContain('href="/coordination"');
    expect((await inScope.acmAgent.get('/tableau-de-bord')).body).not.toContain('href="/coordination"');
  });
});

describe('the figures of a territory', () => {
  /** The five figures at the top of the workspace, by the list each links to. */
  async function figures() {
    const page = (await coordinator.get(base)).body;
    const found = [...page.matchAll(/href="\/coordination\/departement\/69\/([a-z]+)(?:\?statut=[a-z]+)?"><strong>(\d+)<\/strong>/g)];
    return Object.fromEntries(found.map(([, list, count]) => [list, Number(count)]));
  }

  /** The same figures counted table by table, each with its own join (the query before December 2026). */
  async function countedApart() {
    const inRhone = (column: string) => sql.raw(`${column} in (select c.code_insee from communes c where c.department_code = '69')`);
    const [row] = await rows<Record<string, number>>(
      app.deps.db,
      sql`select
        (select count(*)::int from organisations o where o.kind = 'acm' and o.status <> 'suspended' and ${inRhone('o.code_insee')}) as accueils,
        (select count(*)::int from organisations o where o.kind = 'partner' and o.status <> 'suspended' and ${inRhone('o.code_insee')}) as partenaires,
        (select count(*)::int from partnerships p join organisations a on a.id = p.acm_id where p.status = 'active' and ${inRhone('a.code_insee')}) as partenariats,
        (select count(*)::int from requests r join organisations a on a.id = r.acm_id where r.status in ('sent', 'in_discussion') and ${inRhone('a.code_insee')}) as demandes,
        (select count(*)::int from needs n join organisations a on a.id = n.acm_id where n.status = 'open' and ${inRhone('a.code_insee')}) as besoins`,
    );
    return row;
  }

  it('counts the territory’s ACMs and partners but the suspended ones, and the active partnerships, open requests and open needs of its ACMs', async () => {
    const before = await figures();
    expect(before).toEqual(await countedApart());
    expect(before.accueils).toBeGreaterThan(0);
    expect(before.demandes).toBeGreaterThan(0);
    await createOrganisation(app, { kind: 'acm', name: 'Accueil suspendu', status: 'suspended' });
    await createOrganisation(app, { kind: 'partner', name: 'Club de Villeurbanne', codeInsee: '69266', postcode: '69100' });
    await createOrganisation(app, { kind: 'partner', name: 'Club de Mérignac', codeInsee: '33281', postcode: '33700' });
    const after = await figures();
    expect(after).toEqual({ ...before, partenaires: before.partenaires + 1 });
    expect(after).toEqual(await countedApart());
  });
});

describe('the coordinator’s dashboard', () => {
  it('counts the verified partners and ACMs of each of their territories, as a count over the territory’s communes does', async () => {
    const user = await createUser(app);
    const scopes = [
      ['department', '69', 'departement', sql`c.department_code = '69'`],
      ['epci', '200046977', 'epci', sql`(c.epci_code = '200046977' or c.ept_code = '200046977')`],
      ['commune', '69266', 'commune', sql`c.code_insee = '69266'`],
      ['region', '84', 'region', sql`c.region_code = '84'`],
    ] as const;
    for (const [scope, code] of scopes) await addCoordinatorScope(app, user.id, scope, code);
    await createOrganisation(app, { kind: 'partner', name: 'Club de Villeurbanne vérifié', codeInsee: '69266', postcode: '69100', status: 'verified' });
    await createOrganisation(app, { kind: 'acm', name: 'Accueil lyonnais vérifié', status: 'verified' });
    await createOrganisation(app, { kind: 'partner', name: 'Club de Villeurbanne suspendu', codeInsee: '69266', postcode: '69100', status: 'suspended' });
    const page = (await (await signedInAgent(app, user)).get('/tableau-de-bord')).body;
    const table = /<h2 id="scopes-title">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page)![1]!;
    const shown = [...table.matchAll(/<tr>[\s\S]*?<\/tr>/g)].map(([row]) =>
      [...row.matchAll(/<td>([^<]*)<\/td>/g)].map(([, cell]) => Number(cell!.replace(/\D/g, ''))),
    );
    const expected = [];
    for (const [, , , communesWhere] of scopes) {
      const [row] = await rows<{ partners: number; acms: number }>(
        app.deps.db,
        sql`select count(*) filter (where o.kind = 'partner')::int as partners, count(*) filter (where o.kind = 'acm')::int as acms
          from organisations o join communes c on c.code_insee = o.code_insee where o.status = 'verified' and ${communesWhere}`,
      );
      expected.push([row!.partners, row!.acms]);
    }
    expect(shown).toEqual(expected);
    expect(expected[2]![0]).toBeGreaterThan(0);
    expect(expected[0]![1]).toBeGreaterThan(0);
  });
});

describe('the lists of a territory', () => {
  it('lists every partnership of an ACM of the territory with its current step, and none from elsewhere', async () => {
    const page = await coordinator.get(`${base}/partenariats`);
    const rows = tableRows(page.body);
    expect(rows.map((r) => r[0])).toEqual(['Judo du mercredi']);
    expect(rows[0]).toContain('5 · Bilan');
    expect(page.body).toContain(`href="/partenariats/${inScope.partnership.id}"`);
    expect(page.body).not.toContain('Voile à Bordeaux');
  });

  it('links the ACM and the partner of each partnership and request to their pages', async () => {
    for (const list of ['partenariats', 'demandes']) {
      const page = await coordinator.get(`${base}/${list}`);
      expect(page.body, list).toContain(`<a href="/accueils/${inScope.acm.id}-${inScope.acm.slug}">Accueil des Pentes</a>`);
      expect(page.body, list).toContain(`<a href="/structures/${inScope.partner.id}-${inScope.partner.slug}">Judo des Pentes</a>`);
      expect((await coordinator.get(`/structures/${inScope.partner.id}-${inScope.partner.slug}`)).statusCode).toBe(200);
    }
  });

  it('lists the ACMs and partners of the territory with their figures', async () => {
    const acms = tableRows((await coordinator.get(`${base}/accueils`)).body);
    expect(acms.find((r) => r[0] === 'Accueil des Pentes')).toEqual([
      'Accueil des Pentes',
      'Lyon 2e Arrondissement',
      'Oui',
      'Oui',
      '',
      '1',
      expect.stringMatching(/^\d\d\/\d\d\/\d{4}$/),
    ]);
    expect(acms.some((r) => r[0] === 'Accueil de Bordeaux')).toBe(false);
    const partners = tableRows((await coordinator.get(`${base}/partenaires?q=pentes`)).body);
    expect(partners).toEqual([['Judo des Pentes', 'Lyon 2e Arrondissement', 'Club sportif', '1', '100 % (2/2)', '36\u00a0heures', '1']]);
  });

  it('filters, sorts and paginates without scripts, and names a bad parameter', async () => {
    const requestsPage = await coordinator.get(`${base}/demandes?statut=sent`);
    expect(tableRows(requestsPage.body).map((r) => r[5])).toEqual(['Envoyée']);
    const sorted = tableRows((await coordinator.get(`${base}/demandes?tri=sent&ordre=asc`)).body).map((r) => r[5]);
    expect(sorted).toEqual(['Acceptée', 'Déclinée', 'Envoyée']);
    expect((await coordinator.get(`${base}/demandes?tri=sent&ordre=asc`)).body).toContain('aria-sort="ascending"');
    const bad = await coordinator.get(`${base}/demandes?statut=nimporte`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('statut');
    expect((await coordinator.get(`${base}/accueils?tri=mot`)).statusCode).toBe(400);
    expect((await coordinator.get(`${base}/accueils?page=0`)).statusCode).toBe(400);
    expect(tableRows((await coordinator.get(`${base}/demandes?retard=oui`)).body)).toEqual([]);
    expect((await coordinator.get(`${base}/partenaires?q=%00%27%22%3Cscript%3E`)).statusCode).toBe(200);
    const step = tableRows((await coordinator.get(`${base}/partenariats?etape=definition`)).body);
    expect(step).toEqual([]);
  });
});

describe('exports', () => {
  it('gives each list as the page shows it: same rows, same cells, with the territory and the Paris date in the name', async () => {
    for (const [list, query] of [
      ['accueils', ''],
      ['partenaires', '?tri=offers&ordre=desc'],
      ['partenariats', ''],
      ['demandes', '?tri=sent&ordre=asc'],
      ['besoins', ''],
    ] as const) {
      const page = await coordinator.get(`${base}/${list}${query}`);
      const file = await coordinator.get(`${base}/export/${list}.csv${query}`);
      expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(file.headers['content-disposition']).toMatch(new RegExp(`coordination-${list}-rhone-69-\\d{4}-\\d{2}-\\d{2}\\.csv`));
      const records = readAsExcel(file.rawPayload).map((r) => Object.values(r).map((v) => v.replace(/^'(?=[=+\-@])/, '')));
      expect(records, list).toEqual(tableRows(page.body));
    }
  });

  it('paginates by 25 with the filters kept, and exports every page of the filter at once', async () => {
    for (let i = 0; i < 27; i++)
      await createOrganisation(app, { kind: 'acm', name: `Accueil Bellecour ${String(i).padStart(2, '0')}`, planMercrediLabel: i % 2 === 0 });
    const first = await coordinator.get(`${base}/accueils?q=bellecour&tri=name`);
    expect(tableRows(first.body)).toHaveLength(25);
    expect(first.body).toContain('27\u00a0accueils, page 1 sur 2');
    const next = /<a href="([^"]+)" rel="next">/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    expect(next).toBe(`${base}/accueils?q=bellecour&tri=name&page=2`);
    const second = await coordinator.get(next);
    expect(tableRows(second.body).map((r) => r[0])).toEqual(['Accueil Bellecour 25', 'Accueil Bellecour 26']);
    const file = readAsExcel((await coordinator.get(`${base}/export/accueils.csv?q=bellecour&tri=name`)).rawPayload);
    expect(file.map((r) => Object.values(r))).toEqual([...tableRows(first.body), ...tableRows(second.body)]);
    const labelled = tableRows((await coordinator.get(`${base}/accueils?q=bellecour&label=oui`)).body);
    expect(labelled).toHaveLength(14);
  });

  it('neutralises the cells a spreadsheet would run as a formula', async () => {
    const file = await coordinator.get(`${base}/export/partenaires.csv`);
    const names = readAsExcel(file.rawPayload).map((r) => r.Partenaire);
    expect(names).toContain('\'=HYPERLINK("http://x")');
  });
});

describe('the funnel', () => {
  it('follows the requests of the territory to the bilans, on the page, in its table and in its export', async () => {
    const page = await coordinator.get(base);
    expect(page.body).toContain('<div class="bars funnel-chart" role="img"');
    expect(page.body).toContain(
      'Demandes envoyées : 3 ; Demandes ayant reçu une réponse : 2 ; Demandes acceptées : 1 ; Conventions signées : 1 ; Premières séances réalisées : 1 ; Bilans envoyés par les deux : 1.',
    );
    const table = /<table class="table funnel-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page.body)![1]!;
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!)));
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['Demandes envoyées', '3', '', ''],
      ['Demandes ayant reçu une réponse', '2', '67\u00a0%', '67\u00a0%'],
      ['Demandes acceptées', '1', '50\u00a0%', '33\u00a0%'],
      ['Conventions signées', '1', '100\u00a0%', '33\u00a0%'],
      ['Premières séances réalisées', '1', '100\u00a0%', '33\u00a0%'],
      ['Bilans envoyés par les deux', '1', '100\u00a0%', '33\u00a0%'],
    ]);
    const csv = readAsExcel((await coordinator.get(`${base}/export/entonnoir.csv`)).rawPayload);
    expect(csv.map((r) => [r.Étape, r.Nombre, r.Définition])).toEqual(rows.map((r) => [r[0], r[1], r[4]]));
    const gironde = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    expect((await gironde.get('/coordination/departement/33')).body).toContain('Demandes envoyées : 0 ;');
  });
});

describe('requests waiting too long', () => {
  it('flags a request unanswered past half of its delay', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000);
    await app.deps.db.insert(requests).values({
      acmId: inScope.acm.id,
      partnerId: inScope.partner.id,
      direction: 'acm_to_partner',
      status: 'sent',
      createdAt: day(15),
      lastActivityAt: day(15),
      expiresAt: day(-6),
    });
    const rows = tableRows((await coordinator.get(`${base}/demandes?retard=oui`)).body);
    expect(rows.map((r) => r[5])).toEqual(['Envoyée (en retard)']);
  });
});
