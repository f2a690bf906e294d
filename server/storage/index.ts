import { join } from 'node:path';
import type { Db } from '../../db/client.js';
import type { Config } from '../config.js';
import { DiskStorage, type Storage } from '../lib/storage.js';
import { DatabaseStorage } from './database-storage.js';
import { S3Storage } from './s3-storage.js';

/** The directory of the disk engine, and the source of `npm run storage:migrate`. */
export function uploadsDir(config: Pick<Config, 'DATA_DIR'>): string {
  return join(config.DATA_DIR, 'uploads');
}

/** The storage engine the configuration names (config.ts resolves the default). */
export function createStorage(config: Config, db: Db): Storage {
  if (config.STORAGE === 'database') return new DatabaseStorage(db);
  if (config.STORAGE === 's3') {
    return new S3Storage({
      endpoint: config.S3_ENDPOINT,
      bucket: config.S3_BUCKET!,
      region: config.S3_REGION,
      accessKeyId: config.S3_ACCESS_KEY_ID!,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
      pathStyle: config.S3_PATH_STYLE,
    });
  }
  return new DiskStorage(uploadsDir(config));
}
