import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseLockedError } from '../../db/client.js';
import { openPglite } from '../../db/pglite.js';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'passerelle-lock-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function holdDatabase(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/platform/fixtures/hold-database.ts', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe.skipIf(Boolean(process.env.DATABASE_URL))('the PGlite single-process lock', () => {
  it('refuses a second process on the same DATA_DIR with a clear message, and opens once the first has stopped', async () => {
    const dataDir = tempDir();
    const holder = await holdDatabase(dataDir);
    try {
      await expect(openPglite(dataDir)).rejects.toThrow(DatabaseLockedError);
      const second = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
        // A clean environment: vitest exposes vite's BASE_URL ("/") in process.env.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(second.status).toBe(1);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toContain(`est utilisée par le processus ${holder.pid}`);
    } finally {
      const exited = new Promise((resolve) => holder.on('exit', resolve));
      holder.kill('SIGTERM');
      await exited;
    }
    const database = await openPglite(dataDir);
    await database.close();
  }, 120_000);

  it('ignores a lock left by a process that no longer exists', async () => {
    const dataDir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dataDir, 'pglite.lock'), gone.stdout);
    const database = await openPglite(dataDir);
    await database.close();
  }, 60_000);
});
