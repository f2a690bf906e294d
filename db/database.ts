import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

// What both drivers share (client.ts opens PostgreSQL, pglite.ts the embedded database).

export type Schema = typeof schema;
/** The query builder both drivers share; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DriverName = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  /** For /healthz: a connection of its own on PostgreSQL, so that the check never queues behind a busy pool. */
  healthDb: Db;
  driver: DriverName;
  /** Applies pending migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
export class DatabaseLockedError extends Error {}

/**
 * What an update of an offer, a need or an organisation must carry: the stored dashboard
 * suggestions trust `updated_at` to tell that their subject changed since they were computed.
 */
export interface Stamped {
  updatedAt: Date;
}
