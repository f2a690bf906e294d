import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** URL prefix → folder: our assets, and the pinned vendor builds served straight from node_modules (no CDN). */
export const assetRoots: [prefix: string, dir: string][] = [
  ['/static/', join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static')],
  ['/static/vendor/htmx/', join(packageDir('htmx.org'), 'dist')],
  ['/static/vendor/leaflet/', join(packageDir('leaflet'), 'dist')],
  ['/static/vendor/markercluster/', join(packageDir('leaflet.markercluster'), 'dist')],
];

/** How long a file's hash is trusted before its stat is read again: pages name a dozen files each. */
const RECHECK_MS = 1_000;
const hashes = new Map<string, { mtimeMs: number; size: number; hash: string; checkedAt: number }>();

/**
 * A short hash of a file's content, recomputed only when the file changes (seen within a second,
 * so that an edited file gets a new URL at once in development while a page render costs no
 * system call); null if there is no such file.
 */
export function fileHash(path: string): string | null {
  const now = performance.now();
  const known = hashes.get(path);
  if (known && now - known.checkedAt < RECHECK_MS) return known.hash;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    hashes.delete(path);
    return null;
  }
  if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) {
    known.checkedAt = now;
    return known.hash;
  }
  const hash = createHash('sha256').update(readFileSync(path)).digest('base64url').slice(0, 12);
  hashes.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, hash, checkedAt: now });
  return hash;
}

/** Asset URL → file, for the URLs templates name (a fixed set). */
const files = new Map<string, string | null>();

function fileOf(url: string): string | null {
  let file = files.get(url);
  if (file !== undefined) return file;
  const root = assetRoots.filter(([prefix]) => url.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  const path = root ? normalize(join(root[1], url.slice(root[0].length))) : null;
  file = root && path?.startsWith(root[1] + sep) ? path : null;
  if (files.size < 1_000) files.set(url, file);
  return file;
}

/**
 * The URL of a static file with its content hash ("/static/css/app.css?v=…"): the static plugin
 * serves such URLs as immutable, so a changed file gets a new URL instead of a stale cache.
 */
export function asset(url: string): string {
  const file = fileOf(url);
  const hash = file ? fileHash(file) : null;
  return hash ? `${url}?v=${hash}` : url;
}
