import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { DatabaseLockedError, openDatabase } from '../db/client.js';
import { ensureReferenceData } from '../db/reference.js';
import { drainSearchOutbox } from '../search/worker.js';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';

/** Opens the database and applies pending migrations and reference data: every command starts here. */
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

async function main() {
  const startedAt = performance.now();
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const app = await buildApp({ config, database });
  if (config.SEED_DEMO) {
    const { seedDemoIfEmpty } = await import('../db/seed/index.js');
    // Index the demo before listening, so that the first search already finds it.
    if (await seedDemoIfEmpty(app.deps)) await drainSearchOutbox(app.deps);
  }
  if (config.JOBS_ENABLED) app.deps.scheduler.start(config.JOBS_TICK_MS);

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });

  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info(
    { db: database.driver, search: config.MEILI_HOST ? 'meilisearch' : 'postgres', startupMs: Math.round(performance.now() - startedAt) },
    `Passerelle is ready on ${config.BASE_URL}`,
  );
}

// Scripts import prepareDatabase from here: start the server only when this file is the entry point.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main().catch(exitOnStartupError);
