// npm run export -- offers FILE.csv
// Writes every offer as CSV in the import's columns (export then import changes nothing).
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../server/config.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';
import { exportOffersCsv } from '../server/offers/import/export.js';

async function main() {
  const [kind, file] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (kind !== 'offers' || !file) {
    console.error('Usage : npm run export -- offers FICHIER.csv   (« - » pour la sortie standard)');
    process.exit(2);
  }
  const config = loadConfig();
  const database = await prepareDatabase(config);
  let count = 0;
  try {
    await pipeline(exportOffersCsv(database.db, { onRow: () => count++ }), file === '-' ? process.stdout : createWriteStream(file));
    console.error(`exported ${count}`);
  } finally {
    await database.close();
  }
}

main().catch(exitOnStartupError);
