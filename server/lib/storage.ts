import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, relative, sep } from 'node:path';

type StorageKind = 'disk' | 'database' | 's3';

export interface StoredEntry {
  key: string;
  size: number;
  createdAt: Date;
}

/**
 * Where uploaded files live, whichever engine keeps them (disk, the database, an S3 bucket).
 * A `put` is all or nothing: a reader sees the whole file under its key, or nothing.
 */
export interface Storage {
  readonly kind: StorageKind;
  put(key: string, data: Buffer, contentType?: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** Every stored file whose key starts with `prefix`. */
  list(prefix?: string): AsyncIterable<StoredEntry>;
}

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;

/** Keys are relative paths of plain names: no `..`, no absolute path, nothing a shell or a URL would read twice. */
export function assertStorageKey(key: string): void {
  if (key.length > 300 || !KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`Invalid storage key: ${key}`);
  }
}

const contentTypes: Record<string, string> = {
  webp: 'image/webp',
  jpg: 'image/jpeg',
  png: 'image/png',
  pdf: 'application/pdf',
  csv: 'text/csv',
};

export function contentTypeOf(key: string): string {
  return contentTypes[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** Suffix of a file being written on disk: renamed to its key once complete. */
export const TEMPORARY_SUFFIX = '.partial';

/**
 * Files under a directory. A file is written under a temporary name, then renamed to its key: a
 * failure (full disk, crash) never leaves a truncated file under the key, and the temporary file
 * is removed (or, after a crash, by the orphan cleanup job, which sees it in `list`).
 */
export class DiskStorage implements Storage {
  readonly kind = 'disk' as const;
  private readonly root: string;

  constructor(root: string) {
    this.root = normalize(root);
  }

  private path(key: string): string {
    assertStorageKey(key);
    const path = normalize(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`Invalid storage key: ${key}`);
    return path;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`;
    try {
      await writeFile(temporary, data, { flag: 'wx' });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async *list(prefix = ''): AsyncIterable<StoredEntry> {
    let names: string[];
    try {
      names = (await readdir(this.root, { recursive: true })) as string[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names.sort()) {
      const key = relative(this.root, join(this.root, name)).split(sep).join('/');
      if (!key.startsWith(prefix)) continue;
      const info = await stat(join(this.root, name)).catch(() => null);
      if (info?.isFile()) yield { key, size: info.size, createdAt: info.mtime };
    }
  }
}

/** Stores several files as one: when one fails, the ones already written are removed. */
export async function putAll(storage: Storage, files: [key: string, data: Buffer][]): Promise<void> {
  const written: string[] = [];
  try {
    for (const [key, data] of files) {
      await storage.put(key, data);
      written.push(key);
    }
  } catch (error) {
    await discard(storage, written);
    throw error;
  }
}

/** Removes files that no row will reference; a failure is left to the orphan cleanup job. */
export async function discard(storage: Storage, keys: string[]): Promise<void> {
  await Promise.all(keys.map((key) => storage.delete(key).catch(() => {})));
}
