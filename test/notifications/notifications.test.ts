import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notificationPreferences, notifications } from '../../db/schema/index.js';
import { notify } from '../../server/notifications/notifications.usecases.js';
import type { App } from '../../server/types.js';
import { Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, linkIn, readMails, signedInAgent } from '../helpers/fixtures.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});
afterEach(() => {
  app.deps.clock.setNow(null);
});

async function mailsTo(email: string) {
  return (await readMails(app)).filter((m) => m.to.includes(email));
}

/** The emails to `email` sent while `action` ran (the .eml names follow the test clock, so compare sets). */
async function newMailsTo(email: string, action: () => Promise<unknown>) {
  const before = new Set((await mailsTo(email)).map((m) => m.file));
  await action();
  // The outbox sends what is due by the real time: bring the clock back before reading.
  app.deps.clock.setNow(null);
  return (await mailsTo(email)).filter((m) => !before.has(m.file));
}

/** The List-Unsubscribe header (nodemailer folds long headers onto the next line). */
function listUnsubscribe(raw: string): { url: string; post: string } {
  const head = (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
  return {
    url: /^List-Unsubscribe:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '',
    post: /^List-Unsubscribe-Post:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '',
  };
}

function unsubscribePath(text: string): string {
  const match = /http:\/\/localhost:3000(\/notifications\/desabonnement\/[^\s>]+)/.exec(text);
  if (!match) throw new Error(`No unsubscribe link in: ${text}`);
  return match[1]!;
}

describe('notify', () => {
  it('notifies every member of an organisation in the app and by email, except the author of the event', async () => {
    const author = await createUser(app);
    const colleague = await createUser(app);
    const outsider = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: author.id, memberIds: [colleague.id] });
    await createOrganisation(app, { ownerId: outsider.id });

    await app.deps.db.transaction((tx) =>
      notify(app.deps, tx, {
        organisationIds: [organisation.id],
        type: 'request_received',
        title: 'Nouvelle demande de l’accueil Les Pinsons',
        body: 'Atelier théâtre, 12 enfants de 6 à 8 ans.',
        url: '/demandes/42',
        excludeUserId: author.id,
      }),
    );

    const rows = await app.deps.db.select().from(notifications).where(eq(notifications.title, 'Nouvelle demande de l’accueil Les Pinsons'));
    expect(rows.map((r) => r.userId)).toEqual([colleague.id]);

    const [mail] = await mailsTo(colleague.email);
    expect(mail?.subject).toBe('Nouvelle demande de l’accueil Les Pinsons');
    expect(mail?.text).toContain('Atelier théâtre, 12 enfants de 6 à 8 ans.');
    expect(linkIn(mail!.text)).toBe('/demandes/42');
    expect(listUnsubscribe(mail!.raw).url).toMatch(/^<http:\/\/localhost:3000\/notifications\/desabonnement\/[^>]+>$/);
    expect(listUnsubscribe(mail!.raw).post).toBe('List-Unsubscribe=One-Click');
    expect(await mailsTo(author.email)).toHaveLength(0);
    expect(await mailsTo(outsider.email)).toHaveLength(0);
  });

  it('writes nothing when the transaction that caused the event is rolled back', async () => {
    const user = await createUser(app);
    await app.deps.db
      .transaction(async (tx) => {
        await notify(app.deps, tx, { userIds: [user.id], type: 'message_received', title: 'Annulé', url: '/demandes/1' });
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(await app.deps.db.select().from(notifications).where(eq(notifications.userId, user.id))).toHaveLength(0);
    expect(await mailsTo(user.email)).toHaveLength(0);
  });
});

describe('bell and notifications page', () => {
  it('shows the unread count in the header, lists the notifications and marks them read', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    expect((await agent.get('/compte')).body).not.toContain('class="badge"');

    for (const title of ['Premier événement', 'Deuxième événement · Judo du mercredi']) {
      await notify(app.deps, app.deps.db, { userIds: [user.id], type: 'request_status', title, url: '/compte' });
    }
    const page = await agent.get('/compte');
    expect(page.body).toMatch(/class="badge" data-count="2">2<span class="visually-hidden"> non lues/);

    const poll = await agent.get('/notifications/compteur', { 'hx-request': 'true' });
    expect(poll.statusCode).toBe(200);
    expect(poll.body).toContain('data-count="2"');
    expect(poll.body).toContain('hx-trigger="every 45s');
    expect(poll.body).not.toContain('<html');

    const list = await agent.get('/notifications');
    expect(list.body).toContain('Premier événement');
    // The stored title's « · » never starts a line of the list.
    expect(list.body).toContain('Deuxième événement\u00a0· Judo du mercredi</a>');

    const [first] = await app.deps.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, user.id), eq(notifications.title, 'Premier événement')));
    const open = await agent.get(`/notifications/${first!.id}/ouvrir`);
    expect(open.statusCode).toBe(302);
    expect(open.headers.location).toBe('/compte');
    expect((await agent.get('/notifications/compteur')).body).toContain('data-count="1"');

    await agent.post('/notifications/tout-lu');
    expect((await agent.get('/notifications/compteur')).body).not.toContain('data-count');
  });

  it('keeps each user’s notifications private', async () => {
    const owner = await createUser(app);
    const other = await signedInAgent(app);
    const [created] = await notify(app.deps, app.deps.db, { userIds: [owner.id], type: 'request_status', title: 'Secret', url: '/compte' });
    expect((await other.get(`/notifications/${created!.id}/ouvrir`)).statusCode).toBe(404);
    expect((await other.get('/notifications')).body).not.toContain('Secret');
    await other.post(`/notifications/${created!.id}/lue`);
    const [row] = await app.deps.db.select().from(notifications).where(eq(notifications.id, created!.id));
    expect(row?.readAt).toBeNull();
  });

  it('answers the poll of a signed-out visitor with 204 and sends visitors of the list to sign in', async () => {
    const visitor = new Agent(app);
    expect((await visitor.get('/notifications/compteur')).statusCode).toBe(204);
    const list = await visitor.get('/notifications');
    expect(list.statusCode).toBe(302);
    expect(list.headers.location).toContain('/connexion');
  });
});

