import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { drainSearchOutbox } from '../search/worker.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { exitOnStartupError, prepareDatabase } from './lib/startup.js';

async function main() {
  const startedAt = performance.now();
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const app = await buildApp({ config, database });
  if (config.SEED_DEMO) {
    const { seedDemoIfEmpty } = await import('./demo/index.js');
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

// Start the server only when this file is the entry point (tests import nothing from here, but stay safe).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main().catch(exitOnStartupError);
