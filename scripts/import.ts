// npm run import -- offers FILE.csv [--dry-run]
// Imports offers from a CSV file (PRODUCT.md, "Bulk import"): bad rows are listed with their line
// and written to FILE.rejects.csv; the last line is the summary "imported N, updated N, rejected N".
// The search index is brought up to date before the command exits.
import { closeSync, createReadStream, existsSync, openSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSearchEngine } from '../search/index.js';
import type { OutboxDeps } from '../search/worker.js';
import { loadConfig } from '../server/config.js';
import type { Deps } from '../server/deps.js';
import { Clock } from '../server/lib/clock.js';
import { formatters } from '../server/lib/format.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';
import { rejectsCsv } from '../server/offers/import/admin-import.js';
import { ImportFileError, importOffers } from '../server/offers/import/import.js';
import { catchUpSearchIndexWithProgress, progressBar } from './progress.js';

const SHOWN_ERRORS = 100;
const USAGE = 'Usage : npm run import -- offers FICHIER.csv [--dry-run]';

/** Runs the command on these dependencies and returns its exit code (tests call it in-process). */
export async function importCommand(deps: OutboxDeps & Pick<Deps, 'clock'>, args: string[]): Promise<number> {
  const dryRun = args.includes('--dry-run');
  const [kind, file] = args.filter((a) => !a.startsWith('--'));
  const usage = (message: string) => {
    console.error(`${message}\n${USAGE}`);
    return 2;
  };
  if (kind !== 'offers') return usage('Seul le type « offers » peut être importé.');
  if (!file) return usage('Indiquez le fichier CSV à importer.');
  if (!existsSync(file) || !statSync(file).isFile()) return usage(`Fichier introuvable : ${file}`);

  const rejectsPath = `${file.replace(/\.csv$/i, '')}.rejects.csv`;
  const rejects = rejectsCsv();
  // Written synchronously, line by line: a file of junk cannot pile rejects up in memory.
  const output = openSync(rejectsPath, 'w');
  writeSync(output, rejects.header);

  const size = statSync(file).size;
  const bar = progressBar('Import |{bar}| {percentage}% | {mo} / {totalMo} Mo | {duration_formatted}');
  const mo = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  bar?.start(size, 0, { mo: '0.0', totalMo: mo(size) });

  const firstErrors: { line: number; text: string }[] = [];
  const startedAt = performance.now();
  let result: Awaited<ReturnType<typeof importOffers>>;
  try {
    result = await importOffers(deps, createReadStream(file), {
      publish: true,
      dryRun,
      keepErrors: 0,
      onProgress: (bytes) => bar?.update(bytes, { mo: mo(bytes) }),
      onReject: (reject) => {
        writeSync(output, rejects.line(reject));
        if (firstErrors.length < SHOWN_ERRORS) firstErrors.push({ line: reject.line, text: `ligne ${reject.line} : ${reject.reason}` });
      },
    });
  } catch (error) {
    bar?.stop();
    closeSync(output);
    rmSync(rejectsPath, { force: true });
    if (!(error instanceof ImportFileError)) throw error;
    console.error(`${file} : ${error.message}`);
    return 1;
  }
  bar?.update(size, { mo: mo(size) });
  bar?.stop();
  closeSync(output);
  for (const { text } of firstErrors.sort((a, b) => a.line - b.line)) console.error(text);
  if (result.rejected === 0) rmSync(rejectsPath, { force: true });
  else {
    if (result.rejected > SHOWN_ERRORS) console.error(`… et ${result.rejected - SHOWN_ERRORS} autres lignes refusées.`);
    console.error(`Lignes refusées et motifs : ${rejectsPath}`);
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.error(
    `${dryRun ? 'Simulation (rien n’a été enregistré) ' : ''}en ${seconds} s ; ${formatters.plural(result.unchanged, 'offre déjà à jour', 'offres déjà à jour')}.`,
  );
  const indexed = dryRun || (await catchUpSearchIndexWithProgress(deps));
  console.log(`imported ${result.imported}, updated ${result.updated}, rejected ${result.rejected}`);
  return indexed ? 0 : 1;
}

async function main() {
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const search = createSearchEngine(config, database.db);
  try {
    process.exitCode = await importCommand({ db: database.db, clock: new Clock(), search }, process.argv.slice(2));
  } finally {
    await search.close();
    await database.close();
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main().catch(exitOnStartupError);
