import { existsSync, readdirSync } from 'node:fs';
import { eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mailOutbox, sessions, users } from '../../db/schema/index.js';
import { hashToken } from '../../server/accounts/sessions.repository.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, linkIn, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer } from '../helpers/offers.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('sign-up, confirmation and sign-in', () => {
  it('creates an account, mails a confirmation link that confirms the address and asks for a sign-in', async () => {
    const agent = new Agent(app);
    const signUp = await agent.post('/inscription', {
      name: 'Claire Martin',
      email: 'Claire.Martin@Exemple.fr',
      password: 'une phrase de passe',
      passwordConfirm: 'une phrase de passe',
      terms: 'on',
    });
    expect(signUp.statusCode).toBe(200);
    expect(signUp.body).toContain('Vérifiez votre messagerie');

    const beforeConfirm = await agent.post('/connexion', { email: 'claire.martin@exemple.fr', password: 'une phrase de passe' });
    expect(beforeConfirm.statusCode).toBe(403);
    expect(beforeConfirm.body).toContain('pas encore confirmée');

    const mail = (await readMails(app)).find((m) => m.to.includes('claire.martin@exemple.fr'));
    expect(mail?.subject).toBe('Confirmez votre adresse e-mail');
    const confirm = await agent.get(linkIn(mail!.text));
    expect(confirm.statusCode).toBe(302);
    expect(confirm.headers.location).toBe('/connexion?suivant=%2Fbienvenue');
    expect(agent.hasSession()).toBe(false);
    const signInPage = await agent.get(confirm.headers.location!);
    expect(signInPage.body).toContain('Votre adresse e-mail est confirmée. Connectez-vous pour commencer.');
    expect(signInPage.body).toContain('name="suivant" value="/bienvenue"');

    const reused = await new Agent(app).get(linkIn(mail!.text));
    expect(reused.statusCode).toBe(400);

    const signIn = await agent.post('/connexion', { email: 'claire.martin@exemple.fr', password: 'une phrase de passe', suivant: '/bienvenue' });
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe('/bienvenue');
    expect((await agent.get('/compte')).body).toContain('Claire Martin');
  });

  it('does not open a session for whoever opens a confirmation link (login CSRF)', async () => {
    const attacker = new Agent(app);
    await attacker.post('/inscription', {
      name: 'Compte Piège',
      email: 'piege@exemple.fr',
      password: 'une phrase de passe',
      passwordConfirm: 'une phrase de passe',
      terms: 'on',
    });
    const mail = (await readMails(app)).find((m) => m.to.includes('piege@exemple.fr'));
    const victim = new Agent(app);
    const opened = await victim.get(linkIn(mail!.text));
    expect(opened.statusCode).toBe(302);
    expect(victim.hasSession()).toBe(false);
    expect((await victim.get('/compte')).headers.location).toBe('/connexion?suivant=%2Fcompte');
    const [row] = await app.deps.db.select().from(users).where(eq(users.email, 'piege@exemple.fr'));
    expect(row?.emailVerifiedAt).not.toBeNull();
    expect(await app.deps.db.select().from(sessions).where(eq(sessions.userId, row!.id))).toHaveLength(0);
  });

  it('does not reveal an existing account at sign-up, and mails its owner instead', async () => {
    const user = await createUser(app, { email: 'deja@exemple.fr' });
    const response = await new Agent(app).post('/inscription', {
      name: 'Autre',
      email: user.email,
      password: 'une autre phrase',
      passwordConfirm: 'une autre phrase',
      terms: 'on',
    });
    expect(response.body).toContain('Vérifiez votre messagerie');
    const mails = (await readMails(app)).filter((m) => m.to.includes('deja@exemple.fr'));
    expect(mails.map((m) => m.subject)).toContain('Vous avez déjà un compte Passerelle');
    const [row] = await app.deps.db.select().from(users).where(eq(users.email, 'deja@exemple.fr'));
    expect(row?.name).toBe(user.name);
  });

  it('shows a French message next to each bad field and never a 500', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ name: '', email: 'a@exemple.fr', password: 'xxxxxxxxxxxx', passwordConfirm: 'xxxxxxxxxxxx', terms: 'on' }, 'name', 'Ce champ est obligatoire.'],
      [
        { name: 'x'.repeat(101), email: 'a@exemple.fr', password: 'xxxxxxxxxxxx', passwordConfirm: 'xxxxxxxxxxxx', terms: 'on' },
        'name',
        '100 caractères au maximum',
      ],
      [
        { name: '<script>alert(1)</script>', email: 'a@exemple.fr', password: 'xxxxxxxxxxxx', passwordConfirm: 'xxxxxxxxxxxx', terms: 'on' },
        'name',
        'balises HTML',
      ],
      [{ name: 'Léa', email: 'pas-un-email', password: 'xxxxxxxxxxxx', passwordConfirm: 'xxxxxxxxxxxx', terms: 'on' }, 'email', 'Adresse e-mail invalide'],
      [{ name: 'Léa', email: 'a@exemple.fr', password: 'court', passwordConfirm: 'court', terms: 'on' }, 'password', 'au moins 10 caractères'],
      [
        { name: 'Léa', email: 'a@exemple.fr', password: 'xxxxxxxxxxxx', passwordConfirm: 'yyyyyyyyyyyy', terms: 'on' },
        'passwordConfirm',
        'ne correspondent pas',
      ],
      [{ name: 'Léa', email: 'a@exemple.fr', password: 'xxxxxxxxxxxx', passwordConfirm: 'xxxxxxxxxxxx' }, 'terms', 'conditions d’utilisation'],
    ];
    for (const [form, field, message] of cases) {
      const response = await new Agent(app).post('/inscription', form);
      expect(response.statusCode, `${field}: ${message}`).toBe(422);
      expect(response.body).toContain(`id="f-${field}-error"`);
      expect(response.body).toContain(message.replace(/’/g, '’'));
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    const [row] = await app.deps.db.select().from(users).where(eq(users.email, 'a@exemple.fr'));
    expect(row).toBeUndefined();
  });
});

