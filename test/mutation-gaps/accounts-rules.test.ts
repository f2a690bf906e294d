import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema/index.js';
import { createVerifiedUser } from '../../server/accounts/accounts.usecases.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, linkIn, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';

const HOUR = 3600_000;

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

let accounts = 0;
function newEmail(): string {
  accounts++;
  return `regle-${accounts}-${Math.random().toString(36).slice(2, 7)}@exemple.fr`;
}

async function signUp(email: string, password = 'une phrase de passe', confirm = password) {
  return new Agent(app).post('/inscription', { name: 'Léa Roux', email, password, passwordConfirm: confirm, terms: 'on' });
}

async function lastLink(email: string, subject: string): Promise<string> {
  const mail = (await readMails(app)).findLast((m) => m.to.includes(email) && m.subject.includes(subject));
  if (!mail) throw new Error(`no « ${subject} » mail to ${email}`);
  return linkIn(mail.text);
}

async function userRow(email: string) {
  const [row] = await app.deps.db.select().from(users).where(eq(users.email, email));
  return row!;
}

/** Runs `body` with the clock fixed at `at`, then gives the real time back. */
async function at<T>(instant: number, body: () => Promise<T>): Promise<T> {
  app.deps.clock.setNow(new Date(instant));
  try {
    return await body();
  } finally {
    app.deps.clock.setNow(null);
  }
}

