import type { Deps } from '../deps.js';
import { thumbnailKey } from '../offers/offers.view.js';
import { referencedKeys } from './storage.repository.js';

/**
 * A file is written before the row that points to it commits: younger files may still get their
 * row, so only files older than this are removed.
 */
export const ORPHAN_GRACE_MS = 60 * 60_000;

/** The folders the app writes to: anything else in a shared bucket is left alone. */
const FOLDERS = ['offres/', 'logos/', 'requests/', 'imports/', 'partenariats/'];

/**
 * Removes stored files that no row references and that are older than the grace period: files
 * left by an upload whose transaction failed, by a crash, or half-written temporary files.
 */
export async function removeOrphanFiles(deps: Pick<Deps, 'db' | 'storage' | 'clock'>): Promise<{ checked: number; removed: number }> {
  const { photos, others } = await referencedKeys(deps.db);
  const referenced = new Set([...others, ...photos, ...photos.map(thumbnailKey)]);
  const before = deps.clock.now().getTime() - ORPHAN_GRACE_MS;
  const orphans: string[] = [];
  let checked = 0;
  for (const folder of FOLDERS) {
    for await (const entry of deps.storage.list(folder)) {
      checked++;
      if (!referenced.has(entry.key) && entry.createdAt.getTime() < before) orphans.push(entry.key);
    }
  }
  for (const key of orphans) await deps.storage.delete(key);
  return { checked, removed: orphans.length };
}
