// Progress bars of the commands, and the search index catch-up they end with.
import cliProgress from 'cli-progress';
import { catchUpSearchIndex } from '../search/catch-up.js';
import type { OutboxDeps } from '../search/worker.js';
import { formatters } from '../server/lib/format.js';

/** A progress bar on a terminal; nothing when the output is a log or a pipe. */
export function progressBar(format: string): cliProgress.SingleBar | null {
  return process.stdout.isTTY ? new cliProgress.SingleBar({ format, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
}

/**
 * Applies every pending change to the search index before the command exits, with a progress
 * bar: an app started right after finds everything. Returns false (after saying why) when the
 * engine refused them; the app's job retries them later.
 */
export async function catchUpSearchIndexWithProgress(deps: OutboxDeps): Promise<boolean> {
  const bar = progressBar('Index de recherche |{bar}| {percentage}% | {value} / {total} changements | {duration_formatted}');
  const result = await catchUpSearchIndex(deps, (done, total) => {
    if (done === 0) bar?.start(total, 0);
    else bar?.update(done);
  });
  bar?.stop();
  if (result.failing > 0) {
    console.error(
      `L’index de recherche n’est pas à jour : ${formatters.plural(result.failing, 'changement refusé', 'changements refusés')} par le moteur (${result.error}). ` +
        'L’application les réessaiera ; `npm run search:reindex` le reconstruit.',
    );
    return false;
  }
  console.error(`Index de recherche à jour (${formatters.plural(result.delivered, 'changement appliqué', 'changements appliqués')}).`);
  return true;
}
