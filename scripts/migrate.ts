// npm run db:migrate — applies pending migrations and loads the reference data (communes,
// départements, régions, school holidays), then exits. `npm start` does the same at every start.
import { loadConfig } from '../server/config.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';

async function run() {
  const startedAt = performance.now();
  const config = loadConfig();
  const database = await prepareDatabase(config);
  await database.close();
  const where = database.driver === 'pglite' ? `PGlite, ${config.DATA_DIR}` : 'PostgreSQL';
  console.log(`Base de données à jour (${where}) en ${Math.round(performance.now() - startedAt)} ms.`);
}

run().catch(exitOnStartupError);
