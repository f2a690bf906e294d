import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

it('reports the database driver in use and the search backend', async () => {
  const response = await app.inject({ method: 'GET', url: '/healthz' });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ status: 'ok', db: process.env.DATABASE_URL ? 'postgres' : 'pglite', search: 'postgres' });
});
