import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measurePaced } from '../../scripts/bench/paced.js';

describe('the bench sending requests at a steady rate', () => {
  let server: Server;
  let base = '';
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      arrivals.push(performance.now());
      response.statusCode = request.url === '/missing' ? 404 : 200;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('spreads a second’s requests over the second instead of sending them at once', async () => {
    arrivals.length = 0;
    const result = await measurePaced(base, () => '/', { rate: 50, duration: 1, connections: 10, headers: {} });
    expect(result.latencies).toHaveLength(50);
    expect(result.errors).toBe(0);
    expect(result.bytes).toBe(100);
    // 20 ms apart when paced; a burst would send them all within a few milliseconds.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(900);
    // Most tenths of the second receive some: bursts (one or a few) fill one or two. Not the gaps
    // between arrivals: the server shares the test's event loop, and on a loaded machine a stall
    // of it clusters the arrivals it records (24 of 49 gaps under 5 ms were seen in CI).
    const tenths = new Set(arrivals.map((at) => Math.min(9, Math.floor((at - arrivals[0]!) / 100))));
    expect(tenths.size).toBeGreaterThanOrEqual(6);
  });

  it('counts answers of 400 and above as errors', async () => {
    const result = await measurePaced(base, () => '/missing', { rate: 20, duration: 0.5, connections: 2, headers: {} });
    expect(result.latencies).toHaveLength(10);
    expect(result.errors).toBe(10);
  });
});
