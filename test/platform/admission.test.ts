import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { HEALTH_RECENT_MS } from '../../server/pages/health.routes.js';
import type { App } from '../../server/types.js';
import { withDatabase } from '../global-setup.js';
import { createTestApp } from '../helpers/app.js';
import { databaseOutage } from '../helpers/outage.js';

/** An app with a read and a write that the test holds open until it lets them go, in arrival order of their calls. */
async function appWithHeldRoutes(overrides: { MAX_ACTIVE_REQUESTS: number; ADMISSION_WAIT_MS?: number }) {
  const entered: string[] = [];
  const holds: (() => void)[] = [];
  const held = async (name: string) => {
    entered.push(name);
    await new Promise<void>((resolve) => holds.push(resolve));
    return name;
  };
  const app = await createTestApp(overrides, {
    beforeReady: (instance) => {
      instance.get<{ Querystring: { n: string } }>('/essai/lecture', async (request) => held(`lecture ${request.query.n}`));
      // Under /compte/: a write the figures ignore (server/plugins/figures-kick.ts), so that no
      // query runs after its answer while the test closes the app.
      instance.post('/compte/essai-ecriture', { config: { csrf: false } }, async () => held('écriture'));
    },
  });
  return { app, entered, letOneGo: () => holds.shift()!() };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

it('answers reads two at a time when MAX_ACTIVE_REQUESTS is 2, the others in their order of arrival as turns come back', async () => {
  const held = await appWithHeldRoutes({ MAX_ACTIVE_REQUESTS: 2 });
  app = held.app;
  const answers = [];
  for (let n = 1; n <= 4; n++) {
    answers.push(app.inject({ method: 'GET', url: `/essai/lecture?n=${n}` }));
    await until(() => held.entered.length + app!.admission!.waiting === n);
  }
  expect(held.entered).toEqual(['lecture 1', 'lecture 2']);
  expect(app.admission).toMatchObject({ busy: 2, waiting: 2 });

  held.letOneGo();
  await until(() => held.entered.length === 3);
  expect(held.entered[2]).toBe('lecture 3');
  held.letOneGo();
  await until(() => held.entered.length === 4);
  expect(held.entered[3]).toBe('lecture 4');
  held.letOneGo();
  held.letOneGo();
  expect((await Promise.all(answers)).map((r) => [r.statusCode, r.body])).toEqual([
    [200, 'lecture 1'],
    [200, 'lecture 2'],
    [200, 'lecture 3'],
    [200, 'lecture 4'],
  ]);
  expect(app.admission).toMatchObject({ busy: 0, waiting: 0 });
});

it('answers /healthz, stylesheets and forms sent at once while every turn is taken, and /healthz says how many reads wait', async () => {
  const held = await appWithHeldRoutes({ MAX_ACTIVE_REQUESTS: 1 });
  app = held.app;
  const first = app.inject({ method: 'GET', url: '/essai/lecture?n=1' });
  await until(() => held.entered.length === 1);
  const second = app.inject({ method: 'GET', url: '/essai/lecture?n=2' });
  await until(() => app!.admission!.waiting === 1);

  const health = await app.inject({ method: 'GET', url: '/healthz' });
  expect(health.statusCode).toBe(200);
  expect(health.json()).toMatchObject({ status: 'ok', reads: { active: 1, waiting: 1 } });

  // The stylesheet a page needs takes no turn either (or a page answered in turn would show unstyled).
  expect((await app.inject({ method: 'GET', url: '/static/css/app.css' })).statusCode).toBe(200);

  const write = app.inject({ method: 'POST', url: '/compte/essai-ecriture' });
  await until(() => held.entered.length === 2);
  expect(held.entered).toEqual(['lecture 1', 'écriture']);

  held.letOneGo();
  held.letOneGo();
  await until(() => held.entered.length === 3);
  held.letOneGo();
  expect((await Promise.all([first, write, second])).map((r) => r.statusCode)).toEqual([200, 200, 200]);
});

it('answers a read that waited past ADMISSION_WAIT_MS with a 503, a Retry-After and a French message, and the turn still passes on', async () => {
  const held = await appWithHeldRoutes({ MAX_ACTIVE_REQUESTS: 1, ADMISSION_WAIT_MS: 100 });
  app = held.app;
  const first = app.inject({ method: 'GET', url: '/essai/lecture?n=1' });
  await until(() => held.entered.length === 1);

  const page = await app.inject({ method: 'GET', url: '/offres' });
  expect(page.statusCode).toBe(503);
  expect(page.headers['retry-after']).toBe('5');
  expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  // The site's error page, not a bare text: it needs the cookies, read before the wait.
  expect(page.headers['content-type']).toContain('text/html');
  expect(page.body).toContain('Service momentanément indisponible');
  expect(page.body).toContain('Passerelle reçoit beaucoup de demandes en ce moment. Réessayez dans quelques instants.');
  const api = await app.inject({ method: 'GET', url: '/api/v1/offers' });
  expect(api.statusCode).toBe(503);
  expect(api.json()).toMatchObject({ error: 'unavailable' });
  expect(app.admission).toMatchObject({ busy: 1, waiting: 0 });

  held.letOneGo();
  expect((await first).statusCode).toBe(200);
  expect((await app.inject({ method: 'GET', url: '/offres' })).statusCode).toBe(200);
});

it('gives the place of a read whose client went away while it waited to the next one', async () => {
  const held = await appWithHeldRoutes({ MAX_ACTIVE_REQUESTS: 1 });
  app = held.app;
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const first = fetch(`${base}/essai/lecture?n=1`);
  await until(() => held.entered.length === 1);
  const leaving = new AbortController();
  const gone = fetch(`${base}/essai/lecture?n=2`, { signal: leaving.signal }).catch((error: Error) => error.name);
  await until(() => app!.admission!.waiting === 1);
  leaving.abort();
  expect(await gone).toBe('AbortError');
  await until(() => app!.admission!.waiting === 0);

  const third = fetch(`${base}/essai/lecture?n=3`);
  await until(() => app!.admission!.waiting === 1);
  held.letOneGo();
  await until(() => held.entered.length === 2);
  expect(held.entered).toEqual(['lecture 1', 'lecture 3']);
  held.letOneGo();
  expect(await (await first).text()).toBe('lecture 1');
  expect(await (await third).text()).toBe('lecture 3');
  expect(app.admission).toMatchObject({ busy: 0, waiting: 0 });
});

/** Makes the database keep the health check waiting (a lock on the outbox it reads; PGlite: a transaction, which holds its one session). */
async function slowDatabase(instance: App): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    const [{ name } = { name: '' }] = await rows<{ name: string }>(instance.deps.db, sql`select current_database() as name`);
    const other = postgres(withDatabase(process.env.DATABASE_URL, name), { max: 1, onnotice: () => {} });
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    let unlock!: () => void;
    const held = other.begin(async (tx) => {
      await tx`lock table search_outbox in access exclusive mode`;
      locked();
      await new Promise<void>((resolve) => (unlock = resolve));
    });
    await lockTaken;
    return async () => {
      unlock();
      await held;
      await other.end();
    };
  }
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  let leave!: () => void;
  const held = instance.deps.db.transaction(async () => {
    entered();
    await new Promise<void>((resolve) => (leave = resolve));
  });
  await inside;
  return async () => {
    leave();
    await held;
  };
}