describe('sessions', () => {
  it('refuses a wrong password with the same message as an unknown email', async () => {
    const user = await createUser(app);
    const wrong = await new Agent(app).post('/connexion', { email: user.email, password: 'pas le bon mot de passe' });
    const unknown = await new Agent(app).post('/connexion', { email: 'inconnu@exemple.fr', password: 'pas le bon mot de passe' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Adresse e-mail ou mot de passe incorrect.');
    expect(unknown.body).toContain('Adresse e-mail ou mot de passe incorrect.');
  });

  it('revokes the session on sign-out: the old cookie no longer works', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const cookie = `passerelle_session=${(agent as unknown as { cookies: Map<string, string> }).cookies.get('passerelle_session')}`;
    expect((await agent.get('/compte')).statusCode).toBe(200);
    await agent.post('/deconnexion');
    const replay = await app.inject({ method: 'GET', url: '/compte', headers: { cookie } });
    expect(replay.statusCode).toBe(302);
    expect(await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
  });

  it('closes one of the user’s other sessions from the account page, and never a session of someone else', async () => {
    const user = await createUser(app);
    const laptop = await signedInAgent(app, user);
    const phone = await signedInAgent(app, user);
    const stranger = await signedInAgent(app);
    const own = await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(own).toHaveLength(2);
    const [other] = await app.deps.db.select().from(sessions).where(ne(sessions.userId, user.id)).limit(1);

    const foreign = await laptop.post(`/compte/sessions/${other!.id}/revoquer`);
    expect(foreign.statusCode).toBe(303);
    expect(await app.deps.db.select().from(sessions).where(eq(sessions.id, other!.id))).toHaveLength(1);
    expect((await stranger.get('/compte')).statusCode).toBe(200);

    const phoneToken = (phone as unknown as { cookies: Map<string, string> }).cookies.get('passerelle_session')!;
    const closed = await laptop.post(`/compte/sessions/${hashToken(phoneToken)}/revoquer`);
    expect(closed.headers.location).toBe('/compte');
    expect(await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1);
    expect((await phone.get('/compte')).statusCode).toBe(302);
    expect((await laptop.get('/compte')).statusCode).toBe(200);
  });

  it('gives a new session id at each sign-in and ends idle sessions', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const [first] = await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id));
    app.deps.clock.advance((app.deps.config.SESSION_IDLE_MINUTES + 1) * 60_000);
    try {
      expect((await agent.get('/compte')).statusCode).toBe(302);
    } finally {
      app.deps.clock.setNow(null);
      app.deps.clock.advance(-(app.deps.config.SESSION_IDLE_MINUTES + 1) * 60_000);
    }
    await agent.post('/connexion', { email: user.email, password: PASSWORD });
    const [second] = await app.deps.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(second?.id).not.toBe(first?.id);
  });

  it('ends a session kept busy more often than the idle limit once SESSION_ABSOLUTE_HOURS have passed since sign-in', async () => {
    const short = await createTestApp({ SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 2 });
    try {
      const agent = await signedInAgent(short);
      for (let minutes = 25; minutes < 120; minutes += 25) {
        short.deps.clock.advance(25 * 60_000);
        expect((await agent.get('/compte')).statusCode, `${minutes} min after sign-in`).toBe(200);
      }
      short.deps.clock.advance(25 * 60_000);
      const expired = await agent.get('/compte');
      expect(expired.statusCode).toBe(302);
      expect(expired.headers.location).toBe('/connexion?suivant=%2Fcompte');
    } finally {
      await short.close();
    }
  }, 120_000);

  it('rate-limits sign-in attempts', async () => {
    const limited = await createTestApp();
    try {
      const agent = new Agent(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await agent.post('/connexion', { email: 'x@exemple.fr', password: 'mauvais mot de passe' })).statusCode);
      expect(statuses.slice(0, 10).every((s) => s === 422)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      expect(agent.lastResponse?.body).toContain('Trop de tentatives');
    } finally {
      await limited.close();
    }
  }, 120_000);
});

