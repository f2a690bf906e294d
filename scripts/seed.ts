// npm run seed — loads the demo data into an empty database (what `npm start` does on first
// start unless SEED_DEMO=0). `npm run seed -- --force` also seeds a database that already holds
// other data, but never twice: demo records have fixed external ids and e-mail addresses. The
// search index is brought up to date before the command exits.
import { count, like } from 'drizzle-orm';
import { organisations, users } from '../db/schema/index.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { seedDemo } from '../server/demo/index.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';
import { catchUpSearchIndexWithProgress } from './progress.js';

async function run() {
  const force = process.argv.slice(2).includes('--force');
  const startedAt = performance.now();
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const app = await buildApp({ config, database, logger: { level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL } });
  try {
    const db = app.deps.db;
    const [all] = await db.select({ value: count() }).from(organisations);
    const [demo] = await db.select({ value: count() }).from(organisations).where(like(organisations.externalId, 'demo-%'));
    const [demoUsers] = await db.select({ value: count() }).from(users).where(like(users.email, '%@demo.passerelle.fr'));
    if ((demo?.value ?? 0) > 0 || (demoUsers?.value ?? 0) > 0) {
      console.error('Les données de démonstration sont déjà chargées dans cette base : rien à faire.');
      process.exitCode = 1;
      return;
    }
    if ((all?.value ?? 0) > 0 && !force) {
      console.error(
        `La base contient déjà ${all?.value} structures : la démonstration ne se charge que dans une base vide. ` +
          'Utilisez un DATA_DIR ou une base neufs, ou relancez avec `npm run seed -- --force` pour l’ajouter quand même.',
      );
      process.exitCode = 1;
      return;
    }
    await seedDemo(app.deps);
    if (!(await catchUpSearchIndexWithProgress(app.deps))) process.exitCode = 1;
    console.log(`Données de démonstration chargées en ${Math.round(performance.now() - startedAt)} ms (comptes : voir README, mot de passe passerelle-demo).`);
  } finally {
    await app.close();
  }
}

run().catch(exitOnStartupError);
