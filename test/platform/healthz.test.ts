import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEARCH_LAG_DEGRADED_SECONDS } from '../../server/pages/health.routes.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const health = async () => {
  const response = await app.inject({ method: 'GET', url: '/healthz' });
  return { statusCode: response.statusCode, body: response.json() };
};

it('reports the database driver in use, the search backend and an index with nothing to catch up', async () => {
  expect(await health()).toEqual({
    statusCode: 200,
    body: {
      status: 'ok',
      db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      dbReachable: true,
      search: 'postgres',
      searchLag: { pending: 0, oldestSeconds: 0 },
      reads: { active: 0, waiting: 0 },
    },
  });
});

it('reports the search lag and says "degraded" (still 200) once the oldest undelivered change is too old, then "ok" once delivered', async () => {
  const partner = await createOrganisation(app, { name: 'Atelier des sciences' });
  await insertOffer(app, partner.id, { title: 'Fusées à eau' });
  await insertOffer(app, partner.id, { title: 'Volcans en argile' });
  const fresh = await health();
  expect(fresh.statusCode).toBe(200);
  expect(fresh.body.status).toBe('ok');
  expect(fresh.body.searchLag.pending).toBeGreaterThanOrEqual(2);

  app.deps.clock.setNow(new Date(Date.now() + (SEARCH_LAG_DEGRADED_SECONDS + 30) * 1000));
  try {
    const late = await health();
    expect(late.statusCode).toBe(200);
    expect(late.body.status).toBe('degraded');
    expect(late.body.searchLag.oldestSeconds).toBeGreaterThan(SEARCH_LAG_DEGRADED_SECONDS);
  } finally {
    app.deps.clock.setNow(null);
  }
  await syncSearch(app);
  expect((await health()).body).toMatchObject({ status: 'ok', searchLag: { pending: 0, oldestSeconds: 0 } });
});