describe('CSRF', () => {
  it('refuses a state-changing form without a valid token and writes nothing', async () => {
    const user = await createUser(app, { name: 'Nom initial' });
    const agent = await signedInAgent(app, user);
    const missing = await agent.post('/compte', { name: 'Pirate' }, { csrf: false });
    const wrong = await agent.post('/compte', { name: 'Pirate' }, { csrf: 'jeton-invalide' });
    expect(missing.statusCode).toBe(403);
    expect(wrong.statusCode).toBe(403);
    expect(missing.body).toContain('Ce formulaire a expiré');
    const [row] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.name).toBe('Nom initial');
  });

  it('refuses a token issued to the anonymous visitor once a session is open in the same browser', async () => {
    const user = await createUser(app, { name: 'Nom initial' });
    const agent = new Agent(app);
    const anonymousToken = await agent.csrfToken();
    await agent.post('/connexion', { email: user.email, password: PASSWORD });
    expect(agent.hasSession()).toBe(true);
    const response = await agent.post('/compte', { name: 'Pirate' }, { csrf: anonymousToken });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Ce formulaire a expiré');
    const [row] = await app.deps.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.name).toBe('Nom initial');
  });

  it('refuses a token issued to an earlier session once another one is active', async () => {
    const [first, second] = [await createUser(app), await createUser(app, { name: 'Second compte' })];
    const agent = await signedInAgent(app, first);
    const firstSessionToken = await agent.csrfToken();
    await agent.post('/deconnexion');
    await agent.post('/connexion', { email: second.email, password: PASSWORD });
    const response = await agent.post('/compte', { name: 'Pirate' }, { csrf: firstSessionToken });
    expect(response.statusCode).toBe(403);
    const [row] = await app.deps.db.select().from(users).where(eq(users.id, second.id));
    expect(row?.name).toBe('Second compte');
  });

  it('accepts the token in the X-CSRF-Token header, as htmx sends it', async () => {
    const agent = await signedInAgent(app);
    const token = await agent.csrfToken();
    const response = await agent.post('/compte', { name: 'Nouveau nom' }, { csrf: false, headers: { 'x-csrf-token': token } });
    expect(response.statusCode).toBe(303);
  });
});

