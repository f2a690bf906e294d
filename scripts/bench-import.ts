// node --import tsx scripts/bench-import.ts [--n 100000] [--keep]
// Measures the bulk import on PostgreSQL: generates N offers (scripts/generate-offers-csv.ts),
// creates a dedicated database (passerelle_bench_import on the server of BENCH_DATABASE_URL or
// DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; the user must be allowed to
// create databases), then times the CLI: first import, re-import of the same file (nothing
// rewritten), and export then import of the export (round trip, nothing changes).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import postgres from 'postgres';
import { openPostgres } from '../db/client.js';
import { ensureReferenceData } from '../db/reference.js';
import { generateOffersCsv } from './generate-offers-csv.js';

const run = promisify(execFile);
const { values: args } = parseArgs({ options: { n: { type: 'string', default: '100000' }, keep: { type: 'boolean', default: false } } });
const N = Number(args.n);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'passerelle_bench_import';

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function timed(label: string, args: string[], url: string): Promise<void> {
  const startedAt = performance.now();
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(
    `${label.padEnd(34)} ${seconds.padStart(6)} s   ${stdout.trim().split('\n').pop() ?? ''}${stderr.includes('exported') ? stderr.trim().split('\n').pop() : ''}`,
  );
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-bench-import-'));
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const url = withDatabase(serverUrl, DB_NAME);
  try {
    const file = join(dir, 'offres.csv');
    let startedAt = performance.now();
    await generateOffersCsv(file, N);
    console.log(`generated ${N} rows in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
    startedAt = performance.now();
    const database = openPostgres(url, { max: 2 });
    await database.migrate();
    await ensureReferenceData(database.db);
    await database.close();
    console.log(`migrated and loaded the gazetteer in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

    await timed(`import of ${N} new rows`, ['scripts/import.ts', 'offers', file], url);
    await timed('re-import of the same file', ['scripts/import.ts', 'offers', file], url);
    const exported = join(dir, 'export.csv');
    await timed('export', ['scripts/export.ts', 'offers', exported], url);
    await timed('import of the export (round trip)', ['scripts/import.ts', 'offers', exported], url);
  } finally {
    if (!args.keep) await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
