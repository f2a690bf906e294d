import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { type Database, DatabaseLockedError, type Db, migrationsFolder } from './database.js';
import * as schema from './schema/index.js';

// The embedded database, apart from client.ts so that a process on PostgreSQL never loads it.

export const pgliteExtensions = { unaccent, pg_trgm, cube, earthdistance };

/** Wraps an open PGlite instance (tests load one from a dump). */
export function wrapPglite(client: PGlite, onClose: () => void = () => {}): Database {
  const db = drizzlePglite(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    // One embedded connection: nothing to queue behind but the queries themselves.
    healthDb: db,
    driver: 'pglite',
    migrate: async () => {
      await migratePglite(drizzlePglite(client, { casing: 'snake_case' }), { migrationsFolder });
    },
    close: async () => {
      await client.close();
      onClose();
    },
  };
}

/**
 * Opens the embedded database in dataDir. PGlite allows one process per directory, so a lock
 * file holding our pid refuses a second process instead of letting it corrupt the data.
 */
export async function openPglite(dataDir: string): Promise<Database> {
  const dir = resolve(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const lockFile = resolve(dataDir, 'pglite.lock');
  takeLock(lockFile, dir);
  const client = await PGlite.create({ dataDir: dir, extensions: pgliteExtensions });
  return wrapPglite(client, () => rmSync(lockFile, { force: true }));
}

/** Creates the lock file atomically; a lock left by a process that is gone is replaced. */
function takeLock(lockFile: string, dir: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new DatabaseLockedError(
        `La base embarquée ${dir} est utilisée par le processus ${pid} : arrêtez-le d’abord (PGlite n’accepte qu’un processus par DATA_DIR).`,
      );
    }
    rmSync(lockFile, { force: true });
  }
  throw new DatabaseLockedError(`La base embarquée ${dir} est en cours d’ouverture par un autre processus : réessayez dans un instant.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