describe('changing one’s password', () => {
  const form = (currentPassword: string) => ({ currentPassword, password: 'une toute nouvelle phrase', passwordConfirm: 'une toute nouvelle phrase' });

  async function passwordHashOf(id: number) {
    const [row] = await app.deps.db.select().from(users).where(eq(users.id, id));
    return row!.passwordHash;
  }

  it('refuses a wrong current password beside the field, and keeps the password and the other sessions', async () => {
    const user = await createUser(app);
    const [agent, otherDevice] = [await signedInAgent(app, user), await signedInAgent(app, user)];
    const before = await passwordHashOf(user.id);
    const response = await agent.post('/compte/mot-de-passe', form('pas le mot de passe actuel'));
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="f-currentPassword-error"><span class="visually-hidden">Erreur : <\/span>Mot de passe actuel incorrect\.<\/p>/);
    expect(await passwordHashOf(user.id)).toBe(before);
    expect((await otherDevice.get('/compte')).statusCode).toBe(200);
    expect((await new Agent(app).post('/connexion', { email: user.email, password: PASSWORD })).statusCode).toBe(303);
  });

  it('asks for the current password when it is missing', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const before = await passwordHashOf(user.id);
    const response = await agent.post('/compte/mot-de-passe', form(''));
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Saisissez votre mot de passe actuel.');
    expect(await passwordHashOf(user.id)).toBe(before);
  });

  it('with the right current password, changes it, ends the other sessions and the reset links, keeps this one', async () => {
    const user = await createUser(app);
    const [agent, otherDevice] = [await signedInAgent(app, user), await signedInAgent(app, user)];
    await new Agent(app).post('/mot-de-passe-oublie', { email: user.email });
    const resetLink = linkIn((await readMails(app)).findLast((m) => m.to.includes(user.email) && m.subject.includes('Réinitialisez'))!.text);
    const response = await agent.post('/compte/mot-de-passe', form(PASSWORD));
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/compte');
    expect((await agent.get('/compte')).body).toContain('Mot de passe changé. Vos autres sessions ont été fermées.');
    expect((await otherDevice.get('/compte')).statusCode).toBe(302);
    expect((await new Agent(app).get(resetLink)).statusCode).toBe(400);
    expect((await new Agent(app).post('/connexion', { email: user.email, password: PASSWORD })).statusCode).toBe(422);
    expect((await new Agent(app).post('/connexion', { email: user.email, password: 'une toute nouvelle phrase' })).statusCode).toBe(303);
  });
});

