import { execSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openPostgres, rows } from '../../db/client.js';
import { prng } from '../../server/kernel/prng.js';
import { type BenchOptions, type BenchRequest, measureRequests, percentile, printTable, type Row, startBenchApp, startHealthProbe } from './app.js';
import { prepareDashboardPeople, sessionHeaders } from './dashboards.js';

/**
 * npm run bench -- --load (issue 13, "Load and faults"):
 * 1. 50 connections for 60 s on the search page, an offer page, the map API and a signed-in
 *    dashboard (a quarter of the connections each), while /healthz is probed every 100 ms.
 *    Goals: 0 errors, 0 timeouts, p99 ≤ 500 ms; /healthz p99 ≤ 50 ms.
 * 2. A write load (partners saving offer drafts) while PostgreSQL goes away and comes back: the
 *    app must recover alone, and every write it acknowledged (303) must be in the database.
 *    With PG_RESTART_CMD (e.g. "pg_ctlcluster 15 main restart") that command restarts the
 *    server; without it, the restart is played on the bench database only — its connections are
 *    cut and new ones refused for 5 s — so that a shared server keeps serving its other users.
 * LOAD_DURATION (s, default 60) and LOAD_CONNECTIONS (default 50) change phase 1.
 */

const P99_GOAL_MS = 500;
const HEALTH_P99_GOAL_MS = 50;
const OUTAGE_MS = 5_000;

const cities: [number, number][] = [
  [48.8566, 2.3522],
  [45.764, 4.8357],
  [43.2965, 5.3698],
  [43.6047, 1.4442],
  [47.2184, -1.5536],
  [50.6292, 3.0573],
  [44.8378, -0.5792],
  [48.5734, 7.7521],
];
const words = ['judo', 'théâtre', 'vélo', 'lecture', 'foot', 'jardinage', 'robotique', 'danse', 'cirque', 'escalade', 'contes', 'cuisine'];
const themes = ['sport', 'culture', 'environnement', 'sciences'];

function searchPages(r: () => number): () => BenchRequest {
  const pick = <T>(list: T[]) => list[Math.floor(r() * list.length)]!;
  return () => {
    const [lat, lng] = pick(cities);
    const options = [
      `/offres?q=${encodeURIComponent(pick(words))}`,
      `/offres?q=${encodeURIComponent(pick(words))}&theme=${pick(themes)}`,
      `/offres?theme=${pick(themes)}&near=${lat},${lng}&radius_km=20`,
      `/offres?page=${1 + Math.floor(r() * 5)}`,
    ];
    return { path: pick(options) };
  };
}

function mapRequests(r: () => number): () => BenchRequest {
  return () => {
    const [lat, lng] = cities[Math.floor(r() * cities.length)]!;
    const zoom = [5, 9, 13][Math.floor(r() * 3)]!;
    const d = zoom === 5 ? 6 : zoom === 9 ? 0.8 : 0.05;
    return {
      path: `/api/v1/map?bbox=${(lng - d).toFixed(4)},${(lat - d / 1.5).toFixed(4)},${(lng + d).toFixed(4)},${(lat + d / 1.5).toFixed(4)}&zoom=${zoom}`,
    };
  };
}

/** A signed-in partner sending offer drafts: keeps the CSRF cookie and token. */
class Writer {
  private readonly cookies = new Map<string, string>();
  private token = '';

  constructor(
    private readonly base: string,
    session: string,
    private readonly organisationId: number,
  ) {
    const [name, value] = sessionHeaders(session).cookie!.split('=');
    this.cookies.set(name!, value!);
  }

