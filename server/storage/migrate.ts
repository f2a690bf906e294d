import { type Storage, TEMPORARY_SUFFIX } from '../lib/storage.js';

interface MigrationResult {
  moved: number;
  alreadyThere: number;
  bytes: number;
}

/**
 * Copies every file of `source` (the uploads directory) into `target`, skipping the files the
 * target already holds and the temporary files of interrupted writes. The source is left as it
 * is: delete it once the site has been checked. Running it again copies only what is missing.
 */
export async function migrateFiles(source: Storage, target: Storage, onFile: (moved: number) => void = () => {}): Promise<MigrationResult> {
  const present = new Set<string>();
  for await (const entry of target.list('')) present.add(entry.key);
  const result: MigrationResult = { moved: 0, alreadyThere: 0, bytes: 0 };
  for await (const entry of source.list('')) {
    if (entry.key.endsWith(TEMPORARY_SUFFIX)) continue;
    if (present.has(entry.key)) {
      result.alreadyThere++;
      continue;
    }
    const data = await source.get(entry.key);
    if (!data) continue;
    await target.put(entry.key, data);
    result.moved++;
    result.bytes += data.length;
    onFile(result.moved);
  }
  return result;
}
