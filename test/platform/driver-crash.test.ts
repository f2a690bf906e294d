import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Needs a PostgreSQL backend to terminate; runs in a child process, since the driver's error is uncaught.
describe.runIf(process.env.DATABASE_URL)('a transaction whose backend is cut', () => {
  it('fails with CONNECTION_CLOSED and the process keeps running, although postgres.js then writes to the closed socket', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/platform/fixtures/cut-transactions.ts'], {
      env: process.env,
      timeout: 60_000,
    });
    const { outcomes, ignored } = JSON.parse(stdout.trim().split('\n').pop()!) as { outcomes: string[]; ignored: string[] };
    expect(outcomes[0]).toBe('CONNECTION_CLOSED');
    // postgres.js 3.4.9 and 3.4.10 throw it every time. Once the driver is fixed this fails: drop the guard then.
    expect(ignored.length).toBeGreaterThan(0);
    expect(ignored[0]).toBe("Cannot read properties of null (reading 'write')");
  }, 90_000);
});