  private header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
  }

  async ready(): Promise<void> {
    const response = await fetch(`${this.base}/a-propos`, { headers: { cookie: this.header() } });
    this.keep(response);
    const match = /name="_csrf" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"/.exec(await response.text());
    if (!match) throw new Error('no CSRF token on /a-propos');
    this.token = (match[1] ?? match[2])!;
  }

  /** The HTTP status, or the error's code when the request failed. */
  async saveDraft(title: string): Promise<number | string> {
    const body = new URLSearchParams({
      _csrf: this.token,
      title,
      summary: 'Un brouillon écrit pendant le banc de charge, pour vérifier qu’aucune écriture acquittée ne se perd.',
      description: 'Brouillon du banc de charge.',
      themes: 'culture',
      formats: 'atelier',
      ageMin: '6',
      ageMax: '10',
      venue: 'chez-le-partenaire',
      price: 'gratuit',
      action: 'draft',
    });
    try {
      const response = await fetch(`${this.base}/structures/${this.organisationId}/offres`, {
        method: 'POST',
        body: body.toString(),
        headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      return (error as { cause?: { code?: string }; name?: string }).cause?.code ?? (error as Error).name ?? 'error';
    }
  }
}

async function outage(url: string): Promise<string> {
  const command = process.env.PG_RESTART_CMD;
  if (command) {
    execSync(command, { stdio: 'inherit' });
    return `PostgreSQL restarted (${command})`;
  }
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(withDatabase(url, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`alter database ${name} allow_connections false`);
    await admin.unsafe(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  } finally {
    await admin.unsafe(`alter database ${name} allow_connections true`);
    await admin.end();
  }
  return `bench database unreachable for ${OUTAGE_MS / 1000} s (connections cut, new ones refused)`;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function writesThroughOutage(base: string, url: string, people: { partner: string[] }) {
  const database = openPostgres(url, { max: 1 });
  const partners = await rows<{ token: string; organisationId: number }>(
    database.db,
    sql`select 'bench-partner-' || split_part(split_part(u.email, '@', 1), '-', 3) || '-session-token-0123456789' as token, m.organisation_id as "organisationId"
        from users u join memberships m on m.user_id = u.id where u.email like 'bench-partner-%' order by u.id limit 8`,
  );
  await database.close();
  if (partners.length === 0 || people.partner.length === 0) throw new Error('no bench partner to write with');
  const writers = partners.map((p) => new Writer(base, p.token, p.organisationId));
  await Promise.all(writers.map((w) => w.ready()));
  const run = `charge-${Date.now().toString(36)}`;
  const acknowledged: string[] = [];
  const statuses = new Map<string, number>();
  let stop = false;
  let sent = 0;
  let firstOkAfterOutage: number | null = null;
  let outageEnded: number | null = null;
  const loops = writers.map(async (writer, w) => {
    for (let i = 0; !stop; i++) {
      const title = `${run} ${w}-${i}`;
      sent++;
      const status = await writer.saveDraft(title);
      statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
      if (status === 303) {
        acknowledged.push(title);
        if (outageEnded !== null && firstOkAfterOutage === null) firstOkAfterOutage = Date.now();
      } else if (status === 403) {
        await writer.ready().catch(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const outageStarted = Date.now();
  const what = await outage(url);
  outageEnded = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  stop = true;
  await Promise.all(loops);
  const check = openPostgres(url, { max: 1 });
  const stored = await rows<{ title: string }>(check.db, sql`select title from offers where title like ${`${run} %`}`);
  await check.close();
  const storedTitles = new Set(stored.map((s) => s.title));
  const lost = acknowledged.filter((title) => !storedTitles.has(title));
  const health = await fetch(`${base}/healthz`).then(
    (r) => r.status,
    (error: { cause?: { code?: string } }) => error.cause?.code ?? 'unreachable',
  );
  return {
    what,
    sent,
    acknowledged: acknowledged.length,
    stored: stored.length,
    lost: lost.length,
    statuses: Object.fromEntries(statuses),
    outageMs: outageEnded - outageStarted,
    recoveredMs: firstOkAfterOutage === null ? null : firstOkAfterOutage - outageEnded,
    health,
  };
}

export async function runLoadBench(options: BenchOptions): Promise<void> {
  const duration = Number(process.env.LOAD_DURATION ?? 60);
  const connections = Number(process.env.LOAD_CONNECTIONS ?? 50);
  const people = await prepareDashboardPeople(options);
  const database = openPostgres(options.url, { max: 1 });
  const sample = await rows<{ id: number; slug: string }>(
    database.db,
    sql`select id, slug from offers where status = 'published' order by random() limit 2000`,
  );
  await database.close();
  const app = await startBenchApp(options.url);
  const rssStart = app.rssMb();
  try {
    const r = prng(13);
    const quarter = Math.max(1, Math.round(connections / 4));
    const offerPages = () => {
      const offer = sample[Math.floor(r() * sample.length)]!;
      return { path: `/offres/${offer.id}-${offer.slug}` };
    };
    let d = 0;
    const dashboards = () => ({
      path: '/tableau-de-bord',
      headers: sessionHeaders([...people.acm, ...people.partner][d++ % (people.acm.length + people.partner.length)]!),
    });
    console.log('Load: warming up (10 s)…');
    await Promise.all([
      measureRequests('warm-up', app.base, searchPages(r), { connections: 4, duration: 10, quiet: true }),
      measureRequests('warm-up', app.base, mapRequests(r), { connections: 4, duration: 10, quiet: true }),
    ]);
    console.log(`Load: ${connections} connections for ${duration} s…`);
    // From a process of its own, as a load balancer: this one's event loop is busy with the load.
    const health = await startHealthProbe(app.base, 100, duration);
    const run = { connections: quarter, duration, timeoutS: 10 };
    const rowsOut: Row[] = await Promise.all([
      measureRequests('search page /offres', app.base, searchPages(r), run),
      measureRequests('offer page /offres/:id-:slug', app.base, offerPages, run),
      measureRequests('map API /api/v1/map', app.base, mapRequests(r), run),
      measureRequests('signed-in dashboard /tableau-de-bord', app.base, dashboards, { ...run, connections: connections - 3 * quarter }),
    ]);
    const probe = await health.result();
    const rssAfterLoad = app.rssMb();
    console.log('Load: writes while PostgreSQL goes away…');
    const fault = await writesThroughOutage(app.base, options.url, people);
    const exited = app.child.exitCode ?? app.child.signalCode;
    console.log(`\nLoad, ${options.n.toLocaleString('en')} offers, ${connections} connections (${quarter} per kind), ${duration} s (ms)\n`);
    printTable(rowsOut);
    const errors = rowsOut.reduce((sum, row) => sum + row.errors, 0);
    const timeouts = rowsOut.reduce((sum, row) => sum + row.timeouts, 0);
    const worstP99 = Math.max(...rowsOut.map((row) => row.p99));
    const healthP99 = percentile(probe.latencies, 99);
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`\nerrors ${errors}, timeouts ${timeouts} (goal 0 and 0: ${verdict(errors === 0 && timeouts === 0)})`);
    console.log(`worst p99 ${worstP99.toFixed(1)} ms (goal ≤ ${P99_GOAL_MS}: ${verdict(worstP99 <= P99_GOAL_MS)})`);
    console.log(
      `/healthz during the load, probed from a process of its own: ${probe.latencies.length} probes, p50 ${percentile(probe.latencies, 50).toFixed(1)} ms, p99 ${healthP99.toFixed(1)} ms, max ${probe.latencies.at(-1)?.toFixed(1)} ms, ${probe.failures} failed (goal p99 ≤ ${HEALTH_P99_GOAL_MS}: ${verdict(healthP99 <= HEALTH_P99_GOAL_MS && probe.failures === 0)})`,
    );
    console.log(
      `app RSS: ${Math.round(rssStart)} MB at start, ${Math.round(rssAfterLoad)} MB after the load${exited === null ? `, ${Math.round(app.rssMb())} MB at the end` : ''}`,
    );
    if (exited !== null) console.log(`the app EXITED during the fault (${exited}): it did not recover alone`);
    console.log(
      `fault: ${fault.what}; ${fault.sent} writes sent, ${fault.acknowledged} acknowledged, ${fault.stored} in the database, ${fault.lost} lost (goal 0: ${verdict(fault.lost === 0)}); statuses ${JSON.stringify(fault.statuses)}; first acknowledged write ${fault.recoveredMs ?? 'never'} ms after the outage; /healthz ${fault.health} at the end (recovered alone: ${verdict(fault.recoveredMs !== null && fault.health === 200)})`,
    );
  } finally {
    await app.stop();
  }
}
