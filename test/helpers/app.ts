import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openPostgres } from '../../db/client.js';
import { pgliteExtensions, wrapPglite } from '../../db/pglite.js';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { buildApp } from '../../server/app.js';
import { type Config, loadConfig } from '../../server/config.js';
import type { App } from '../../server/types.js';
import { withDatabase } from '../global-setup.js';

/**
 * A fresh app on a fresh database built from the real migrations: PGlite loaded from the dump
 * made by global-setup, or a copy of the PostgreSQL template when DATABASE_URL is set.
 */
export async function createTestApp(overrides: Partial<Config> = {}, options: { beforeReady?: (app: App) => void } = {}): Promise<App> {
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-app-'));
  const { database, drop } = await openTestDatabase();
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SEED_DEMO: '0',
      JOBS_ENABLED: '0',
      BASE_URL: 'http://localhost:3000',
      // Uploads go where production keeps them: the database on PostgreSQL, the disk on PGlite.
      STORAGE: process.env.DATABASE_URL ? 'database' : 'disk',
      // Rate-limit counters in Redis when CI provides one; apps running in parallel share it, so each gets its own keys.
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: `passerelle-test:${randomUUID()}:`,
      // The mutation run (vitest.mutation.config.ts) sets 0: its mutants are invisible to evaluation threads.
      SEARCH_THREADS: process.env.SEARCH_THREADS,
    },
    overrides,
  );
  const app = await buildApp({ config, database, logger: false });
  // A server error in any test prints its cause, so that a rare 500 can be diagnosed from the CI log.
  app.addHook('onError', async (request, _reply, error) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    // An unreachable database or a full instance answers 503 (the outage and admission tests cause it on purpose).
    if (status >= 500 && status !== 503 && !isDatabaseUnavailable(error)) console.error(`[test app] ${request.method} ${request.url} → ${status}`, error);
  });
  app.addHook('onClose', async () => {
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  options.beforeReady?.(app);
  await app.ready();
  return app;
}

/** A fresh database built from the real migrations; `drop` removes it once it is closed. */
export async function openTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const copy = await copyPostgresTemplate('passerelle_test');
  if (copy) return { database: openPostgres(copy.url, { max: 5 }), drop: copy.drop };
  const dump = readFileSync(pgliteDump());
  const client = await PGlite.create({ loadDataDir: new Blob([dump]), extensions: pgliteExtensions });
  return { database: wrapPglite(client), drop: async () => {} };
}

/**
 * A database for a command run in its own process, built like openTestDatabase: a copy of the
 * PostgreSQL template (its `url`), or the PGlite dump unpacked where the command looks for it
 * with this DATA_DIR (no `url`).
 */
export async function openCommandDatabase(dataDir: string): Promise<{ url?: string; drop: () => Promise<void> }> {
  const copy = await copyPostgresTemplate('passerelle_cli');
  if (copy) return copy;
  const target = join(dataDir, 'pglite');
  mkdirSync(target, { recursive: true });
  await promisify(execFile)('tar', ['-xf', pgliteDump(), '-C', target]);
  return { drop: async () => {} };
}

/** A copy of the template database global-setup made, when the tests run on PostgreSQL. */
async function copyPostgresTemplate(prefix: string): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const template = inject('pgTemplate');
  const url = process.env.DATABASE_URL;
  if (!template || !url) return null;
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      // Two files copying the template at the same instant: PostgreSQL asks the second to wait.
      if (attempt > 20 || !String((error as Error).message).includes('being accessed')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
    }
  }
  return {
    url: withDatabase(url, name),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The PGlite dump global-setup made; a unit test (vitest.config.ts) has none. */
function pgliteDump(): string {
  const path = inject('pgliteDump');
  if (!path) throw new Error('No test database in this project: a test file that uses one belongs to the integration project (vitest.config.ts).');
  return path;
}