it('answers a probe from the last check under 2 s old while a read is answered (one turn of four) and the database is slow, then 503 once that check is too old', async () => {
  const held = await appWithHeldRoutes({ MAX_ACTIVE_REQUESTS: 4 });
  app = held.app;
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  const checkedAt = performance.now();
  const read = app.inject({ method: 'GET', url: '/essai/lecture?n=1' });
  await until(() => held.entered.length === 1);
  const release = await slowDatabase(app);
  try {
    const quick = await app.inject({ method: 'GET', url: '/healthz' });
    expect(quick.statusCode).toBe(200);
    expect(quick.json()).toMatchObject({ status: 'ok', dbReachable: true, reads: { active: 1, waiting: 0 } });
    expect(performance.now() - checkedAt).toBeLessThan(HEALTH_RECENT_MS);

    await new Promise((resolve) => setTimeout(resolve, HEALTH_RECENT_MS - (performance.now() - checkedAt) + 50));
    const late = await app.inject({ method: 'GET', url: '/healthz' });
    expect(late.statusCode).toBe(503);
    expect(late.json()).toMatchObject({ dbReachable: false });
  } finally {
    await release();
  }
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  held.letOneGo();
  expect((await read).statusCode).toBe(200);
});

// An outage needs a server whose connections can be cut and refused: PostgreSQL only.
it.runIf(process.env.DATABASE_URL)(
  'answers a probe at once from the last check while every turn is taken, and 503 from the probe after a check that failed',
  async () => {
    const held = await appWithHeldRoutes({ MAX_ACTIVE_REQUESTS: 1 });
    app = held.app;
    const outage = await databaseOutage(app);
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const read = app.inject({ method: 'GET', url: '/essai/lecture?n=1' });
      await until(() => held.entered.length === 1);
      await outage.cut();
      const lastChecked = performance.now();

      // The first probe after the cut is answered from the check before it (under 2 s old), and starts
      // a check that fails: the connections are cut and new ones refused.
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      let status = 200;
      while (status === 200 && performance.now() - lastChecked < HEALTH_RECENT_MS) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = (await app.inject({ method: 'GET', url: '/healthz' })).statusCode;
      }
      expect(status, 'a failed check is reported before the last success is too old').toBe(503);
      expect(performance.now() - lastChecked).toBeLessThan(HEALTH_RECENT_MS);

      await outage.restore();
      held.letOneGo();
      expect((await read).statusCode).toBe(200);
    } finally {
      await outage.end();
    }
    let healthy = 503;
    for (let i = 0; i < 50 && healthy !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      healthy = (await app.inject({ method: 'GET', url: '/healthz' })).statusCode;
    }
    expect(healthy).toBe(200);
  },
  30_000,
);
