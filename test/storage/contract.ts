import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage, StoredEntry } from '../../server/lib/storage.js';

export interface OpenedStorage {
  storage: Storage;
  close(): Promise<void>;
}

async function collect(iterable: AsyncIterable<StoredEntry>): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

/** What every storage engine must do, run against each of them (disk, database, S3). */
export function storageContract(name: string, open: () => Promise<OpenedStorage>, limits: { notAtomic?: string } = {}) {
  describe(`${name} storage engine contract`, () => {
    let opened: OpenedStorage;
    let storage: Storage;
    beforeAll(async () => {
      opened = await open();
      storage = opened.storage;
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('gives back the exact bytes it stored, and null for a key it never stored', async () => {
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await storage.put('offres/every-byte.webp', everyByte);
      expect((await storage.get('offres/every-byte.webp'))?.equals(everyByte)).toBe(true);
      expect(await storage.get('offres/never-stored.webp')).toBeNull();
      const empty = Buffer.alloc(0);
      await storage.put('imports/empty.csv', empty);
      expect((await storage.get('imports/empty.csv'))?.length).toBe(0);
    });

    it('keeps a file of the upload limit (5 MB) intact', async () => {
      const large = randomBytes(5 * 1024 * 1024);
      await storage.put('requests/1/large.pdf', large, 'application/pdf');
      expect((await storage.get('requests/1/large.pdf'))?.equals(large)).toBe(true);
    });

    it('replaces a file stored again under the same key', async () => {
      await storage.put('logos/1-aaaaaaaaaaaa.webp', Buffer.from('first'));
      await storage.put('logos/1-aaaaaaaaaaaa.webp', Buffer.from('second version'));
      expect((await storage.get('logos/1-aaaaaaaaaaaa.webp'))?.toString()).toBe('second version');
    });

    it.skipIf(limits.notAtomic)('ends with one whole file when two writers store the same key at once', async () => {
      const a = Buffer.alloc(256 * 1024, 'a');
      const b = Buffer.alloc(256 * 1024, 'b');
      await Promise.all([storage.put('offres/race.webp', a), storage.put('offres/race.webp', b)]);
      const stored = await storage.get('offres/race.webp');
      expect(stored?.equals(a) || stored?.equals(b)).toBe(true);
    });

    it('deletes a file, and deleting a missing one is not an error', async () => {
      await storage.put('offres/to-delete.webp', Buffer.from('x'));
      await storage.delete('offres/to-delete.webp');
      expect(await storage.get('offres/to-delete.webp')).toBeNull();
      await storage.delete('offres/to-delete.webp');
    });

    it('lists the files under a prefix with their size and time, past one page of results', async () => {
      const before = Date.now() - 5 * 60_000;
      const keys = Array.from({ length: 520 }, (_, i) => `listing/${String(i).padStart(4, '0')}.csv`);
      for (let i = 0; i < keys.length; i += 40) {
        await Promise.all(keys.slice(i, i + 40).map((key, j) => storage.put(key, Buffer.alloc(i + j + 1, 'z'))));
      }
      await storage.put('listing-other/0001.csv', Buffer.from('not in the prefix'));
      const listed = await collect(storage.list('listing/'));
      expect(listed.map((entry) => entry.key).sort()).toEqual(keys);
      const third = listed.find((entry) => entry.key === 'listing/0002.csv')!;
      expect(third.size).toBe(3);
      expect(third.createdAt.getTime()).toBeGreaterThan(before);
      expect(third.createdAt.getTime()).toBeLessThan(Date.now() + 5 * 60_000);
      const all = await collect(storage.list(''));
      expect(all.some((entry) => entry.key === 'listing-other/0001.csv')).toBe(true);
    });

    it('refuses keys that would leave its space (.., absolute paths, empty parts)', async () => {
      for (const key of ['../secret', '/etc/passwd', 'offres/../../x', 'offres//x', 'offres/./x', '', 'offres/x y.webp']) {
        await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(/Invalid storage key/);
        await expect(storage.get(key)).rejects.toThrow(/Invalid storage key/);
      }
    });
  });
}
