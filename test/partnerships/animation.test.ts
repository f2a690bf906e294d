import { createHash } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFeeds, memberships, notifications, partnershipDeadlines, partnershipMeetings, partnershipSessions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, readMails, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
let base: string;
beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app);
  base = `/partenariats/${f.partnership.id}`;
  // Weekly, 4 November to 16 December 2026, afternoons: 6 sessions (11 November is a public holiday).
  const response = await f.acmAgent.post(`${base}/calendrier`, {
    periodicity: 'hebdomadaire',
    periodStart: '2026-11-01',
    periodEnd: '2026-12-16',
    slot: 'mercredi-apres-midi',
    place: 'Dojo des Pentes',
  });
  if (response.statusCode !== 303) throw new Error(`calendar: ${response.statusCode}`);
});
afterAll(async () => {
  await app.close();
});

async function sessions() {
  return app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, f.partnership.id)).orderBy(partnershipSessions.date);
}

function feedPath(page: string): string {
  const url = /value="(http:\/\/localhost:3000\/calendriers\/[A-Za-z0-9_-]+\.ics)"/.exec(page)![1]!;
  return url.replace('http://localhost:3000', '');
}

function vevents(text: string): VEvent[] {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
}

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

describe('the iCal feed', () => {
  it('parses, has one event per planned session at the right Paris times, and follows cancellations', async () => {
    const created = await f.acmAgent.post(`${base}/agenda`);
    expect(created.statusCode).toBe(200);
    const path = feedPath(created.body);
    const response = await new Agent(app).get(path);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/calendar');
    expect(response.body).toContain('BEGIN:VTIMEZONE');
    const events = vevents(response.body);
    const sessionEvents = events.filter((e) => e.uid.startsWith('session-'));
    expect(sessionEvents).toHaveLength(6);
    expect(sessionEvents.map((e) => parisTime.format(e.start))).toEqual([
      '04/11/2026 14:00',
      '18/11/2026 14:00',
      '25/11/2026 14:00',
      '02/12/2026 14:00',
      '09/12/2026 14:00',
      '16/12/2026 14:00',
    ]);
    expect(sessionEvents.map((e) => parisTime.format(e.end)).every((t) => t.endsWith('16:00'))).toBe(true);
    // 14:00 in Paris in winter is 13:00 UTC.
    expect(sessionEvents[0]!.start.toISOString()).toBe('2026-11-04T13:00:00.000Z');
    expect(sessionEvents[0]!.location).toBe('Dojo des Pentes');

    const list = await sessions();
    await f.acmAgent.post(`${base}/seances/${list[1]!.id}`, {
      date: list[1]!.date,
      startTime: '14:00',
      endTime: '16:00',
      status: 'cancelled',
      cancelReason: 'Grève des transports',
    });
    const after = vevents((await new Agent(app).get(path)).body).filter((e) => e.uid.startsWith('session-'));
    // The cancelled session stays in the feed, cancelled, with a higher SEQUENCE: calendar apps replace their copy.
    expect(after).toHaveLength(6);
    const cancelled = after.find((e) => e.uid === sessionEvents[1]!.uid)!;
    expect(cancelled.status).toBe('CANCELLED');
    expect(Number(cancelled.sequence)).toBeGreaterThan(Number(sessionEvents[1]!.sequence ?? 0));
    expect(after.filter((e) => e.status === 'CONFIRMED')).toHaveLength(5);
  });

  it('stamps every event in UTC (DTSTAMP ending in Z)', async () => {
    const created = await f.acmAgent.post(`${base}/agenda`);
    const text = (await new Agent(app).get(feedPath(created.body))).body;
    const stamps = [...text.matchAll(/^DTSTAMP:(.*)\r$/gm)].map((m) => m[1]);
    expect(stamps.length).toBeGreaterThan(0);
    expect(stamps.every((s) => /^\d{8}T\d{6}Z$/.test(s!))).toBe(true);
    const stamp = vevents(text)[0]!.dtstamp as unknown as Date;
    expect(Math.abs(new Date(stamp).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('answers 404 once revoked, and for a token that does not exist', async () => {
    const created = await f.partnerAgent.post(`${base}/agenda`);
    const path = feedPath(created.body);
    expect((await new Agent(app).get(path)).statusCode).toBe(200);
    const [feed] = await app.deps.db
      .select()
      .from(calendarFeeds)
      .where(and(eq(calendarFeeds.userId, f.partnerUser.id), eq(calendarFeeds.partnershipId, f.partnership.id)));
    // Only the token's hash is stored.
    const token = /\/calendriers\/(.+)\.ics$/.exec(path)![1]!;
    expect(feed!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const revoke = await f.partnerAgent.post(`/partenariats/agenda/${feed!.id}/revoquer`, { retour: `${base}/animation` });
    expect(revoke.statusCode).toBe(303);
    expect((await new Agent(app).get(path)).statusCode).toBe(404);
    expect((await new Agent(app).get('/calendriers/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).statusCode).toBe(404);
    // Another user cannot revoke someone else's feed.
    const created2 = await f.acmAgent.post('/partenariats/agenda');
    const [acmFeed] = await app.deps.db
      .select()
      .from(calendarFeeds)
      .where(and(eq(calendarFeeds.userId, f.acmUser.id), isNull(calendarFeeds.partnershipId)));
    expect((await f.partnerAgent.post(`/partenariats/agenda/${acmFeed!.id}/revoquer`)).statusCode).toBe(404);
    expect((await new Agent(app).get(feedPath(created2.body))).statusCode).toBe(200);
  });

  it('gives a user feed with every partnership of the user, and stops serving a partnership to someone who left', async () => {
    const member = await createUser(app);
    await app.deps.db.insert(memberships).values({ organisationId: f.partner.id, userId: member.id, role: 'member' });
    const agent = await signedInAgent(app, member);
    const userFeed = feedPath((await agent.post('/partenariats/agenda')).body);
    const partnershipFeed = feedPath((await agent.post(`${base}/agenda`)).body);
    const events = vevents((await new Agent(app).get(userFeed)).body);
    expect(events.length).toBeGreaterThanOrEqual(5);
    await app.deps.db.delete(memberships).where(and(eq(memberships.organisationId, f.partner.id), eq(memberships.userId, member.id)));
    expect((await new Agent(app).get(partnershipFeed)).statusCode).toBe(404);
    const emptied = vevents((await new Agent(app).get(userFeed)).body);
    expect(emptied).toHaveLength(0);
  });

  it('cannot be created by someone outside the partnership', async () => {
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'partner', ownerId: outsider.id });
    expect((await (await signedInAgent(app, outsider)).post(`${base}/agenda`)).statusCode).toBe(404);
  });
});

describe('sessions, meetings and deadlines', () => {
  it('links each error of the session and meeting forms to its own field, named by its label (the page holds both forms)', async () => {
    const links = (body: string) => [...body.matchAll(/<li><a href="#([\w-]+)">([^<]*)<\/a><\/li>/g)].map(([, id, text]) => [id, text]);
    const meeting = await f.acmAgent.post(`${base}/rendez-vous`, { date: '', startTime: '18:00', endTime: '19:00', agenda: '' });
    expect(meeting.statusCode).toBe(422);
    expect(links(meeting.body)).toEqual([
      ['f-meeting-date', 'Date : Ce champ est obligatoire.'],
      ['f-meeting-agenda', 'Ordre du jour : Ce champ est obligatoire.'],
    ]);
    for (const [id] of links(meeting.body)) expect(meeting.body).toContain(`id="${id}"`);
    const session = await f.partnerAgent.post(`${base}/seances`, { date: '', startTime: '14:00', endTime: '16:00' });
    expect(session.statusCode).toBe(422);
    expect(links(session.body)).toEqual([['f-session-date', 'Date : Ce champ est obligatoire.']]);
  });

  it('adds a session, a meeting with its minutes and a deadline, each in the history', async () => {
    expect(
      (await f.partnerAgent.post(`${base}/seances`, { date: '2027-01-13', startTime: '14:00', endTime: '16:00', notes: 'Séance de rattrapage' })).statusCode,
    ).toBe(303);
    expect((await sessions()).find((s) => s.date === '2027-01-13')).toMatchObject({ manual: true, notes: 'Séance de rattrapage' });
    expect(
      (
        await f.acmAgent.post(`${base}/rendez-vous`, {
          date: '2026-10-20',
          startTime: '18:00',
          endTime: '19:00',
          place: 'Accueil Jean-Zay',
          agenda: 'Lancement du cycle',
        })
      ).statusCode,
    ).toBe(303);
    const [meeting] = await app.deps.db.select().from(partnershipMeetings).where(eq(partnershipMeetings.partnershipId, f.partnership.id));
    expect(
      (
        await f.partnerAgent.post(`${base}/rendez-vous/${meeting!.id}`, {
          date: '2026-10-20',
          startTime: '18:00',
          endTime: '19:00',
          place: 'Accueil Jean-Zay',
          agenda: 'Lancement du cycle',
          participants: 'Claire, Karim',
          minutes: 'Groupes de 12, tatamis livrés le 3 novembre.',
        })
      ).statusCode,
    ).toBe(303);
    expect(
      (await f.acmAgent.post(`${base}/echeances`, { dueDate: '2026-10-30', label: 'Déclarer l’intervenant dans TAM', responsible: 'acm' })).statusCode,
    ).toBe(303);
    const [deadline] = await app.deps.db.select().from(partnershipDeadlines).where(eq(partnershipDeadlines.partnershipId, f.partnership.id));
    const overview = await f.acmAgent.get(base);
    expect(overview.body).toContain('Déclarer l’intervenant dans TAM');
    expect((await f.acmAgent.post(`${base}/echeances/${deadline!.id}/basculer`)).statusCode).toBe(303);
    const page = await f.acmAgent.get(`${base}/animation`);
    expect(page.body).toContain('Groupes de 12, tatamis livrés le 3 novembre.');
    expect(page.body).toContain('Faite le');
    const history = await f.acmAgent.get(`${base}/historique`);
    expect(history.body).toContain('Rendez-vous fixé le 20 octobre 2026 à 18 h (Accueil Jean-Zay).');
    expect(history.body).toContain('Échéance « Déclarer l’intervenant dans TAM » faite.');
    expect(history.body).toContain('Séance ajoutée le 13 janvier 2027 de 14 h à 16 h.');
  });
});

describe('recording a session', () => {
  it('refuses to mark a future session held or give it attendance, with a French message beside each field', async () => {
    app.deps.clock.setNow(new Date('2026-11-10T10:00:00Z'));
    try {
      const future = (await sessions()).find((s) => s.date === '2026-11-25')!;
      const response = await f.acmAgent.post(`${base}/seances/${future.id}`, {
        date: future.date,
        startTime: '14:00',
        endTime: '16:00',
        status: 'held',
        childrenPresent: '14',
        notes: '',
      });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('Cette séance est à venir (25 novembre 2026) : elle ne peut être marquée réalisée qu’à partir de ce jour.');
      expect(response.body).toContain('La présence des enfants se renseigne le jour de la séance ou après.');
      expect(response.body).toMatch(/id="f-childrenPresent-error"/);
      expect((await sessions()).find((s) => s.id === future.id)).toMatchObject({ status: 'planned', childrenPresent: null });
      // Moving a past session into the future while recording it is refused just the same.
      const past = (await sessions()).find((s) => s.date === '2026-11-04')!;
      const moved = await f.acmAgent.post(`${base}/seances/${past.id}`, {
        date: '2026-12-30',
        startTime: '14:00',
        endTime: '16:00',
        status: 'held',
        notes: '',
      });
      expect(moved.statusCode).toBe(422);
      // The past session is recorded.
      const held = await f.acmAgent.post(`${base}/seances/${past.id}`, {
        date: past.date,
        startTime: '14:00',
        endTime: '16:00',
        status: 'held',
        childrenPresent: '14',
        notes: '',
      });
      expect(held.statusCode).toBe(303);
      expect((await sessions()).find((s) => s.id === past.id)).toMatchObject({ status: 'held', childrenPresent: 14 });
    } finally {
      app.deps.clock.setNow(null);
    }
  });

  it('asks for the reason of a cancellation, as the form says, and takes a future cancellation', async () => {
    app.deps.clock.setNow(new Date('2026-11-10T10:00:00Z'));
    try {
      const future = (await sessions()).find((s) => s.date === '2026-12-09')!;
      const form = await f.acmAgent.get(`${base}/seances/${future.id}`);
      expect(form.body).toContain('Obligatoire si la séance est annulée.');
      const bare = { date: future.date, startTime: '14:00', endTime: '16:00', status: 'cancelled', notes: '' };
      const refused = await f.acmAgent.post(`${base}/seances/${future.id}`, bare);
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('Indiquez le motif de l’annulation.');
      expect((await f.acmAgent.post(`${base}/seances/${future.id}`, { ...bare, cancelReason: 'Sortie au musée' })).statusCode).toBe(303);
      expect((await sessions()).find((s) => s.id === future.id)).toMatchObject({ status: 'cancelled', cancelReason: 'Sortie au musée' });
    } finally {
      app.deps.clock.setNow(null);
    }
  });
});

describe('session reminders', () => {
  it('notify both organisations the day before, once, by notification and email', async () => {
    const target = (await sessions()).find((s) => s.date === '2026-12-02')!;
    await app.deps.db.delete(notifications);
    // 1 December 2026, 15:00 in Paris: the 2 December session at 14:00 starts within 24 hours.
    app.deps.clock.setNow(new Date('2026-12-01T14:00:00Z'));
    try {
      await app.deps.scheduler.runNow('partnership-session-reminders');
      const sent = await app.deps.db.select().from(notifications).where(eq(notifications.type, 'session_reminder'));
      expect(sent.map((n) => n.userId).sort()).toEqual([f.acmUser.id, f.partnerUser.id].sort());
      expect(sent[0]?.title).toContain('Séance demain à 14 h');
      expect(sent[0]?.url).toBe(`${base}/animation#seance-${target.id}`);
      const mails = await readMails(app);
      expect(
        mails
          .filter((m) => m.subject.includes('Séance demain'))
          .map((m) => m.to)
          .sort(),
      ).toEqual([f.acmUser.email, f.partnerUser.email].sort());
      await app.deps.scheduler.runNow('partnership-session-reminders');
      expect(await app.deps.db.select().from(notifications).where(eq(notifications.type, 'session_reminder'))).toHaveLength(2);
    } finally {
      app.deps.clock.setNow(null);
    }
  });
});
