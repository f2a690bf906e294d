import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type Database, type Db, migrationsFolder } from './database.js';
import * as schema from './schema/index.js';

export { type Database, DatabaseLockedError, type Db, type DriverName, migrationsFolder, type Schema, type Stamped } from './database.js';

/** Raw SQL through either driver: postgres.js returns an array, PGlite `{rows}`. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Seconds to open a connection: past it a request fails (503) instead of waiting for an unreachable server (default 30). */
const CONNECT_TIMEOUT_SECONDS = 3;
/**
 * Seconds to wait before a new connection attempt after failed ones. postgres.js's default grows
 * to 10-20 s after a few failures (counted for the whole pool), and the request that needs the
 * connection waits that long (14 s seen while a server refused connections). Half a second at most.
 */
const reconnectDelaySeconds = (failures: number) => Math.min(0.05 * 2 ** failures, 0.5);

export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const settings = { connect_timeout: CONNECT_TIMEOUT_SECONDS, backoff: reconnectDelaySeconds, onnotice: () => {} };
  const client = postgres(url, { max: options.max ?? 10, ...settings });
  // Opened on the first health check only; never shares the pool's queue.
  const healthClient = postgres(url, { max: 1, ...settings });
  const db = drizzlePostgres(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    healthDb: drizzlePostgres(healthClient, { schema, casing: 'snake_case' }) as unknown as Db,
    driver: 'postgres',
    migrate: async () => {
      await migratePostgres(drizzlePostgres(client, { casing: 'snake_case' }), { migrationsFolder });
    },
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), healthClient.end({ timeout: 1 })]);
    },
  };
}

/** PostgreSQL when DATABASE_URL is set; else the embedded PGlite, loaded only then (about 45 MB resident). */
export async function openDatabase(config: { DATABASE_URL?: string | undefined; DATABASE_POOL_MAX?: number; DATA_DIR: string }): Promise<Database> {
  if (config.DATABASE_URL) return openPostgres(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
  const { openPglite } = await import('./pglite.js');
  return openPglite(config.DATA_DIR);
}