describe('account rules', () => {
  it('accepts a password of 10 and of 200 characters, refuses 9 and 201 and an empty one, each with its French message', async () => {
    expect((await signUp(newEmail(), 'x'.repeat(10))).statusCode).toBe(200);
    expect((await signUp(newEmail(), 'x'.repeat(200))).statusCode).toBe(200);
    const short = await signUp(newEmail(), 'x'.repeat(9));
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('Le mot de passe doit comporter au moins 10 caractères.');
    const long = await signUp(newEmail(), 'x'.repeat(201));
    expect(long.statusCode).toBe(422);
    expect(long.body).toContain('Le mot de passe doit comporter au plus 200 caractères.');
    const empty = await signUp(newEmail(), '', '');
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Choisissez un mot de passe.');
    expect(empty.body).not.toContain('Les deux mots de passe ne correspondent pas.');
  });

  it('keeps a confirmation link valid for 48 hours after sign-up', async () => {
    const start = Date.now();
    const [early, late] = [newEmail(), newEmail()];
    await at(start, async () => {
      await signUp(early);
      await signUp(late);
    });
    const inTime = await at(start + 48 * HOUR - 1000, async () => new Agent(app).get(await lastLink(early, 'Confirmez')));
    expect(inTime.statusCode).toBe(302);
    expect((await userRow(early)).emailVerifiedAt).not.toBeNull();
    const tooLate = await at(start + 48 * HOUR + 1000, async () => new Agent(app).get(await lastLink(late, 'Confirmez')));
    expect(tooLate.statusCode).toBe(400);
    expect((await userRow(late)).emailVerifiedAt).toBeNull();
  });

  it('mails a new confirmation link to an unconfirmed address, and nothing to a confirmed one', async () => {
    const pending = newEmail();
    await signUp(pending);
    const confirmed = await createUser(app);
    const mailsTo = async (email: string) => (await readMails(app)).filter((m) => m.to.includes(email));
    const atSignUp = (await mailsTo(pending)).length;
    await new Agent(app).post('/confirmation/renvoyer', { email: pending });
    await new Agent(app).post('/confirmation/renvoyer', { email: confirmed.email });
    expect(await mailsTo(confirmed.email)).toEqual([]);
    // Mail files are not named in sending order: count them rather than take the last one.
    const toPending = await mailsTo(pending);
    expect(toPending).toHaveLength(atSignUp + 1);
    expect(new Set(toPending.map((m) => m.subject))).toEqual(new Set(['Confirmez votre adresse e-mail']));
    const statuses = [];
    for (const mail of toPending) statuses.push((await new Agent(app).get(linkIn(mail.text))).statusCode);
    expect(statuses).toContain(302);
  });

  it('refuses a suspended account at sign-in with its own message, and mails it no reset link', async () => {
    const user = await createUser(app);
    await app.deps.db.update(users).set({ suspendedAt: new Date() }).where(eq(users.id, user.id));
    const response = await new Agent(app).post('/connexion', { email: user.email, password: PASSWORD });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Ce compte est suspendu. Écrivez à l’équipe Passerelle.');
    expect((await new Agent(app).post('/connexion', { email: user.email, password: 'pas le bon' })).body).toContain(
      'Adresse e-mail ou mot de passe incorrect.',
    );
    await new Agent(app).post('/mot-de-passe-oublie', { email: user.email });
    expect((await readMails(app)).filter((m) => m.to.includes(user.email))).toHaveLength(0);
  });

  it('keeps a reset link valid for one hour', async () => {
    const start = Date.now();
    const [early, late] = [await createUser(app), await createUser(app)];
    await at(start, async () => {
      await new Agent(app).post('/mot-de-passe-oublie', { email: early.email });
      await new Agent(app).post('/mot-de-passe-oublie', { email: late.email });
    });
    expect((await at(start + HOUR - 1000, async () => new Agent(app).get(await lastLink(early.email, 'Réinitialisez')))).statusCode).toBe(200);
    expect((await at(start + HOUR + 1000, async () => new Agent(app).get(await lastLink(late.email, 'Réinitialisez')))).statusCode).toBe(400);
  });

  it('confirms the address of an account that resets its password before confirming it', async () => {
    const email = newEmail();
    await signUp(email);
    await new Agent(app).post('/mot-de-passe-oublie', { email });
    const link = await lastLink(email, 'Réinitialisez');
    expect((await new Agent(app).post(link, { password: 'nouvelle phrase secrète', passwordConfirm: 'nouvelle phrase secrète' })).statusCode).toBe(303);
    expect((await new Agent(app).post('/connexion', { email, password: 'nouvelle phrase secrète' })).statusCode).toBe(303);
  });

  it('keeps confirmation and reset links apart: asking for a reset leaves the confirmation link live, and neither opens the other page', async () => {
    const email = newEmail();
    await signUp(email);
    const confirmLink = await lastLink(email, 'Confirmez');
    await new Agent(app).post('/mot-de-passe-oublie', { email });
    const resetLink = await lastLink(email, 'Réinitialisez');
    const confirmToken = confirmLink.split('/').at(-1)!;
    const resetToken = resetLink.split('/').at(-1)!;
    expect((await new Agent(app).get(`/reinitialisation/${confirmToken}`)).statusCode).toBe(400);
    expect(
      (await new Agent(app).post(`/reinitialisation/${confirmToken}`, { password: 'une phrase volée', passwordConfirm: 'une phrase volée' })).statusCode,
    ).toBe(400);
    expect((await new Agent(app).get(`/confirmation/${resetToken}`)).statusCode).toBe(400);
    expect((await new Agent(app).get(confirmLink)).statusCode).toBe(302);
    expect((await new Agent(app).get(resetLink)).statusCode).toBe(200);
  });

  it('saves the name, job title and phone number of the profile, and notes when', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const before = await userRow(user.email);
    const response = await agent.post('/compte', { name: 'Léa Roux', jobTitle: 'Directrice', phone: '04 72 00 00 00' });
    expect(response.statusCode).toBe(303);
    const after = await userRow(user.email);
    expect(after).toMatchObject({ name: 'Léa Roux', jobTitle: 'Directrice' });
    expect(after.phone).toMatch(/^(\+33|0)4 ?72/);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
  });

  it('keeps the first 300 characters of a browser’s user agent with its session', async () => {
    const user = await createUser(app);
    const agent = new Agent(app);
    await agent.post('/connexion', { email: user.email, password: PASSWORD }, { headers: { 'user-agent': 'M'.repeat(400) } });
    const [row] = await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(row!.userAgent).toBe('M'.repeat(300));
  });

  it('creates a verified account for the admin command once, and makes an existing account admin when asked', async () => {
    const email = newEmail();
    const created = await createVerifiedUser(app.deps, { email: email.toUpperCase(), name: 'Admin', password: 'une phrase de passe' });
    expect(created).toMatchObject({ email, isAdmin: false });
    expect(created.emailVerifiedAt).not.toBeNull();
    expect((await new Agent(app).post('/connexion', { email, password: 'une phrase de passe' })).statusCode).toBe(303);
    const again = await createVerifiedUser(app.deps, { email, name: 'Autre', password: 'une autre phrase' });
    expect(again).toMatchObject({ id: created.id, name: 'Admin', isAdmin: false });
    expect((await userRow(email)).isAdmin).toBe(false);
    await createVerifiedUser(app.deps, { email, name: 'Autre', password: 'une autre phrase', isAdmin: true });
    expect((await userRow(email)).isAdmin).toBe(true);
    const admin = await createVerifiedUser(app.deps, { email: newEmail(), name: 'Admin', password: 'une phrase de passe', isAdmin: true });
    expect(admin.isAdmin).toBe(true);
  });
});
