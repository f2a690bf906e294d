import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Needs a PostgreSQL backend to terminate; runs in a child process, since the driver's error is uncaught.
describe.runIf(process.env.DATABASE_URL)('a transaction whose backend is cut', () => {
  it('fails as a closed connection, and the driver throws nothing uncaught that would stop the server', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/platform/fixtures/cut-transactions.ts'], {
      env: process.env,
      timeout: 60_000,
    });
    const { outcomes, uncaught } = JSON.parse(stdout.trim().split('\n').pop()!) as { outcomes: string[]; uncaught: string[] };
    // The backend's own « terminating connection » (57P01) arrives first or the socket's close does.
    expect(outcomes).toHaveLength(3);
    for (const outcome of outcomes) expect(['CONNECTION_CLOSED', '57P01']).toContain(outcome);
    // Unpatched postgres.js 3.4.9 and 3.4.10 throw "Cannot read properties of null (reading 'write')" every time.
    expect(uncaught).toEqual([]);
  }, 90_000);

  it('fails a query whose new connection is cut while it fetches the array types, rejects nothing unhandled, and connects again after', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/platform/fixtures/cut-type-fetch.ts'], {
      env: process.env,
      timeout: 60_000,
    });
    const { whileCut, afterwards, cuts, unhandled } = JSON.parse(stdout.trim().split('\n').pop()!) as {
      whileCut: string;
      afterwards: string;
      cuts: number;
      unhandled: string[];
    };
    expect(cuts).toBeGreaterThan(0);
    expect(whileCut).toBe('CONNECTION_CLOSED');
    // Unpatched postgres.js 3.4.9 leaves the types query's rejection unhandled (Node stops on it).
    expect(unhandled).toEqual([]);
    expect(afterwards).toBe('ok');
  }, 90_000);
});
