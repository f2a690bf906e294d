import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRuns, mailOutbox } from '../../db/schema/index.js';
import { buildApp } from '../../server/app.js';
import { SEARCH_OUTBOX_JOB } from '../../server/catalogue/jobs.js';
import { Mailer } from '../../server/lib/mailer.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { nextRuns } from '../helpers/jobs.js';
import { insertOffer } from '../helpers/search.js';

let app: App;
let twin: App;

beforeAll(async () => {
  app = await createTestApp({ JOBS_ENABLED: true });
  // A second instance of the app on the same database, as two servers behind a load balancer.
  const { db, driver } = app.deps;
  twin = await buildApp({ config: app.deps.config, database: { db, healthDb: db, driver, migrate: async () => {}, close: async () => {} }, logger: false });
  await twin.ready();
});
afterAll(async () => {
  await twin.close();
  await app.close();
});

describe('the scheduler', () => {
  it('registers every domain’s jobs in one place', () => {
    expect(app.deps.scheduler.list().sort()).toEqual(
      [
        'convention-signed-inputs',
        'coordination-digest',
        'mail-outbox',
        'matching-suggestions',
        'notifications-digest',
        'offers-archive',
        'partnership-document-reminders',
        'partnership-session-reminders',
        'partnership-year-end',
        'requests-expiry',
        'saved-search-alerts',
        'search-outbox',
        'storage-orphans',
        'territory-coverage',
        'territory-funnel',
        'territory-statistics',
      ].sort(),
    );
  });

  it('runs a due job on one instance only when two instances tick at the same moment, and hands it over once the lease expires', async () => {
    const runs: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const [name, instance] of [
      ['first', app],
      ['second', twin],
    ] as const) {
      instance.deps.scheduler.register({
        name: 'lease-probe',
        everyMs: 60_000,
        run: async () => {
          runs.push(name);
          await held;
        },
      });
    }
    // Each tick first runs the other due jobs, which takes longer on PostgreSQL than on PGlite.
    const ticks = Promise.all([app.deps.scheduler.tick(), twin.deps.scheduler.tick()]);
    try {
      await expect.poll(() => runs.length, { timeout: 20_000, interval: 20 }).toBe(1);
      const [holder] = await app.deps.db.select().from(jobRuns).where(eq(jobRuns.name, 'lease-probe'));
      expect(holder!.lockedBy).toBe(runs[0] === 'first' ? app.deps.scheduler.instanceId : twin.deps.scheduler.instanceId);
      expect(await (runs[0] === 'first' ? twin : app).deps.scheduler.runNow('lease-probe')).toBe(false);
    } finally {
      release();
    }
    await ticks;
    expect(runs).toHaveLength(1);

    // Not due again until its period has passed, whichever instance asks.
    await Promise.all([app.deps.scheduler.tick(), twin.deps.scheduler.tick()]);
    expect(runs).toHaveLength(1);

    // An instance that died holding the lease: the other takes the job over once the lease has expired.
    const future = new Date(Date.now() + 5 * 60_000);
    await app.deps.db
      .update(jobRuns)
      .set({ lockedBy: 'a-crashed-instance', lockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(jobRuns.name, 'lease-probe'));
    expect(await twin.deps.scheduler.runNow('lease-probe')).toBe(false);
    twin.deps.clock.setNow(future);
    try {
      expect(await twin.deps.scheduler.runNow('lease-probe')).toBe(true);
    } finally {
      twin.deps.clock.setNow(null);
    }
    expect(runs).toEqual([runs[0], 'second']);
  });
});

describe('the search kick after a write', () => {
  it('brings a change into search right after any successful form post, without waiting for the scheduled run', async () => {
    const partner = await createOrganisation(app, { name: 'Club de lecture' });
    await insertOffer(app, partner.id, { title: 'Lectures à voix haute' });
    const search = () => app.inject({ url: '/api/v1/offers?q=lectures%20voix%20haute' });
    expect((await search()).json().total).toBe(0);

    const delivered = nextRuns(app.deps.scheduler, [SEARCH_OUTBOX_JOB]);
    const visitor = new Agent(app);
    const response = await visitor.post('/deconnexion');
    expect(response.statusCode).toBeLessThan(400);
    const [run] = await delivered;
    expect(run).toMatchObject({ trigger: 'demand', failed: false });
    expect((await search()).json().total).toBe(1);
  });
});

describe('the mail outbox', () => {
  it('retries a failed send with a growing back-off, then gives up after eight attempts', async () => {
    let smtpUp = false;
    const sent: string[] = [];
    // A double of the SMTP server: the one third-party service these tests cannot run.
    const transport = {
      sendMail: async (mail: { to: string }) => {
        if (!smtpUp) throw new Error('connect ECONNREFUSED 127.0.0.1:587');
        sent.push(mail.to);
        return {};
      },
    };
    const clock = app.deps.clock;
    const start = new Date('2026-06-10T08:00:00Z');
    clock.setNow(start);
    const mailer = new Mailer(
      { config: { ...app.deps.config, SMTP_URL: 'smtp://127.0.0.1:587' }, db: app.deps.db, clock, eta: app.deps.eta },
      transport as never,
    );
    const queueOne = async (to: string) => {
      await mailer.queue({ to, template: 'confirm-email', subject: 'Confirmez votre adresse', data: { name: 'Laure', url: 'http://localhost:3000/x' } });
      const [row] = await app.deps.db.select().from(mailOutbox).where(eq(mailOutbox.to, to));
      return row!.id;
    };
    const state = async (id: number) => (await app.deps.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)))[0]!;
    try {
      const id = await queueOne('retry@example.org');
      expect(await mailer.flush()).toBe(0);
      let row = await state(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.lastError).toContain('ECONNREFUSED');
      expect(row.nextAttemptAt.getTime() - start.getTime()).toBe(60_000);

      clock.advance(30_000);
      await mailer.flush();
      expect((await state(id)).attempts).toBe(1);

      clock.advance(31_000);
      await mailer.flush();
      row = await state(id);
      expect(row.attempts).toBe(2);
      expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(120_000);

      smtpUp = true;
      clock.advance(121_000);
      expect(await mailer.flush()).toBe(1);
      expect(await state(id)).toMatchObject({ status: 'sent', attempts: 3 });
      expect(sent).toEqual(['retry@example.org']);

      smtpUp = false;
      const doomed = await queueOne('never@example.org');
      for (let attempt = 1; attempt <= 8; attempt++) {
        await mailer.flush();
        clock.advance(6 * 3600_000);
      }
      expect(await state(doomed)).toMatchObject({ status: 'failed', attempts: 8 });
      smtpUp = true;
      await mailer.flush();
      expect(sent).toEqual(['retry@example.org']);
    } finally {
      clock.setNow(null);
    }
  });
});
