import { openPostgres } from '../../db/client.js';
import { type BenchOptions, type BenchRequest, measureRequests, printTable, type Row, startBenchApp } from './app.js';
import { type DashboardPeople, seedDashboardPeople } from './dashboards-data.js';

/**
 * The signed-in dashboard (/tableau-de-bord) of each role at the bench's size: an ACM member (its
 * needs and the offers suggested for each), a partner member (needs near its offers), a
 * coordinator (counts of its département). "First view" sends each request as a person whose
 * dashboard was not shown yet; "again" cycles through people seen in the warm-up.
 */

export const DASHBOARD_P95_GOAL_MS = 100;
const COOKIE = '__Host-passerelle_session';
const WARM = 40;

export function sessionHeaders(token: string): Record<string, string> {
  return { cookie: `${COOKIE}=${token}` };
}

export async function prepareDashboardPeople(options: BenchOptions): Promise<DashboardPeople> {
  const database = openPostgres(options.url, { max: 2 });
  try {
    const started = performance.now();
    const people = await seedDashboardPeople(database.db, options.n);
    console.log(
      `Dashboards: ${people.acm.length} ACM members, ${people.partner.length} partner members, ${people.coordinator.length} coordinators ready in ${Math.round(performance.now() - started)} ms.`,
    );
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
  const worst = Math.max(...rows.map((r) => r.p95));
  console.log(`\ndashboards p95 (worst role): ${worst.toFixed(1)} ms (target ≤ ${DASHBOARD_P95_GOAL_MS})`);
  return rows;
}
