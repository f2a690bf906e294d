import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, PASSWORD, signedInAgent } from '../helpers/fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A whole second a day ahead: the test browser drops cookies already expired by the real clock. */
const tomorrow = Math.ceil(Date.now() / 1000) * 1000 + 24 * HOUR;

function setCookie(response: LightMyRequestResponse, name: string): string {
  const all = [response.headers['set-cookie'] ?? []].flat();
  const found = all.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no Set-Cookie for ${name} in ${JSON.stringify(all)}`);
  return found;
}

async function sessionRows(app: App, userId: number) {
  return app.deps.db.select().from(sessions).where(eq(sessions.userId, userId));
}

/** The session and CSRF plugins, each rule by its own test (they were probed by mutation). */
describe('session and CSRF cookies', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp({ SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 1 });
  });
  afterAll(async () => {
    await app.close();
  });

  /** Signs a new user in at a fixed instant, so that the limits can be probed to the millisecond. */
  async function signInAt(start: Date) {
    app.deps.clock.setNow(start);
    const user = await createUser(app);
    const agent = new Agent(app);
    const response = await agent.post('/connexion', { email: user.email, password: PASSWORD });
    expect(response.statusCode).toBe(303);
    return { user, agent, response };
  }

  async function statusAt(agent: Agent, at: number, url = '/compte') {
    app.deps.clock.setNow(new Date(at));
    return (await agent.get(url)).statusCode;
  }

  it('sets host-wide, HttpOnly, SameSite=Lax cookies, not Secure outside production, the session one expiring SESSION_ABSOLUTE_HOURS after sign-in', async () => {
    const start = new Date(tomorrow);
    try {
      const anonymous = await new Agent(app).get('/connexion');
      const csrfCookie = setCookie(anonymous, 'passerelle_csrf');
      expect(csrfCookie).toMatch(/; Path=\/(;|$)/);
      expect(csrfCookie).toContain('; HttpOnly');
      expect(csrfCookie).toContain('; SameSite=Lax');
      expect(csrfCookie).not.toContain('Secure');
      const { response } = await signInAt(start);
      const sessionCookie = setCookie(response, 'passerelle_session');
      expect(sessionCookie).toContain(`; Expires=${new Date(start.getTime() + HOUR).toUTCString()}`);
      expect(sessionCookie).toMatch(/; Path=\/(;|$)/);
      expect(sessionCookie).toContain('; HttpOnly');
      expect(sessionCookie).toContain('; SameSite=Lax');
      expect(sessionCookie).not.toContain('Secure');
    } finally {
      app.deps.clock.setNow(null);
    }
  });

  it('signs the CSRF cookie with the session secret', async () => {
    const cookie = setCookie(await new Agent(app).get('/connexion'), 'passerelle_csrf');
    const value = decodeURIComponent(cookie.slice('passerelle_csrf='.length).split(';')[0]!);
    expect(app.unsignCookie(value).valid).toBe(true);
  });

  it('keeps a session idle for exactly SESSION_IDLE_MINUTES, and ends it a millisecond later', async () => {
    const start = tomorrow + 1 * HOUR;
    try {
      const { agent } = await signInAt(new Date(start));
      expect(await statusAt(agent, start + 30 * MINUTE)).toBe(200);
      expect(await statusAt(agent, start + 60 * MINUTE - 1)).toBe(200);
      const other = await signInAt(new Date(start));
      expect(await statusAt(other.agent, start + 30 * MINUTE + 1)).toBe(302);
    } finally {
      app.deps.clock.setNow(null);
    }
  });

  it('ends a session at the very instant SESSION_ABSOLUTE_HOURS have passed, deleting its row and clearing its cookie', async () => {
    const start = tomorrow + 2 * HOUR;
    try {
      const { user, agent } = await signInAt(new Date(start));
      expect(await statusAt(agent, start + 30 * MINUTE)).toBe(200);
      expect(await statusAt(agent, start + HOUR - 1)).toBe(200);
      app.deps.clock.setNow(new Date(start + HOUR));
      const expired = await agent.get('/compte');
      expect(expired.statusCode).toBe(302);
      expect(setCookie(expired, 'passerelle_session')).toMatch(/^passerelle_session=;.*Expires=Thu, 01 Jan 1970/);
      expect(await sessionRows(app, user.id)).toHaveLength(0);
    } finally {
      app.deps.clock.setNow(null);
    }
  });

  it('writes a session’s last activity at most once a minute: not at 60 000 ms, at 60 001 ms', async () => {
    const start = tomorrow + 4 * HOUR;
    try {
      const { user, agent } = await signInAt(new Date(start));
      expect(await statusAt(agent, start + MINUTE)).toBe(200);
      expect((await sessionRows(app, user.id))[0]!.lastSeenAt.getTime()).toBe(start);
      expect(await statusAt(agent, start + MINUTE + 1)).toBe(200);
      expect((await sessionRows(app, user.id))[0]!.lastSeenAt.getTime()).toBe(start + MINUTE + 1);
    } finally {
      app.deps.clock.setNow(null);
    }
  });

  it('clears a session cookie of up to 100 characters that matches no session, and ignores a longer one without looking it up', async () => {
    const visit = (length: number) => app.inject({ method: 'GET', url: '/a-propos', cookies: { passerelle_session: 'x'.repeat(length) } });
    expect(setCookie(await visit(100), 'passerelle_session')).toMatch(/^passerelle_session=;/);
    const ignored = [(await visit(101)).headers['set-cookie'] ?? []].flat();
    expect(ignored.filter((c) => c.startsWith('passerelle_session='))).toEqual([]);
  });

  it('signs out a visitor who has no session without an error', async () => {
    const response = await new Agent(app).post('/deconnexion');
    expect(response.statusCode).toBe(303);
  });

  it('does not count static files and framed pages as activity: they never read the session', async () => {
    const start = tomorrow + 3 * HOUR;
    try {
      for (const url of ['/static/css/app.css', '/integrer/carte']) {
        const { agent } = await signInAt(new Date(start));
        await statusAt(agent, start + 29 * MINUTE, url);
        expect(await statusAt(agent, start + 31 * MINUTE), url).toBe(302);
      }
    } finally {
      app.deps.clock.setNow(null);
    }
  });

  it('ends the sessions of a suspended user at their next request', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    expect((await agent.get('/compte')).statusCode).toBe(200);
    await app.deps.db.update(users).set({ suspendedAt: new Date() }).where(eq(users.id, user.id));
    expect((await agent.get('/compte')).statusCode).toBe(302);
    expect(await sessionRows(app, user.id)).toHaveLength(0);
  });

  it('ends the previous session when someone signs in again in the same browser', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const [first] = await sessionRows(app, user.id);
    expect((await agent.post('/connexion', { email: user.email, password: PASSWORD })).statusCode).toBe(303);
    const rows = await sessionRows(app, user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toBe(first!.id);
  });

  it('answers HEAD requests without a CSRF token', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/a-propos' });
    expect(response.statusCode).toBe(200);
  });

  it('lets an OPTIONS request through without a CSRF token, like GET and HEAD: no route answers it, so a 404 and never a 403', async () => {
    const response = await app.inject({ method: 'OPTIONS', url: '/compte' });
    expect(response.statusCode).toBe(404);
  });

  it('takes the CSRF token from the query string, as multipart forms send it', async () => {
    const agent = await signedInAgent(app);
    const token = await agent.csrfToken();
    expect((await agent.post(`/compte?_csrf=${encodeURIComponent(token)}`, { name: 'Nom changé' }, { csrf: false })).statusCode).toBe(303);
    expect((await agent.post('/compte?_csrf=jeton-invalide', { name: 'Pirate' }, { csrf: false })).statusCode).toBe(403);
  });

  it('refuses with a 403, never a 500, a token given twice', async () => {
    const agent = await signedInAgent(app);
    const token = encodeURIComponent(await agent.csrfToken());
    expect((await agent.post(`/compte?_csrf=${token}&_csrf=${token}`, { name: 'Pirate' }, { csrf: false })).statusCode).toBe(403);
  });

  it('lets a mail client unsubscribe in one click without a CSRF token: the signed link authorises it', async () => {
    const response = await new Agent(app).post(
      `/notifications/desabonnement/1.saved_search.${'x'.repeat(32)}`,
      { 'List-Unsubscribe': 'One-Click' },
      { csrf: false },
    );
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Lien de désinscription invalide');
  });
});

describe('cookies in production', () => {
  it('are named __Host- and marked Secure, and a signed-in browser keeps its session and posts forms', async () => {
    const app = await createTestApp({ NODE_ENV: 'production' });
    try {
      const user = await createUser(app);
      const agent = new Agent(app);
      const csrfCookie = setCookie(await agent.get('/connexion'), '__Host-passerelle_csrf');
      expect(csrfCookie).toContain('; Secure');
      const signIn = await agent.post('/connexion', { email: user.email, password: PASSWORD });
      expect(signIn.statusCode).toBe(303);
      expect(setCookie(signIn, '__Host-passerelle_session')).toContain('; Secure');
      expect((await agent.get('/compte')).statusCode).toBe(200);
      expect((await agent.post('/compte', { name: 'Nom changé' })).statusCode).toBe(303);
      await agent.post('/deconnexion');
      expect(agent.hasSession()).toBe(false);
      expect(await sessionRows(app, user.id)).toHaveLength(0);
    } finally {
      await app.close();
    }
  }, 120_000);
});
