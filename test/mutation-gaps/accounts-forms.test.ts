import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function lastMailTo(email: string, subject: string) {
  const mail = (await readMails(app)).findLast((m) => m.to.includes(email) && m.subject.includes(subject));
  if (!mail) throw new Error(`no « ${subject} » mail to ${email}`);
  return mail;
}

describe('account forms', () => {
  it('asks for the email address beside its field when sign-up, sign-in or the reset form leaves it empty', async () => {
    const signUp = await new Agent(app).post('/inscription', {
      name: 'Léa Roux',
      email: '',
      password: 'une phrase de passe',
      passwordConfirm: 'une phrase de passe',
      terms: 'on',
    });
    const signIn = await new Agent(app).post('/connexion', { email: '', password: 'une phrase de passe' });
    const reset = await new Agent(app).post('/mot-de-passe-oublie', { email: '' });
    for (const [name, response] of Object.entries({ signUp, signIn, reset })) {
      expect(response.statusCode, name).toBe(422);
      expect(response.body, name).toMatch(/id="[\w-]*email-error"><span class="visually-hidden">Erreur : <\/span>Ce champ est obligatoire\./);
    }
  });

  it('names the address, as the account will know it, on the page shown after sign-up, new or already registered', async () => {
    const existing = await createUser(app);
    const form = { name: 'Léa Roux', password: 'une phrase de passe', passwordConfirm: 'une phrase de passe', terms: 'on' };
    const fresh = await new Agent(app).post('/inscription', { ...form, email: ' Lea.Roux@Exemple.FR ' });
    const again = await new Agent(app).post('/inscription', { ...form, email: existing.email.toUpperCase() });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.body).toContain('Si l’adresse <strong>lea.roux@exemple.fr</strong> peut être utilisée');
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain(`Si l’adresse <strong>${existing.email}</strong> peut être utilisée`);
  });

  it('asks for the password beside its field when sign-in leaves it empty', async () => {
    const user = await createUser(app);
    const response = await new Agent(app).post('/connexion', { email: user.email, password: '' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="[\w-]*password-error"><span class="visually-hidden">Erreur : <\/span>Saisissez votre mot de passe\./);
  });

  it('refuses a confirmation link that was never issued, with the expired-link page', async () => {
    const response = await new Agent(app).get(`/confirmation/${'a'.repeat(43)}`);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Lien expiré');
  });

  it('mails the owner of an address that signs up again a link to choose a new password, by name', async () => {
    const user = await createUser(app);
    await new Agent(app).post('/inscription', {
      name: 'Autre Nom',
      email: user.email,
      password: 'une phrase de passe',
      passwordConfirm: 'une phrase de passe',
      terms: 'on',
    });
    const mail = await lastMailTo(user.email, 'Vous avez déjà un compte Passerelle');
    expect(mail.text).toContain(`Bonjour ${user.name},`);
    expect(mail.text).toContain(`${app.deps.config.BASE_URL}/mot-de-passe-oublie`);
  });

  it('mails the reset link to the account’s own address, greeting its owner by name', async () => {
    const user = await createUser(app);
    await new Agent(app).post('/mot-de-passe-oublie', { email: user.email.toUpperCase() });
    const mail = await lastMailTo(user.email, 'Réinitialisez votre mot de passe');
    expect(mail.to).toContain(user.email);
    expect(mail.text).toContain(`Bonjour ${user.name},`);
    expect(mail.text).toMatch(new RegExp(`${app.deps.config.BASE_URL}/reinitialisation/[A-Za-z0-9_-]{20,}`));
  });

  it('asks for the profile’s name beside its field, and keeps it and the job title within 100 characters', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const nameOf = async () => (await app.deps.db.select().from(users).where(eq(users.id, user.id)))[0]!.name;
    const empty = await agent.post('/compte', { name: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toMatch(/id="f-name-error"><span class="visually-hidden">Erreur : <\/span>Ce champ est obligatoire\./);
    const long = await agent.post('/compte', { name: 'n'.repeat(101) });
    expect(long.statusCode).toBe(422);
    expect(long.body).toMatch(/id="f-name-error"><span class="visually-hidden">Erreur : <\/span>100 caractères au maximum \(vous en avez saisi 101\)\./);
    const longTitle = await agent.post('/compte', { name: 'Léa Roux', jobTitle: 't'.repeat(101) });
    expect(longTitle.statusCode).toBe(422);
    expect(longTitle.body).toMatch(
      /id="f-jobTitle-error"><span class="visually-hidden">Erreur : <\/span>100 caractères au maximum \(vous en avez saisi 101\)\./,
    );
    expect(await nameOf()).toBe(user.name);
    expect((await agent.post('/compte', { name: 'n'.repeat(100), jobTitle: 't'.repeat(100) })).statusCode).toBe(303);
    expect(await nameOf()).toBe('n'.repeat(100));
  });

  it('shows a wrong or missing current password beside the current-password field of the password form, not beside the new one', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const send = (currentPassword: string) =>
      agent.post('/compte/mot-de-passe', { currentPassword, password: 'une toute nouvelle phrase', passwordConfirm: 'une toute nouvelle phrase' });
    const wrong = await send(`${PASSWORD}-faux`);
    const missing = await send('');
    for (const [response, message] of [
      [wrong, 'Mot de passe actuel incorrect.'],
      [missing, 'Saisissez votre mot de passe actuel.'],
    ] as const) {
      expect(response.statusCode, message).toBe(422);
      expect(response.body).toContain(`id="f-currentPassword-error"><span class="visually-hidden">Erreur : </span>${message}</p>`);
      expect(response.body).toContain(`<a href="#f-currentPassword">Mot de passe actuel : ${message}</a>`);
      expect(response.body).not.toContain('id="f-password-error"');
    }
  });
});
