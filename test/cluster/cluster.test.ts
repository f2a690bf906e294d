import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import postgres from 'postgres';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../../db/client.js';
import { ensureReferenceData } from '../../db/reference.js';
import { conventionSignatures, conventionVersions, offers, partnershipConventions, storedFiles } from '../../db/schema/index.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { App } from '../../server/types.js';
import { withDatabase } from '../global-setup.js';
import { multipart } from '../helpers/agent.js';
import { createOrganisation, createUser, PASSWORD } from '../helpers/fixtures.js';
import { offerForm } from '../helpers/offers.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';
import { Browser, type Instance, percentile, startInstance } from './instances.js';

/**
 * Two real app processes (A and B) on one PostgreSQL database, one Redis and one file storage
 * (the database engine), requests alternating between them as a load balancer would send them.
 * Needs DATABASE_URL and REDIS_URL (CI: the local PostgreSQL and Redis).
 */
const baseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const METRICS_TOKEN = 'cluster-test-metrics-token-0123456789';
const databaseName = `passerelle_cluster_${process.pid}`;
const restoredName = `${databaseName}_restored`;

let admin: postgres.Sql;
let database: Database;
let console_: App;
let a: Instance;
let b: Instance;
let startedAt = 0;
let partner: { id: number };
let owner: { email: string };
let target: { email: string };
let sharedPhoto: { key: string; bytes: Buffer } | null = null;
let instanceEnv: Record<string, string> = {};

function figure(line: string): void {
  console.log(`  [cluster] ${line}`);
}

