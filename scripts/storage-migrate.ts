import { existsSync } from 'node:fs';
import { loadConfig } from '../server/config.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';
import { DiskStorage } from '../server/lib/storage.js';
import { createStorage, uploadsDir } from '../server/storage/index.js';
import { migrateFiles } from '../server/storage/migrate.js';

/** npm run storage:migrate [-- --from DIR] — copies the uploads on disk into the configured storage engine. */
async function main() {
  const config = loadConfig();
  const fromIndex = process.argv.indexOf('--from');
  const from = fromIndex > 0 ? process.argv[fromIndex + 1]! : uploadsDir(config);
  if (config.STORAGE === 'disk') {
    console.log(`Stockage configuré : disque (${uploadsDir(config)}). Rien à migrer : choisissez STORAGE=database ou s3.`);
    return;
  }
  if (!existsSync(from)) {
    console.log(`Aucun dossier ${from} : 0 fichier migré.`);
    return;
  }
  const database = await prepareDatabase(config);
  const target = createStorage(config, database.db);
  const result = await migrateFiles(new DiskStorage(from), target, (n) => {
    if (n % 100 === 0) process.stdout.write(`\r${n} fichiers copiés…`);
  });
  const megabytes = (result.bytes / 1024 / 1024).toFixed(1).replace('.', ',');
  console.log(
    `\r${result.moved} fichier${result.moved > 1 ? 's' : ''} migré${result.moved > 1 ? 's' : ''} de ${from} vers le stockage ${target.kind} (${megabytes} Mo), ${result.alreadyThere} déjà présent${result.alreadyThere > 1 ? 's' : ''}. Les fichiers sur disque sont conservés : supprimez-les une fois le site vérifié.`,
  );
  await database.close();
}

main().catch(exitOnStartupError);
