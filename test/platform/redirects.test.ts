import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, PASSWORD, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer } from '../helpers/offers.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** Fastify's own error body, which no answer of ours may carry. */
function expectNoFastifyDefault(body: string) {
  expect(body).not.toMatch(/"statusCode":\s*500|ERR_INVALID_CHAR|Internal Server Error/);
}

describe('redirects to a target the visitor chose', () => {
  const cases: [string, string][] = [
    ['/recherche?q=œuvre', '/recherche?q=%C5%93uvre'],
    ['/structures/théâtre-de-l’œil', '/structures/th%C3%A9%C3%A2tre-de-l%E2%80%99%C5%93il'],
    ['/recherche?q=%C3%A9t%C3%A9#carte', '/recherche?q=%C3%A9t%C3%A9#carte'],
    ['/recherche\u0001', '/tableau-de-bord'],
    ['/recherche?q=a\u0000b', '/tableau-de-bord'],
    ['/offres\r\nSet-Cookie: x=1', '/tableau-de-bord'],
    ['//exemple.com/piege', '/tableau-de-bord'],
    ['/\\exemple.com', '/tableau-de-bord'],
    ['https://exemple.com/', '/tableau-de-bord'],
  ];

  it('goes to a same-site target after sign-in, percent-encoded, or to the dashboard', async () => {
    const user = await createUser(app);
    for (const [target, location] of cases) {
      const agent = new Agent(app);
      const response = await agent.post('/connexion', { email: user.email, password: PASSWORD, suivant: target });
      expect(response.statusCode, JSON.stringify(target)).toBe(303);
      expect(response.headers.location, JSON.stringify(target)).toBe(location);
      expectNoFastifyDefault(response.body);
    }
  });

  it('sends a signed-in visitor of the sign-in page on to the same encoded target', async () => {
    const agent = await signedInAgent(app);
    // (NUL never reaches a route through a query string: it is dropped on arrival.)
    for (const [target, location] of cases.filter(([target]) => !target.includes('\u0000'))) {
      const response = await agent.get(`/connexion?suivant=${encodeURIComponent(target)}`);
      expect(response.statusCode, JSON.stringify(target)).toBe(302);
      expect(response.headers.location, JSON.stringify(target)).toBe(location);
    }
  });

  it('goes back to the chosen page after an offer status change, encoded', async () => {
    const owner = await createUser(app);
    const partner = await createOrganisation(app, { ownerId: owner.id, status: 'verified' });
    const offer = await insertOffer(app, partner.id, { status: 'published' });
    const agent = await signedInAgent(app, owner);
    const paused = await agent.post(`/offres/${offer.id}/suspendre`, { suivant: `/structures/${partner.id}/offres?q=œuvre` });
    expect(paused.statusCode).toBe(303);
    expect(paused.headers.location).toBe(`/structures/${partner.id}/offres?q=%C5%93uvre`);
    const resumed = await agent.post(`/offres/${offer.id}/reprendre`, { suivant: '/structures\u0001' });
    expect(resumed.headers.location).toBe(`/offres/${offer.id}/modifier`);
  });

  it('goes back to the admin list with the filters typed, encoded', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const organisation = await createOrganisation(app, { status: 'unverified' });
    const verified = await admin.post(`/admin/structures/${organisation.id}/verifier`, { retour: '/admin/structures?q=Cœur-d’Ébène' });
    expect(verified.statusCode).toBe(303);
    expect(verified.headers.location).toBe('/admin/structures?q=C%C5%93ur-d%E2%80%99%C3%89b%C3%A8ne');
    const again = await admin.post(`/admin/structures/${organisation.id}/suspendre`, { reason: 'Doublon', retour: '/admin/structures\u0001' });
    expect(again.headers.location).toBe(`/admin/structures/${organisation.id}`);
    expectNoFastifyDefault(verified.body);
  });
});
