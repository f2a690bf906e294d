import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { rows } from '../../db/client.js';
import type { App } from '../../server/types.js';

/**
 * A database outage as the load bench plays it (PostgreSQL only): the app's connections are cut
 * and new ones refused until `restore`.
 */
export async function databaseOutage(app: App) {
  const [{ name } = { name: '' }] = await rows<{ name: string }>(app.deps.db, sql`select current_database() as name`);
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  return {
    async cut() {
      await admin.unsafe(`alter database ${name} allow_connections false`);
      await admin.unsafe(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
    },
    restore: () => admin.unsafe(`alter database ${name} allow_connections true`),
    async end() {
      await admin.unsafe(`alter database ${name} allow_connections true`);
      await admin.end();
    },
  };
}
