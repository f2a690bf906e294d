import { Agent, request } from 'node:http';

/**
 * Requests sent at a steady rate, as independent users send them (an open load): autocannon's
 * `overallRate` lets each connection send its whole second's quota at once and then wait, so
 * below saturation it still measures bursts. Here request k is due at start + k / rate, goes out
 * on a free connection of `connections` (or waits for one), and its latency counts from when it
 * was due, so a slow answer that holds the next ones back is counted in theirs.
 */
export async function measurePaced(
  base: string,
  next: () => string,
  options: { rate: number; duration: number; connections: number; headers: Record<string, string> },
): Promise<{ latencies: number[]; errors: number; bytes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(base);
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const interval = 1000 / options.rate;
  const total = Math.floor(options.rate * options.duration);
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path: next(), agent, headers: options.headers, timeout: 10_000 }, (res) => {
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 400) errors++;
          latencies.push(performance.now() - due);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  for (let k = 0; k < total; k++) {
    const due = start + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = send(due);
    inFlight.add(sent);
    sent.then(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), errors, bytes };
}
