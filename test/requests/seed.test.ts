import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerships, requests } from '../../db/schema/index.js';
import { seedOffers } from '../../server/demo/offers.js';
import { DEMO_PASSWORD, demoAccounts, seedOrganisations } from '../../server/demo/organisations.js';
import { seedRequests } from '../../server/demo/requests.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
  await seedOrganisations(app.deps);
  await seedOffers(app.deps);
  await seedRequests(app.deps);
});
afterAll(async () => {
  await app.close();
});

async function signIn(email: string) {
  const agent = new Agent(app);
  const response = await agent.post('/connexion', { email, password: DEMO_PASSWORD });
  expect(response.statusCode).toBe(303);
  return agent;
}

describe('demo requests', () => {
  it('seeds requests in every status, with a partnership for each accepted one', async () => {
    const rows = await app.deps.db.select().from(requests);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['sent', 'in_discussion', 'accepted', 'declined', 'withdrawn', 'expired']));
    const accepted = rows.filter((r) => r.status === 'accepted').map((r) => r.id);
    const created = (await app.deps.db.select().from(partnerships)).filter((p) => p.requestId !== null && accepted.includes(p.requestId));
    expect(created).toHaveLength(accepted.length);
  });

  it('gives the demo partner and the demo ACM something to answer and to read', async () => {
    const partner = await signIn(demoAccounts.partner);
    const received = await partner.get('/demandes');
    expect(received.statusCode).toBe(200);
    expect(received.body).toContain('aria-current="page">Reçues');
    expect((received.body.match(/class="request-item/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(received.body).toContain('class="badge"');
    expect((await partner.get('/compte')).body).toMatch(/class="badge" data-count="[1-9]/);

    const acm = await signIn(demoAccounts.acm);
    const sent = await acm.get('/demandes');
    expect((sent.body.match(/class="request-item/g) ?? []).length).toBeGreaterThanOrEqual(3);
    const link = /href="(\/demandes\/\d+)"/.exec(sent.body)?.[1];
    const thread = await acm.get(link!);
    expect(thread.statusCode).toBe(200);
    expect(thread.body).toContain('class="messages"');
  });
});
