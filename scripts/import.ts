// npm run import -- offers FILE.csv [--dry-run]
// Imports offers from a CSV file (PRODUCT.md, "Bulk import"): bad rows are listed with their line
// and written to FILE.rejects.csv; the last line is the summary "imported N, updated N, rejected N".
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { loadConfig } from '../server/config.js';
import { Clock } from '../server/lib/clock.js';
import { exitOnStartupError, prepareDatabase } from '../server/main.js';
import { rejectsCsv } from '../server/offers/import/admin-import.js';
import { ImportFileError, importOffers } from '../server/offers/import/import.js';

const SHOWN_ERRORS = 100;

function usage(message: string): never {
  console.error(`${message}\nUsage : npm run import -- offers FICHIER.csv [--dry-run]`);
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const [kind, file] = args.filter((a) => !a.startsWith('--'));
  if (kind !== 'offers') usage('Seul le type « offers » peut être importé.');
  if (!file) usage('Indiquez le fichier CSV à importer.');
  if (!existsSync(file) || !statSync(file).isFile()) usage(`Fichier introuvable : ${file}`);

  const config = loadConfig();
  const database = await prepareDatabase(config);
  const rejectsPath = file.replace(/\.csv$/i, '') + '.rejects.csv';
  const rejects = rejectsCsv();
  const output = createWriteStream(rejectsPath);
  rejects.csv.pipe(output);

  const size = statSync(file).size;
  const bar = process.stdout.isTTY
    ? new cliProgress.SingleBar(
        { format: 'Import |{bar}| {percentage}% | {mo} / {totalMo} Mo | {duration_formatted}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const mo = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  bar?.start(size, 0, { mo: '0.0', totalMo: mo(size) });

  const firstErrors: string[] = [];
  const startedAt = performance.now();
  try {
    const result = await importOffers({ db: database.db, clock: new Clock() }, createReadStream(file), {
      publish: true,
      dryRun,
      keepErrors: 0,
      onProgress: (bytes) => bar?.update(bytes, { mo: mo(bytes) }),
      onReject: (reject) => {
        rejects.write(reject);
        if (firstErrors.length < SHOWN_ERRORS) firstErrors.push(`ligne ${reject.line} : ${reject.reason}`);
      },
    });
    bar?.update(size, { mo: mo(size) });
    bar?.stop();
    rejects.csv.end();
    await finished(output);
    for (const line of firstErrors.sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]))) console.error(line);
    if (result.rejected === 0) rmSync(rejectsPath, { force: true });
    else {
      if (result.rejected > SHOWN_ERRORS) console.error(`… et ${result.rejected - SHOWN_ERRORS} autres lignes refusées.`);
      console.error(`Lignes refusées et motifs : ${rejectsPath}`);
    }
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    console.error(`${dryRun ? 'Simulation (rien n’a été enregistré) ' : ''}en ${seconds} s ; ${result.unchanged} offre(s) déjà à jour.`);
    console.log(`imported ${result.imported}, updated ${result.updated}, rejected ${result.rejected}`);
  } catch (error) {
    bar?.stop();
    rejects.csv.end();
    await finished(output).catch(() => {});
    rmSync(rejectsPath, { force: true });
    if (error instanceof ImportFileError) {
      console.error(error.message);
      process.exitCode = 1;
    } else throw error;
  } finally {
    await database.close();
  }
}

main().catch(exitOnStartupError);