describe.skipIf(!baseUrl || !redisUrl)('two instances behind a load balancer', () => {
  beforeAll(async () => {
    admin = postgres(baseUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${databaseName}`);
    const url = withDatabase(baseUrl!, databaseName);
    // Migrate once before the instances start: a deployment migrates, then starts instances.
    database = openPostgres(url, { max: 4 });
    await database.migrate();
    await ensureReferenceData(database.db);
    // An in-process app on the same database, used only to create fixtures and read rows.
    console_ = await buildApp({
      config: loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent', SEED_DEMO: '0', JOBS_ENABLED: '0' }),
      database,
      logger: false,
    });
    const user = await createUser(console_);
    owner = user;
    partner = await createOrganisation(console_, { ownerId: user.id, status: 'verified' });
    target = await createUser(console_);

    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: url,
      REDIS_URL: redisUrl!,
      // Both instances share one prefix; each run its own, so a previous run's sign-in counts are not in this one's way.
      REDIS_PREFIX: `passerelle-cluster:${randomUUID()}:`,
      STORAGE: 'database',
      SESSION_SECRET: 'cluster-test-session-secret-0123456789abcdef',
      SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
      JOBS_TICK_MS: '200',
      METRICS_TOKEN,
    };
    instanceEnv = env;
    startedAt = Date.now();
    [a, b] = await Promise.all([startInstance('A', 3291, env), startInstance('B', 3292, env)]);
    figure(`instances A (port ${a.port}) and B (port ${b.port}) ready in ${Date.now() - startedAt} ms`);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await console_?.close();
    await admin?.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin?.unsafe(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
    await admin?.end();
  });

  async function signIn(browser: Browser, instance: Instance): Promise<void> {
    const response = await browser.post(instance, '/connexion', { email: owner.email, password: PASSWORD });
    expect(response.status).toBe(303);
  }

  it('accepts on B a session opened on A, and signing out on B signs out on A', async () => {
    const browser = new Browser();
    await signIn(browser, a);
    const onB = await browser.get(b, '/tableau-de-bord');
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain('Tableau de bord');
    expect((await browser.post(b, '/deconnexion', {})).status).toBe(303);
    const onA = await browser.get(a, '/tableau-de-bord');
    expect([302, 303]).toContain(onA.status);
    expect(onA.headers.get('location')).toMatch(/^\/connexion/);
  });

  it('counts the sign-in attempts made through both instances against one limit', async () => {
    const browser = new Browser();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 24; attempt++) {
      const response = await browser.post(attempt % 2 === 0 ? a : b, '/connexion', { email: target.email, password: 'pas le bon mot de passe' });
      statuses.push(response.status);
      if (response.status === 429) break;
    }
    const first429 = statuses.indexOf(429) + 1;
    figure(`sign-in limit: first 429 at attempt ${first429} (alternating A/B; statuses ${statuses.join(',')})`);
    expect(first429).toBeGreaterThan(1);
    // One limit shared through Redis: the instances together allow what one allows (10), not twice that.
    expect(first429).toBeLessThanOrEqual(11);
  });

  it('finds on B an offer published on A, and reports the delay at the 95th percentile over 20 tries', async () => {
    const browser = new Browser();
    await signIn(browser, a);
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const word = `cluster${String.fromCharCode(97 + i)}${Math.random().toString(36).slice(2, 7).replace(/\d/g, 'k')}`;
      const response = await browser.post(a, `/structures/${partner.id}/offres`, {
        ...offerForm({ title: `Atelier ${word}` }),
        action: 'submit',
      });
      expect(response.status).toBe(303);
      const published = Date.now();
      const [row] = await console_.deps.db
        .select({ id: offers.id, status: offers.status })
        .from(offers)
        .where(eq(offers.title, `Atelier ${word}`));
      expect(row?.status).toBe('published');
      for (;;) {
        const search = (await (await fetch(`${b.url}/api/v1/offers?q=${word}`)).json()) as { items: { id: number }[] };
        if (search.items.some((item) => item.id === row!.id)) break;
        if (Date.now() - published > 15_000) throw new Error(`offer ${row!.id} not found on B after 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      delays.push(Date.now() - published);
    }
    const p95 = percentile(delays, 95);
    figure(
      `publish on A -> found on B: p50 ${percentile(delays, 50)} ms, p95 ${p95} ms, max ${Math.max(...delays)} ms over ${delays.length} tries (goal p95 <= 2000 ms: ${p95 <= 2000 ? 'met' : 'MISSED'})`,
    );
    // The goal: 2 s. A successful form post kicks the search outbox at once (issue 13), so the
    // offer no longer waits for the next run of the 2-second search-outbox job.
    expect(p95).toBeLessThanOrEqual(2000);
  });

  it('serves from B, byte for byte, a photo uploaded through A', async () => {
    const browser = new Browser();
    await signIn(browser, a);
    const created = await browser.post(a, `/structures/${partner.id}/offres`, { ...offerForm({ title: 'Atelier photo partagée' }), action: 'draft' });
    expect(created.status).toBe(303);
    const [offer] = await console_.deps.db.select({ id: offers.id }).from(offers).where(eq(offers.title, 'Atelier photo partagée'));
    const image = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } })
      .jpeg()
      .toBuffer();
    const { payload, boundary } = multipart({ photoAlt: 'Un atelier' }, [{ field: 'photo', filename: 'atelier.jpg', type: 'image/jpeg', data: image }]);
    expect((await browser.postMultipart(a, `/offres/${offer!.id}/photo`, payload, boundary)).status).toBe(303);
    const [row] = await console_.deps.db.select({ photoPath: offers.photoPath }).from(offers).where(eq(offers.id, offer!.id));
    const fromA = Buffer.from(await (await fetch(`${a.url}/medias/${row!.photoPath}`)).arrayBuffer());
    const fromB = await fetch(`${b.url}/medias/${row!.photoPath}`);
    expect(fromB.status).toBe(200);
    const bytesB = Buffer.from(await fromB.arrayBuffer());
    const [stored] = await console_.deps.db
      .select({ sha256: storedFiles.sha256, size: storedFiles.size })
      .from(storedFiles)
      .where(eq(storedFiles.key, row!.photoPath!));
    const sha = createHash('sha256').update(bytesB).digest('hex');
    figure(`photo ${row!.photoPath}: ${bytesB.length} bytes from B, sha256 ${sha.slice(0, 16)}…, identical to A: ${bytesB.equals(fromA)}`);
    expect(bytesB.equals(fromA)).toBe(true);
    sharedPhoto = { key: row!.photoPath!, bytes: bytesB };
    expect(sha).toBe(stored!.sha256);
    expect(bytesB.length).toBe(stored!.size);
  });

  it('counts both signatures when the two parties sign the same convention at the same moment, one through A and one through B', async () => {
    const rounds: string[] = [];
    for (let round = 1; round <= 2; round++) {
      const f = await createPartnershipFixture(console_);
      const id = f.partnership.id;
      const acmSide = new Browser();
      const partnerSide = new Browser();
      expect((await acmSide.post(a, '/connexion', { email: f.acmUser.email, password: PASSWORD })).status).toBe(303);
      expect((await partnerSide.post(b, '/connexion', { email: f.partnerUser.email, password: PASSWORD })).status).toBe(303);
      // Each party opens the convention on its instance, then both submit at the same instant.
      const ready = async (browser: Browser, instance: Instance, side: 'acm' | 'partner', name: string) => {
        const page = await (await browser.get(instance, `/partenariats/${id}/formalisation`)).text();
        const textHash = /<code class="hash">([0-9a-f]{64})<\/code>/.exec(page)?.[1];
        expect(textHash, `convention text hash on ${instance.name}`).toBeDefined();
        const token = await browser.csrf(instance);
        return () =>
          browser.post(
            instance,
            `/partenariats/${id}/convention/signer`,
            { side, signerName: name, signerRole: 'Représentant·e légal·e', textHash, consent: 'on' },
            token,
          );
      };
      const [acmSign, partnerSign] = await Promise.all([ready(acmSide, a, 'acm', 'Claire Dubois'), ready(partnerSide, b, 'partner', 'Karim Benali')]);
      const responses = await Promise.all([acmSign(), partnerSign()]);
      expect(responses.map((r) => r.status)).toEqual([303, 303]);
      const [convention] = await console_.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
      const signatures = (await console_.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id))).filter(
        (s) => !s.voidedAt,
      );
      const versions = await console_.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
      rounds.push(
        `round ${round}: ${convention!.status}, ${signatures.length} signatures (${signatures.map((s) => s.side).join(' + ')}), ${versions.length} signed version`,
      );
      expect(signatures.map((s) => s.side).sort()).toEqual(['acm', 'partner']);
      expect(convention!.status).toBe('signed');
      expect(versions).toHaveLength(1);
      expect(versions[0]!.signatures.map((s) => s.name).sort()).toEqual(['Claire Dubois', 'Karim Benali']);
    }
    figure(`convention signed at the same moment through A (ACM) and B (partner): ${rounds.join('; ')}`);
  });

  it('restores data and files from one pg_dump: an instance on the restored database serves the photo and signs the account in', async () => {
    expect(sharedPhoto).not.toBeNull();
    const dump = join(tmpdir(), `${databaseName}.dump`);
    const started = Date.now();
    try {
      execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, withDatabase(baseUrl!, databaseName)]);
      await admin.unsafe(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
      await admin.unsafe(`CREATE DATABASE ${restoredName}`);
      execFileSync('pg_restore', ['--no-owner', `--dbname=${withDatabase(baseUrl!, restoredName)}`, dump]);
    } finally {
      rmSync(dump, { force: true });
    }
    const restoredMs = Date.now() - started;
    const c = await startInstance('C', 3293, { ...instanceEnv, DATABASE_URL: withDatabase(baseUrl!, restoredName), JOBS_ENABLED: '0' });
    try {
      const photo = await fetch(`${c.url}/medias/${sharedPhoto!.key}`);
      expect(photo.status).toBe(200);
      expect(Buffer.from(await photo.arrayBuffer()).equals(sharedPhoto!.bytes)).toBe(true);
      const browser = new Browser();
      expect((await browser.post(c, '/connexion', { email: owner.email, password: PASSWORD })).status).toBe(303);
      figure(
        `backup and restore: pg_dump + pg_restore in ${restoredMs} ms; the restored instance serves ${sharedPhoto!.key} byte-identical and signs the owner in`,
      );
    } finally {
      await c.stop();
    }
  });

  it('runs each due job once across both instances over at least 30 scheduler ticks each', async () => {
    // Ticks every 200 ms: 30 ticks on each instance take 6 s from the start.
    const wait = startedAt + 30 * 200 + 1_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const runs = async (instance: Instance) => {
      const text = await (await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      const counts = new Map<string, number>();
      // Scheduled runs only: the search kick after each write runs the search job on demand as well.
      for (const match of text.matchAll(/^passerelle_job_runs_total\{job="([^"]+)",trigger="schedule"\} (\d+)/gm)) counts.set(match[1]!, Number(match[2]));
      return counts;
    };
    const [runsA, runsB] = await Promise.all([runs(a), runs(b)]);
    const seconds = (Date.now() - startedAt) / 1000;
    const jobs = [...new Set([...runsA.keys(), ...runsB.keys()])].sort();
    figure(`job runs over ${seconds.toFixed(1)} s (A + B): ${jobs.map((job) => `${job} ${runsA.get(job) ?? 0}+${runsB.get(job) ?? 0}`).join(', ')}`);
    // Jobs due every 15 minutes or more were due once during the test: exactly one run in total.
    for (const job of ['offers-archive', 'requests-expiry', 'partnership-session-reminders', 'storage-orphans']) {
      expect((runsA.get(job) ?? 0) + (runsB.get(job) ?? 0), job).toBe(1);
    }
    // The 2-second search job: at most one run per period across both instances.
    const search = (runsA.get('search-outbox') ?? 0) + (runsB.get('search-outbox') ?? 0);
    expect(search).toBeGreaterThan(0);
    expect(search).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 1);
  });

  it('finishes the requests in flight when A receives SIGTERM during a burst of writes, while B keeps answering', async () => {
    const browser = new Browser();
    await signIn(browser, a);
    const token = await browser.csrf(a);
    const form = offerForm();
    const acknowledged: string[] = [];
    const write = async (instance: Instance, title: string): Promise<number> => {
      const response = await browser.post(instance, `/structures/${partner.id}/offres`, { ...form, title, action: 'draft' }, token);
      if (response.status === 303) acknowledged.push(title);
      return response.status;
    };
    // A load balancer sends a write refused by a stopping instance (connection refused, 503) to the other one.
    const throughA = async (title: string): Promise<number | string> => {
      // A connection refused is a request A never took; a reset would be one cut in the middle.
      const status = await write(a, title).catch((error: { cause?: { code?: string } }) =>
        error.cause?.code === 'ECONNREFUSED' ? 'refused' : `cut (${error.cause?.code ?? 'error'})`,
      );
      if (status !== 303) await write(b, title);
      return status;
    };
    const inFlight = Array.from({ length: 6 }, (_, i) => throughA(`Brouillon en vol ${i}`));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const sigtermAt = Date.now();
    a.process.kill('SIGTERM');
    const after = Array.from({ length: 24 }, (_, i) => throughA(`Brouillon après SIGTERM ${i}`));
    const health = await fetch(`${b.url}/healthz`);
    const inFlightStatuses = await Promise.all(inFlight);
    const afterStatuses = await Promise.all(after);
    const exitCode = await a.exited;
    const exitMs = Date.now() - sigtermAt;
    const rows = await console_.deps.db.select({ title: offers.title }).from(offers).where(inArray(offers.title, acknowledged));
    figure(
      `SIGTERM burst: in flight on A ${inFlightStatuses.join(',')}; after SIGTERM A answered ${afterStatuses.filter((s) => s === 303).length} of 24, the rest went to B; ${acknowledged.length} writes acknowledged, ${rows.length} in the database; A exited with ${exitCode} ${exitMs} ms after SIGTERM`,
    );
    // Requests A was processing finish (303). Some sent in the last milliseconds before SIGTERM on a
    // kept-alive connection are reset (ECONNRESET, seen 0 to 3 of 6 on a loaded machine) or find
    // the socket already closed by A (undici's UND_ERR_SOCKET, "other side closed"): not
    // acknowledged, so retried on B like a load balancer would; the checks below hold either way.
    expect(inFlightStatuses.filter((status) => status === 303).length).toBeGreaterThan(0);
    for (const status of [...inFlightStatuses, ...afterStatuses]) expect(String(status)).toMatch(/^(303|503|refused|cut \((ECONNRESET|UND_ERR_SOCKET)\))$/);
    expect(health.status).toBe(200);
    expect(exitCode).toBe(0);
    expect(acknowledged.length).toBe(30);
    expect(rows.map((row) => row.title).sort()).toEqual([...acknowledged].sort());
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });
});