describe('preferences and daily digest', () => {
  it('saves a preference per type from the account page', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const page = await agent.get('/compte/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nouvelle demande reçue');
    expect(page.body).toContain('Un résumé quotidien');

    const saved = await agent.post('/compte/notifications', { mode_message_received: 'digest', mode_request_reminder: 'off' });
    expect(saved.statusCode).toBe(303);
    const prefs = await app.deps.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, user.id));
    expect(Object.fromEntries(prefs.map((p) => [p.type, p.mode]))).toEqual({ message_received: 'digest', request_reminder: 'off' });

    const bad = await agent.post('/compte/notifications', { mode_message_received: 'toujours' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Choisissez une valeur dans la liste.');
  });

  it('groups a day’s digest-mode events into one email the next morning, and sends it once', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    await agent.post('/compte/notifications', { mode_message_received: 'digest', mode_request_status: 'digest' });
    const day = '2026-03-10';
    const during = await newMailsTo(user.email, async () => {
      for (const [time, type, title] of [
        ['08:30', 'message_received', 'Message de la médiathèque'],
        ['13:00', 'message_received', 'Message du club de judo'],
        ['17:45', 'request_status', 'Votre demande a été acceptée'],
      ] as const) {
        app.deps.clock.setNow(new Date(`${day}T${time}:00Z`));
        await notify(app.deps, app.deps.db, { userIds: [user.id], type, title, url: '/notifications' });
      }
      app.deps.clock.setNow(new Date('2026-03-11T04:00:00Z'));
      await app.deps.scheduler.runNow('notifications-digest');
    });
    expect(during).toHaveLength(0);

    app.deps.clock.setNow(new Date('2026-03-11T07:30:00Z'));
    const mails = await newMailsTo(user.email, async () => {
      await app.deps.scheduler.runNow('notifications-digest');
      await app.deps.scheduler.runNow('notifications-digest');
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Votre résumé Passerelle : 3 nouveautés');
    for (const title of ['Message de la médiathèque', 'Message du club de judo', 'Votre demande a été acceptée']) expect(mails[0]!.text).toContain(title);
    expect(mails[0]!.text).toContain('Nouveau message dans une demande');
    expect(linkIn(mails[0]!.text)).toBe('/notifications');
  });
});

describe('unsubscribe', () => {
  it('works without signing in, with a confirmation page, and only for that type', async () => {
    const user = await createUser(app);
    const [mail] = await newMailsTo(user.email, () =>
      notify(app.deps, app.deps.db, { userIds: [user.id], type: 'message_received', title: 'Un message', url: '/notifications' }),
    );
    const path = unsubscribePath(mail!.text);

    const visitor = new Agent(app);
    const confirm = await visitor.get(path);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Nouveau message dans une demande');
    expect(confirm.body).toContain('Confirmer la désinscription');

    const done = await visitor.post(path, {});
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Désinscription enregistrée');

    const after = await newMailsTo(user.email, async () => {
      await notify(app.deps, app.deps.db, { userIds: [user.id], type: 'message_received', title: 'Un autre message', url: '/notifications' });
      await notify(app.deps, app.deps.db, { userIds: [user.id], type: 'request_received', title: 'Une nouvelle demande', url: '/notifications' });
    });
    expect(after.map((m) => m.subject)).toEqual(['Une nouvelle demande']);
    const inApp = await app.deps.db.select().from(notifications).where(eq(notifications.userId, user.id));
    expect(inApp.map((n) => n.title)).toContain('Un autre message');
  });

  it('accepts the RFC 8058 one-click POST from a mail client, without cookie or CSRF token', async () => {
    const user = await createUser(app);
    const [mail] = await newMailsTo(user.email, () =>
      notify(app.deps, app.deps.db, { userIds: [user.id], type: 'request_reminder', title: 'Rappel', url: '/notifications' }),
    );
    const url = /^<http:\/\/localhost:3000([^>]+)>$/.exec(listUnsubscribe(mail!.raw).url)?.[1];
    const response = await app.inject({
      method: 'POST',
      url: url!,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(200);
    const { payload, boundary } = multipart({ 'List-Unsubscribe': 'One-Click' });
    const asMultipart = await app.inject({ method: 'POST', url: url!, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(asMultipart.statusCode).toBe(200);
    const [pref] = await app.deps.db
      .select()
      .from(notificationPreferences)
      .where(and(eq(notificationPreferences.userId, user.id), eq(notificationPreferences.type, 'request_reminder')));
    expect(pref?.mode).toBe('off');
  });

  it('refuses a forged or altered token', async () => {
    const user = await createUser(app);
    const forged = `/notifications/desabonnement/${user.id}.request_received.${'A'.repeat(32)}`;
    expect((await new Agent(app).get(forged)).statusCode).toBe(404);
    const response = await app.inject({
      method: 'POST',
      url: forged,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(404);
    expect(await app.deps.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, user.id))).toHaveLength(0);
    expect((await new Agent(app).get('/notifications/desabonnement/pas-un-jeton')).statusCode).toBe(404);
  });
});
