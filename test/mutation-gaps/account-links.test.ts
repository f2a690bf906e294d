import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../db/schema/index.js';
import { createEmailToken } from '../../server/accounts/accounts.repository.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, linkIn, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';

const HOUR = 3600_000;
const NEW_PASSWORD = 'une toute nouvelle phrase';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function resetLinkFor(email: string): Promise<string> {
  await new Agent(app).post('/mot-de-passe-oublie', { email });
  const mail = (await readMails(app)).findLast((m) => m.to.includes(email) && m.subject.includes('Réinitialisez'));
  if (!mail) throw new Error(`no reset mail to ${email}`);
  return linkIn(mail.text);
}

/**
 * A second live reset link of the same account, as two reset requests that crossed each other
 * can leave on PostgreSQL (each revokes the links it sees, then adds its own).
 */
async function crossedResetLink(userId: number): Promise<string> {
  const token = await createEmailToken(app.deps.db, { userId, purpose: 'reset-password', expiresAt: new Date(Date.now() + HOUR) });
  return `/reinitialisation/${token}`;
}

async function signInStatus(email: string, password: string): Promise<number> {
  return (await new Agent(app).post('/connexion', { email, password })).statusCode;
}

describe('reset links', () => {
  it('refuses a reset link past its hour with a 400 saying it expired, on the link page and when its form is sent, and keeps the password', async () => {
    const user = await createUser(app);
    const start = Date.now();
    app.deps.clock.setNow(new Date(start));
    try {
      const link = await resetLinkFor(user.email);
      app.deps.clock.setNow(new Date(start + HOUR + 1000));
      const agent = new Agent(app);
      const page = await agent.get(link);
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('Ce lien de réinitialisation a expiré ou a déjà servi.');
      const sent = await agent.post(link, { password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
      expect(sent.statusCode).toBe(400);
      expect(sent.body).toContain('<p>Ce lien de réinitialisation a expiré ou a déjà servi. Demandez-en un nouveau.</p>');
      expect(agent.hasSession()).toBe(false);
    } finally {
      app.deps.clock.setNow(null);
    }
    expect(await signInStatus(user.email, NEW_PASSWORD)).toBe(422);
    expect(await signInStatus(user.email, PASSWORD)).toBe(303);
  });

  it('ends the account’s other live reset links once one of them is used', async () => {
    const user = await createUser(app);
    const older = await resetLinkFor(user.email);
    const newer = await crossedResetLink(user.id);
    expect((await new Agent(app).get(older)).statusCode).toBe(200);
    expect((await new Agent(app).post(newer, { password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD })).statusCode).toBe(303);
    expect((await new Agent(app).get(older)).statusCode).toBe(400);
    const stale = await new Agent(app).post(older, { password: 'une phrase périmée', passwordConfirm: 'une phrase périmée' });
    expect(stale.statusCode).toBe(400);
    expect(await signInStatus(user.email, 'une phrase périmée')).toBe(422);
    expect(await signInStatus(user.email, NEW_PASSWORD)).toBe(303);
  });

  it('ends every live reset link of the account when its password is changed', async () => {
    const user = await createUser(app);
    const links = [await resetLinkFor(user.email), await crossedResetLink(user.id)];
    const agent = await signedInAgent(app, user);
    const changed = await agent.post('/compte/mot-de-passe', { currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
    expect(changed.statusCode).toBe(303);
    for (const link of links) {
      expect((await new Agent(app).get(link)).statusCode, link).toBe(400);
      const stale = await new Agent(app).post(link, { password: 'une phrase périmée', passwordConfirm: 'une phrase périmée' });
      expect(stale.statusCode, link).toBe(400);
    }
    expect(await signInStatus(user.email, NEW_PASSWORD)).toBe(303);
  });
});

describe('sessions', () => {
  it('signs in a client that sends no user agent, and lists its session as an unknown browser', async () => {
    const user = await createUser(app);
    const agent = new Agent(app);
    const response = await agent.post('/connexion', { email: user.email, password: PASSWORD }, { headers: { 'user-agent': undefined } });
    expect(response.statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(row!.userAgent).toBeNull();
    expect((await agent.get('/compte')).body).toContain('Navigateur inconnu');
  });
});
