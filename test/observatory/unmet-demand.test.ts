import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { parisToday } from '../../server/kernel/paris-time.js';
import { unmetDemandByTerritory, unmetSearchesWritten } from '../../server/observatory/unmet-demand.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
  const partner = await createOrganisation(app);
  await insertOffer(app, partner.id, { themes: ['culture'], title: 'Atelier de théâtre' });
  await syncSearch(app);
});
afterAll(async () => {
  await app.close();
});

async function logged() {
  await unmetSearchesWritten();
  return rows<Record<string, unknown>>(app.deps.db, sql`select * from unmet_searches order by id`);
}

describe('unmet demand', () => {
  it('logs a zero-result search of the page with its place and criteria, and nothing about who searched', async () => {
    const agent = await signedInAgent(app);
    const before = (await logged()).length;
    // Villeurbanne's centre, sport for 8-year-olds within 5 km: the only offer is culture.
    const response = await agent.get('/offres?near=45.7719,4.8902&radius_km=5&theme=sport&age=8');
    expect(response.statusCode).toBe(200);
    const after = await logged();
    expect(after).toHaveLength(before + 1);
    const row = after.at(-1)!;
    expect(row).toMatchObject({ commune_code: '69266', department_code: '69', theme: 'sport', age: 8, radius_km: 5, source: 'page' });
    expect(row.weekday).toBeGreaterThanOrEqual(1);
    expect(Object.keys(row).sort()).toEqual(['age', 'commune_code', 'department_code', 'id', 'radius_km', 'searched_on', 'source', 'theme', 'weekday'].sort());
    expect(JSON.stringify(row)).not.toMatch(/127\.0\.0\.1|user|@/);
  });

  it('logs a zero-result API search by commune, and not a search that found offers', async () => {
    const before = (await logged()).length;
    const empty = await app.inject({ method: 'GET', url: '/api/v1/offers?commune=69259&theme=sciences' });
    expect(empty.json()).toMatchObject({ total: 0 });
    const found = await app.inject({ method: 'GET', url: '/api/v1/offers?department=69&theme=culture' });
    expect(found.json().total).toBe(1);
    const page = await app.inject({ method: 'GET', url: '/offres?lieu=Lyon&theme=culture' });
    expect(page.statusCode).toBe(200);
    const after = await logged();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ commune_code: '69259', department_code: '69', theme: 'sciences', radius_km: null, source: 'api' });
  });

  it('does not log a search without a place', async () => {
    const before = (await logged()).length;
    await app.inject({ method: 'GET', url: '/api/v1/offers?theme=sciences' });
    expect(await logged()).toHaveLength(before);
  });

  it('aggregates the logged searches per commune and theme of a département', async () => {
    const today = parisToday(new Date());
    const found = await unmetDemandByTerritory(app.deps.db, { department: '69' }, '2000-01-01');
    expect(found).toEqual(
      expect.arrayContaining([
        { communeCode: '69266', communeName: 'Villeurbanne', departmentCode: '69', theme: 'sport', searches: 1 },
        { communeCode: '69259', communeName: 'Vénissieux', departmentCode: '69', theme: 'sciences', searches: 1 },
      ]),
    );
    expect(await unmetDemandByTerritory(app.deps.db, { department: '33' }, '2000-01-01')).toEqual([]);
    expect(await unmetDemandByTerritory(app.deps.db, { region: '84' }, today)).toHaveLength(2);
    expect(await unmetDemandByTerritory(app.deps.db, { commune: '69266' }, '2000-01-01')).toHaveLength(1);
  });
});
