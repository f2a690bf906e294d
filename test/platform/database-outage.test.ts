import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';

// An outage needs a server whose connections can be cut and refused: PostgreSQL only.
describe.runIf(process.env.DATABASE_URL)('a database outage', () => {
  let app: App;
  let admin: postgres.Sql;
  let name: string;

  beforeAll(async () => {
    app = await createTestApp();
    [{ name } = { name: '' }] = await rows<{ name: string }>(app.deps.db, sql`select current_database() as name`);
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin.unsafe(`alter database ${name} allow_connections true`);
    await admin.end();
    await app.close();
  });

  /** As load.ts plays it: the app's connections are cut and new ones refused until `restore`. */
  async function cutConnections() {
    await admin.unsafe(`alter database ${name} allow_connections false`);
    await admin.unsafe(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
  }
  const restore = () => admin.unsafe(`alter database ${name} allow_connections true`);

  const timed = async (url: string) => {
    const started = performance.now();
    const response = await app.inject({ method: 'GET', url });
    return { response, ms: performance.now() - started };
  };

  it('answers 503 with a French page and a Retry-After while it lasts, /healthz says "degraded" at once, and the same page answers 200 again once the database is back, without a restart', async () => {
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    await cutConnections();
    try {
      const page = await timed('/');
      expect(page.response.statusCode).toBe(503);
      expect(page.response.headers['retry-after']).toBe('5');
      expect(page.response.headers['content-type']).toMatch(/text\/html/);
      expect(page.response.body).toContain('Le service est momentanément indisponible. Réessayez dans quelques instants.');
      expect(page.ms).toBeLessThan(4_000);

      const api = await timed('/api/v1/offers');
      expect(api.response.statusCode).toBe(503);
      expect(api.response.headers['retry-after']).toBe('5');
      expect(api.response.json()).toEqual({ error: 'unavailable', message: 'Le service est momentanément indisponible. Réessayez dans quelques instants.' });

      const health = await timed('/healthz');
      expect(health.response.statusCode).toBe(503);
      expect(health.response.json()).toMatchObject({ status: 'degraded', db: 'postgres', dbReachable: false, searchLag: { pending: 0, oldestSeconds: 0 } });
      expect(health.ms).toBeLessThan(1_500);
    } finally {
      await restore();
    }

    // The pool reconnects by itself (postgres.js waits a short backoff after failed attempts).
    const home = async () => (await app.inject({ method: 'GET', url: '/' })).statusCode;
    const deadline = Date.now() + 10_000;
    let status = await home();
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await home();
    }
    expect(status).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok', dbReachable: true });
  });
});
