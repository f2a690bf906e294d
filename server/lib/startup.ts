import { DatabaseLockedError, openDatabase } from '../../db/client.js';
import { ensureReferenceData } from '../../db/reference.js';
import { type Config, ConfigError } from '../config.js';

/**
 * Opens the database and applies pending migrations and reference data: every command starts
 * here. Kept apart from main.ts so that a command does not load the web application (about
 * 90 MB of resident memory the CSV import, for one, has no use for).
 */
export async function prepareDatabase(config: Config) {
  const database = await openDatabase(config);
  await database.migrate();
  await ensureReferenceData(database.db);
  return database;
}

export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) console.error(`Configuration invalide — ${error.message}`);
  else if (error instanceof DatabaseLockedError) console.error(error.message);
  else console.error(error);
  process.exit(1);
}
