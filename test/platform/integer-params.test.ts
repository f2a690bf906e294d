import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, signedInAgent } from '../helpers/fixtures.js';

let app: App;
let admin: Agent | undefined;

beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** Every route of the app with its methods, read from Fastify's route tree ("├── /:id (GET, HEAD)"). */
function routesOf(tree: string): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if (match[3]) routes.push({ path: stack.join(''), methods: match[3].split(', ') });
  }
  return routes;
}

const junk = ['1e999', '-1', '0x10', '99999999999', '1.5'];

describe('integer parameters', () => {
  it('answers every route with a parameter without a server error, whatever junk the parameters carry', async () => {
    admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const routes = routesOf(app.printRoutes({ commonPrefix: false })).filter((r) => r.path.includes(':') && !r.path.includes('*'));
    expect(routes.length).toBeGreaterThan(60);
    const token = await admin.csrfToken();
    const failures: string[] = [];
    for (const route of routes) {
      for (const value of junk) {
        const url = route.path.replace(/:[A-Za-z]+(?:\|:[A-Za-z]+)*/g, value);
        const response = route.methods.includes('GET') ? await admin.get(url) : await admin.post(url, {}, { csrf: token });
        if (response.statusCode >= 500) failures.push(`${route.methods.includes('GET') ? 'GET' : 'POST'} ${url} → ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('refuses an API id that is not plain digits within int4 with a 400 naming the parameter', async () => {
    for (const value of ['1e999', '0x10', '99999999999', '-1', '1.0', '%201']) {
      const response = await app.inject({ url: `/api/v1/offers/${value}` });
      expect(response.statusCode, value).toBe(400);
      expect(response.json(), value).toMatchObject({ error: 'invalid_parameter', parameter: 'id' });
    }
    const page = await app.inject({ url: '/api/v1/offers?page=1e999' });
    expect(page.statusCode).toBe(400);
    expect(page.json()).toMatchObject({ parameter: 'page', message: 'Paramètre « page » invalide : nombre entier attendu.' });
    expect((await app.inject({ url: '/api/v1/offers?age=007' })).statusCode).toBe(200);
  });

  it('shows the French “page not found” for a page address whose id is not an id', async () => {
    admin ??= await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const url of ['/demandes/1e999', '/admin/structures/0x10', '/partenariats/99999999999', '/structures/1e999/membres']) {
      const response = await admin.get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).toContain('Page introuvable');
    }
    const list = await admin.get('/notifications?page=1e999');
    expect(list.statusCode).toBe(400);
    expect(list.body).toContain('Paramètre « page » invalide : nombre entier attendu.');
  });
});
