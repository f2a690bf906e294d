import { openPostgres } from '../../db/client.js';
import { Clock } from '../../server/lib/clock.js';
import { refreshStoredSuggestions } from '../../server/matching/stored-suggestions.js';
import { type BenchOptions, type BenchRequest, measureRequests, printTable, type Row, startBenchApp } from './app.js';
import { type DashboardPeople, DEPARTMENTS, seedDashboardPeople } from './dashboards-data.js';

/**
 * The signed-in dashboard (/tableau-de-bord) of each role at the bench's size: an ACM member (its
 * needs and the offers suggested for each), a partner member (needs near its offers), a
 * coordinator (counts of its département). The suggestions are first stored as the
 * matching-suggestions job does. "First view" sends each request as a person whose
 * dashboard was not shown yet; "again" cycles through people seen in the warm-up.
 */

export const DASHBOARD_P95_GOAL_MS = 100;
/** Issue 14: the coordinator's workspace and the public statistics of a département. */
export const TERRITORY_P95_GOAL_MS = 150;
const COOKIE = '__Host-passerelle_session';
const WARM = 40;

export function sessionHeaders(token: string): Record<string, string> {
  return { cookie: `${COOKIE}=${token}` };
}

export async function prepareDashboardPeople(options: BenchOptions): Promise<DashboardPeople> {
  const database = openPostgres(options.url, { max: 2 });
  try {
    const started = performance.now();
    await database.migrate();
    const people = await seedDashboardPeople(database.db, options.n);
    console.log(
      `Dashboards: ${people.acm.length} ACM members, ${people.partner.length} partner members, ${people.coordinator.length} coordinators ready in ${Math.round(performance.now() - started)} ms.`,
    );
    // The matching-suggestions job's work, done before the app starts (as the import leaves the index current).
    const storing = performance.now();
    const { computed } = await refreshStoredSuggestions(
      { db: database.db, clock: new Clock() },
      { budgetMs: Number.POSITIVE_INFINITY, onProgress: (done) => process.stdout.write(`\rStoring dashboard suggestions… ${done}`) },
    );
    console.log(`\nDashboards: ${computed} suggestion sets stored in ${Math.round(performance.now() - storing)} ms.`);
    return people;
  } finally {
    await database.close();
  }
}

function cycle(tokens: string[]): () => BenchRequest {
  let i = 0;
  return () => ({ path: '/tableau-de-bord', headers: sessionHeaders(tokens[i++ % tokens.length]!) });
}

export async function checkDashboard(base: string, token: string): Promise<void> {
  const response = await fetch(`${base}/tableau-de-bord`, { headers: sessionHeaders(token), redirect: 'manual' });
  const body = await response.text();
  if (response.status !== 200 || !body.includes('Tableau de bord')) throw new Error(`the bench session is not signed in (status ${response.status})`);
}

/** The dashboards scenarios against a running app; returns their rows (also printed). */
export async function measureDashboards(base: string, people: DashboardPeople, options: BenchOptions): Promise<Row[]> {
  const run = { connections: options.connections, duration: options.duration };
  for (const token of [people.acm[0]!, people.partner[0]!, people.coordinator[0]!]) await checkDashboard(base, token);
  console.log('Dashboards: warming up…');
  const warm = [...people.acm.slice(0, WARM), ...people.partner.slice(0, WARM), ...people.coordinator];
  await measureRequests('warm-up', base, cycle(warm), { ...run, duration: Math.min(5, options.duration), quiet: true });
  // Warm-up may not reach every one of them: each is viewed once more, in turn.
  for (const token of warm) await fetch(`${base}/tableau-de-bord`, { headers: sessionHeaders(token) });
  const rows: Row[] = [];
  rows.push(await measureRequests('dashboard: ACM, first view', base, cycle(people.acm.slice(WARM)), run));
  rows.push(await measureRequests('dashboard: ACM, again', base, cycle(people.acm.slice(0, WARM)), run));
  rows.push(await measureRequests('dashboard: partner, first view', base, cycle(people.partner.slice(WARM)), run));
  rows.push(await measureRequests('dashboard: partner, again', base, cycle(people.partner.slice(0, WARM)), run));
  rows.push(await measureRequests('dashboard: coordinator', base, cycle(people.coordinator), run));
  rows.push(...(await measureTerritoryPages(base, people, run)));
  return rows;
}

/**
 * The coordinator's workspace, its coverage page and the public statistics page of each bench
 * département. Their figures are stored and refreshed by jobs: the first view of each territory
 * computes them once (timed one by one, as a coordinator opening it first would wait), the
 * measured runs read them.
 */
async function measureTerritoryPages(base: string, people: DashboardPeople, run: { connections: number; duration: number }): Promise<Row[]> {
  const pages = [
    { name: 'coordination workspace', path: (d: string) => `/coordination/departement/${d}`, signedIn: true },
    { name: 'coordination coverage', path: (d: string) => `/coordination/departement/${d}/couverture`, signedIn: true },
    { name: 'public statistics', path: (d: string) => `/territoires/departements/${d}/statistiques`, signedIn: false },
  ];
  const rows: Row[] = [];
  for (const page of pages) {
    const firsts: number[] = [];
    for (const [i, d] of DEPARTMENTS.entries()) {
      const started = performance.now();
      const response = await fetch(`${base}${page.path(d)}`, { headers: page.signedIn ? sessionHeaders(people.coordinator[i]!) : {} });
      await response.text();
      if (response.status !== 200) throw new Error(`${page.path(d)} answered ${response.status}`);
      firsts.push(performance.now() - started);
    }
    firsts.sort((a, b) => a - b);
    console.log(
      `  ${page.name}, first view of each of ${DEPARTMENTS.length} départements: median ${Math.round(firsts[firsts.length >> 1]!)} ms, max ${Math.round(firsts.at(-1)!)} ms`,
    );
    let i = 0;
    const next = (): BenchRequest => {
      const k = i++ % DEPARTMENTS.length;
      return { path: page.path(DEPARTMENTS[k]!), headers: page.signedIn ? sessionHeaders(people.coordinator[k]!) : {} };
    };
    rows.push(await measureRequests(`${page.name}: département, stored figures`, base, next, run));
  }
  return rows;
}

export async function runDashboardsBench(options: BenchOptions): Promise<Row[]> {
  const people = await prepareDashboardPeople(options);
  const app = await startBenchApp(options.url);
  let rows: Row[];
  try {
    rows = await measureDashboards(app.base, people, options);
    console.log(`  app RSS after the dashboards: ${Math.round(app.rssMb())} MB`);
  } finally {
    await app.stop();
  }
  console.log(`\nDashboards, ${options.n.toLocaleString('en')} offers, ${options.connections} connections, ${options.duration} s per scenario (ms)\n`);
  printTable(rows);
  const dashboards = rows.filter((r) => r.name.startsWith('dashboard'));
  const territory = rows.filter((r) => !r.name.startsWith('dashboard'));
  console.log(`\ndashboards p95 (worst role): ${Math.max(...dashboards.map((r) => r.p95)).toFixed(1)} ms (target ≤ ${DASHBOARD_P95_GOAL_MS})`);
  console.log(`territory pages p95 (worst): ${Math.max(...territory.map((r) => r.p95)).toFixed(1)} ms (target ≤ ${TERRITORY_P95_GOAL_MS})`);
  return rows;
}
