import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskStorage } from '../../server/lib/storage.js';
import { storageContract } from './contract.js';

storageContract('Disk', async () => {
  const root = mkdtempSync(join(tmpdir(), 'passerelle-storage-'));
  return { storage: new DiskStorage(root), close: async () => rmSync(root, { recursive: true, force: true }) };
});
