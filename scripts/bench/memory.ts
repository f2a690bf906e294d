import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { openPostgres, rows } from '../../db/client.js';
import { prng } from '../../server/kernel/prng.js';
import { type BenchOptions, measureRequests, startBenchApp } from './app.js';
import { firstTimeOnly, issueMix } from './issue-mix.js';

/**
 * npm run bench -- --memory [--reuse] (issue 18, "Memory per instance"): what one instance holds at
 * the bench's size, since every instance pays it. Rebuilds the index as `npm run search:reindex`
 * does, starts the app, answers one search (the snapshot loads), then sends issue 16's first-time
 * search mix, API and page in turn, for MEMORY_MINUTES (default 10) and prints the app's resident
 * memory after each minute.
 */
export async function runMemoryBench(options: BenchOptions): Promise<void> {
  const minutes = Number(process.env.MEMORY_MINUTES ?? 10);
  const started = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/search-reindex.ts'], {
    env: { ...process.env, DATABASE_URL: options.url, LOG_LEVEL: 'warn', SEED_DEMO: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(`Memory: reindexed in ${Math.round((performance.now() - started) / 1000)} s.`);
  const database = openPostgres(options.url, { max: 1 });
  const communes = await rows<{ lat: number; lng: number }>(database.db, sql`select lat::float8 as lat, lng::float8 as lng from communes where lat <> 0`);
  await database.close();
  const random = prng(18);
  const mix = issueMix(communes, random);
  const api = firstTimeOnly(() => `/api/v1/offers?${mix()}`);
  const page = firstTimeOnly(() => `/offres?${mix()}`);
  let turn = 0;
  const next = () => ({ path: turn++ % 2 === 0 ? api() : page() });

  const app = await startBenchApp(options.url);
  try {
    const atStart = app.rssMb();
    await fetch(`${app.base}/api/v1/offers?q=judo&near=48.85,2.35&radius_km=10`);
    const lines = [`| at start | – | ${Math.round(atStart)} |`, `| snapshot loaded (first search answered) | – | ${Math.round(app.rssMb())} |`];
    console.log(lines.join('\n'));
    let requests = 0;
    for (let minute = 1; minute <= minutes; minute++) {
      const row = await measureRequests(`minute ${minute}`, app.base, next, { connections: options.connections, duration: 60, quiet: true });
      requests += row.requests;
      const line = `| after ${minute} min of the first-time mix | ${requests} | ${Math.round(app.rssMb())} |`;
      lines.push(line);
      console.log(line);
    }
    console.log(`\n${options.n.toLocaleString('en')} offers, ${options.connections} connections; RSS of the app process in MB\n`);
    console.log('| moment | requests so far | RSS |\n| --- | ---: | ---: |');
    console.log(lines.join('\n'));
  } finally {
    await app.stop();
  }
}