describe('password reset', () => {
  it('mails a one-hour link that sets a new password and closes every other session', async () => {
    const user = await createUser(app);
    const oldSession = await signedInAgent(app, user);
    const agent = new Agent(app);
    await agent.post('/mot-de-passe-oublie', { email: user.email });
    const mail = (await readMails(app)).find((m) => m.to.includes(user.email) && m.subject.includes('Réinitialisez'));
    const link = linkIn(mail!.text);
    expect((await agent.get(link)).statusCode).toBe(200);
    const done = await agent.post(link, { password: 'nouvelle phrase secrète', passwordConfirm: 'nouvelle phrase secrète' });
    expect(done.statusCode, done.body.slice(-2000)).toBe(303);
    expect((await oldSession.get('/compte')).statusCode).toBe(302);
    const signIn = await new Agent(app).post('/connexion', { email: user.email, password: 'nouvelle phrase secrète' });
    expect(signIn.statusCode).toBe(303);
    expect((await new Agent(app).get(link)).statusCode).toBe(400);
  });

  it('keeps one live link per account: a newer link ends the older one', async () => {
    const user = await createUser(app);
    await new Agent(app).post('/mot-de-passe-oublie', { email: user.email });
    await new Agent(app).post('/mot-de-passe-oublie', { email: user.email });
    const links = (await readMails(app)).filter((m) => m.to.includes(user.email) && m.subject.includes('Réinitialisez')).map((m) => linkIn(m.text));
    expect(links).toHaveLength(2);
    expect((await new Agent(app).get(links[0]!)).statusCode).toBe(400);
    const agent = new Agent(app);
    const stale = await agent.post(links[0]!, { password: 'une phrase périmée', passwordConfirm: 'une phrase périmée' });
    expect(stale.statusCode).toBe(400);
    expect((await agent.get(links[1]!)).statusCode).toBe(200);
    expect((await agent.post(links[1]!, { password: 'nouvelle phrase secrète', passwordConfirm: 'nouvelle phrase secrète' })).statusCode).toBe(303);
    expect((await new Agent(app).get(links[1]!)).statusCode).toBe(400);
  });

  it('does the same work for a known and an unknown address: same page, the email queued and not sent inline', async () => {
    const user = await createUser(app);
    const render = vi.spyOn(app.deps.mailer, 'render');
    const outbox = async () => app.deps.db.select().from(mailOutbox).where(eq(mailOutbox.status, 'pending'));
    const mailFiles = () => (existsSync(app.deps.mailer.outboxDir) ? readdirSync(app.deps.mailer.outboxDir).length : 0);
    while ((await app.deps.mailer.flush()) > 0) {}
    const filesBefore = mailFiles();
    try {
      const known = await new Agent(app).post('/mot-de-passe-oublie', { email: user.email });
      const rendersForKnown = render.mock.calls.length;
      const unknown = await new Agent(app).post('/mot-de-passe-oublie', { email: 'personne@exemple.fr' });
      expect(known.statusCode).toBe(200);
      expect(unknown.statusCode).toBe(200);
      expect(unknown.body).toContain('Si un compte existe');
      const page = (response: typeof known, email: string) =>
        response.body.replaceAll(email, 'ADRESSE').replace(/value="[^"]{40,}"|"X-CSRF-Token": "[^"]+"/g, 'JETON');
      expect(page(known, user.email)).toBe(page(unknown, 'personne@exemple.fr'));
      expect(rendersForKnown).toBe(1);
      expect(render.mock.calls.length - rendersForKnown).toBe(1);
      expect((await outbox()).map((m) => m.to)).toEqual([user.email]);
      expect(mailFiles()).toBe(filesBefore);
    } finally {
      render.mockRestore();
    }
  });

  it('answers the same for an unknown address', async () => {
    const response = await new Agent(app).post('/mot-de-passe-oublie', { email: 'personne@exemple.fr' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Si un compte existe');
  });
});

describe('the home page', () => {
  it('counts the partner organisations, the accueils and the published offers', async () => {
    const figure = (body: string, label: string) =>
      Number(new RegExp(`<strong>([\\d\\s\\u202f\\u00a0]+)</strong> ${label}</li>`).exec(body)?.[1]?.replace(/\\D/g, ''));
    const before = (await app.inject({ url: '/' })).body;
    const partner = await createOrganisation(app, { kind: 'partner' });
    await createOrganisation(app, { kind: 'acm', type: null });
    await insertOffer(app, partner.id, { status: 'published' });
    await insertOffer(app, partner.id, { status: 'draft' });
    const after = (await app.inject({ url: '/' })).body;
    expect(figure(after, 'partenaires') - figure(before, 'partenaires')).toBe(1);
    expect(figure(after, 'accueils de loisirs') - figure(before, 'accueils de loisirs')).toBe(1);
    expect(figure(after, 'offres publiées') - figure(before, 'offres publiées')).toBe(1);
  });

  it('sends visitors to sign up, and signed-in users straight to creating their accueil or structure', async () => {
    const visitor = await app.inject({ url: '/' });
    expect(visitor.body).toContain('<a href="/inscription">Inscrire mon accueil</a>');
    const member = await signedInAgent(app);
    const home = await member.get('/');
    expect(home.body).toContain('<a href="/structures/nouvelle?type=accueil">Inscrire mon accueil</a>');
    expect(home.body).toContain('<a href="/structures/nouvelle?type=partenaire">Publier mes offres</a>');
    expect((await member.get('/structures/nouvelle?type=accueil')).statusCode).toBe(200);
  });
});
