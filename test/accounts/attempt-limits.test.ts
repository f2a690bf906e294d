import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, sessions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, PASSWORD } from '../helpers/fixtures.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const WRONG = 'pas le bon mot de passe';

async function queuedMailsTo(email: string) {
  return (await app.deps.db.select().from(mailOutbox).where(eq(mailOutbox.to, email))).length;
}

describe('sign-in limits', () => {
  it('keeps counting when control characters are slipped into the address, and refuses even the right password', async () => {
    const user = await createUser(app, { email: 'laure.martin@exemple.fr' });
    const agent = new Agent(app);
    for (let i = 0; i < 10; i++) expect((await agent.post('/connexion', { email: user.email, password: WRONG })).statusCode).toBe(422);
    expect((await agent.post('/connexion', { email: user.email, password: WRONG })).statusCode).toBe(429);
    for (const spelling of ['laure.martin\u0001@exemple.fr', 'LAURE.martin@exemple.fr\u0007', ' laure.\u001fmartin@exemple.fr ']) {
      const sneaky = await agent.post('/connexion', { email: spelling, password: PASSWORD });
      expect(sneaky.statusCode, JSON.stringify(spelling)).toBe(429);
      expect(sneaky.body).toMatch(/Trop de tentatives\. Réessayez dans \d+\u00a0minutes?\./);
    }
    expect(agent.hasSession()).toBe(false);
  });

  it('limits the guesses on one account coming from many addresses', async () => {
    const user = await createUser(app);
    for (let i = 0; i < 20; i++) expect((await new Agent(app).post('/connexion', { email: user.email, password: WRONG })).statusCode).toBe(422);
    const right = new Agent(app);
    const refused = await right.post('/connexion', { email: user.email, password: PASSWORD });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(right.hasSession()).toBe(false);
  });

  it('limits one address trying one password on many accounts (password spraying)', async () => {
    const sprayer = new Agent(app);
    for (let i = 0; i < 50; i++) expect((await sprayer.post('/connexion', { email: `cible${i}@exemple.fr`, password: WRONG })).statusCode).toBe(422);
    const user = await createUser(app);
    expect((await sprayer.post('/connexion', { email: user.email, password: PASSWORD })).statusCode).toBe(429);
    expect((await new Agent(app).post('/connexion', { email: user.email, password: PASSWORD })).statusCode).toBe(303);
  }, 120_000);

  it('does not let a rotating X-Forwarded-For escape the limit when no proxy is trusted (the default)', async () => {
    expect(app.deps.config.TRUST_PROXY).toBe(false);
    const agent = new Agent(app);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const headers = { 'x-forwarded-for': `198.51.100.${i + 1}` };
      statuses.push((await agent.post('/connexion', { email: 'rotation@exemple.fr', password: WRONG }, { headers })).statusCode);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(422));
    expect(statuses[10]).toBe(429);
  });
});

describe('reset and sign-up limits', () => {
  it('sends at most 5 reset emails an hour to an account, whatever the spelling or the IP', async () => {
    const user = await createUser(app, { email: 'remi.durand@exemple.fr' });
    const spellings = [
      'remi.durand@exemple.fr',
      'remi.durand\u0001@exemple.fr',
      'REMI.DURAND@exemple.fr',
      '\u0002remi.durand@exemple.fr',
      'remi.durand@exemple.fr\u007f',
    ];
    for (const spelling of spellings) expect((await new Agent(app).post('/mot-de-passe-oublie', { email: spelling })).statusCode).toBe(200);
    const sixth = await new Agent(app).post('/mot-de-passe-oublie', { email: 'remi.durand\u0003@exemple.fr' });
    expect(sixth.statusCode).toBe(429);
    expect(await queuedMailsTo(user.email)).toBe(5);
  });

  it('limits reset requests from one IP across addresses', async () => {
    const agent = new Agent(app);
    for (let i = 0; i < 20; i++) expect((await agent.post('/mot-de-passe-oublie', { email: `inconnu${i}@exemple.fr` })).statusCode).toBe(200);
    expect((await agent.post('/mot-de-passe-oublie', { email: 'encore-un@exemple.fr' })).statusCode).toBe(429);
  });

  it('limits sign-ups for one address across IPs (each one mails its owner)', async () => {
    const user = await createUser(app, { email: 'deja.inscrite@exemple.fr' });
    const form = (email: string) => ({ name: 'Quelqu’un', email, password: 'une phrase de passe', passwordConfirm: 'une phrase de passe', terms: 'on' });
    for (let i = 0; i < 10; i++)
      expect((await new Agent(app).post('/inscription', form(`deja.inscrite${'\u0001'.repeat(i)}@exemple.fr`))).statusCode).toBe(200);
    expect((await new Agent(app).post('/inscription', form('DEJA.inscrite@exemple.fr'))).statusCode).toBe(429);
    expect(await queuedMailsTo(user.email)).toBe(10);
  });
});

describe('behind a proxy', () => {
  it('takes the client address from the proxy only when TRUST_PROXY trusts it', async () => {
    const proxied = await createTestApp({ TRUST_PROXY: 1 });
    try {
      const user = await createUser(proxied);
      const agent = new Agent(proxied);
      const response = await agent.post('/connexion', { email: user.email, password: PASSWORD }, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(response.statusCode).toBe(303);
      const [session] = await proxied.deps.db.select().from(sessions).where(eq(sessions.userId, user.id));
      expect(session?.ip).toBe('203.0.113.7');
    } finally {
      await proxied.close();
    }
  }, 120_000);
});

describe.runIf(process.env.REDIS_URL)('with Redis', () => {
  it('shares the counters between two instances', async () => {
    const prefix = `passerelle-test:${randomUUID()}:`;
    const [first, second] = [await createTestApp({ REDIS_PREFIX: prefix }), await createTestApp({ REDIS_PREFIX: prefix })];
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const agent = new Agent(first);
      for (let i = 0; i < 10; i++) expect((await agent.post('/connexion', { email: 'partage@exemple.fr', password: WRONG })).statusCode).toBe(422);
      const elsewhere = new Agent(second, agent.remoteAddress);
      expect((await elsewhere.post('/connexion', { email: 'partage@exemple.fr', password: WRONG })).statusCode).toBe(429);
      expect((await redis.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
      redis.disconnect();
    }
  }, 120_000);
});
