import { createHash } from 'node:crypto';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { storedFiles } from '../../db/schema/index.js';
import { assertStorageKey, contentTypeOf, type Storage, type StoredEntry } from '../lib/storage.js';

const PAGE = 500;

/**
 * Files in the `stored_files` table of the application database (PostgreSQL or PGlite). The
 * contents travel as base64 text, decoded by the database: both drivers send a Buffer parameter
 * as escaped text, 3 to 10 times slower (16 s for 5 MB on PGlite).
 */
export class DatabaseStorage implements Storage {
  readonly kind = 'database' as const;

  constructor(private readonly db: Db) {}

  async put(key: string, data: Buffer, contentType = contentTypeOf(key)): Promise<void> {
    assertStorageKey(key);
    const values = {
      contentType,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      data: sql`decode(${data.toString('base64')}, 'base64')`,
      createdAt: new Date(),
    };
    await this.db
      .insert(storedFiles)
      .values({ key, ...values })
      .onConflictDoUpdate({ target: storedFiles.key, set: values });
  }

  async get(key: string): Promise<Buffer | null> {
    assertStorageKey(key);
    const [row] = await this.db
      .select({ data: sql<string>`encode(${storedFiles.data}, 'base64')` })
      .from(storedFiles)
      .where(eq(storedFiles.key, key));
    return row ? Buffer.from(row.data, 'base64') : null;
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.db.delete(storedFiles).where(eq(storedFiles.key, key));
  }

  /** Pages through the keys in order, without reading the contents. */
  async *list(prefix = ''): AsyncIterable<StoredEntry> {
    let after = '';
    for (;;) {
      const page = await this.db
        .select({ key: storedFiles.key, size: storedFiles.size, createdAt: storedFiles.createdAt })
        .from(storedFiles)
        .where(and(sql`starts_with(${storedFiles.key}, ${prefix})`, gt(storedFiles.key, after)))
        .orderBy(asc(storedFiles.key))
        .limit(PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.key;
    }
  }
}
