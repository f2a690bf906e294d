import { createSearchEngine } from '../search/index.js';
import { allNeedDocuments } from '../search/need-documents.js';
import { reindexOffers } from '../search/reindex.js';
import { loadConfig } from '../server/config.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';

/** npm run search:reindex — rebuilds the search index from the database (blue/green with Meilisearch). */
async function main() {
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const engine = createSearchEngine(config, database.db);
  const startedAt = performance.now();
  const { count } = await reindexOffers(database.db, engine, (n) => process.stdout.write(`\r${n} offres lues…`));
  const indexed = await engine.count('offer');
  process.stdout.write('\n');
  const needs = await engine.needs.rebuild(allNeedDocuments(database.db));
  console.log(`Besoins : ${needs.count} besoins ouverts indexés.`);
  console.log(
    `Index ${engine.name} reconstruit : ${count} offres publiées, ${indexed} documents dans l’index, en ${Math.round(performance.now() - startedAt)} ms.`,
  );
  await engine.close();
  await database.close();
  if (indexed !== count) process.exitCode = 1;
}

main().catch(exitOnStartupError);
