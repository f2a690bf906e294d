import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3Storage } from '../../server/storage/s3-storage.js';
import { storageContract } from './contract.js';

/** The S3 engine against s3rver, an S3 emulator from npm (not a real provider: see the README). */
storageContract(
  'S3 (s3rver emulator)',
  async () => {
    const directory = mkdtempSync(join(tmpdir(), 'passerelle-s3-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'passerelle-test', configs: [] }] });
    const { port } = await server.run();
    const storage = new S3Storage({
      endpoint: `http://127.0.0.1:${port}`,
      bucket: 'passerelle-test',
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      pathStyle: true,
    });
    return {
      storage,
      close: async () => {
        storage.close();
        await server.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
  // s3rver writes an object in place; S3 services replace it atomically (the last complete PUT wins).
  { notAtomic: 's3rver writes objects in place' },
);
