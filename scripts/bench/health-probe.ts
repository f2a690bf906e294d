import { Agent, get } from 'node:http';

/**
 * Probes /healthz from a process of its own, as a load balancer would: the load generator's busy
 * event loop must not count as the app's latency. Usage: health-probe.ts BASE INTERVAL_MS SECONDS.
 * Prints "ready" once started (the bench starts measuring then, not during this process's start-up),
 * then {"latencies":[…],"failures":n} on the next line when done. One kept-alive connection and
 * node:http, the lightest client Node has: the probe shares the CPUs with the app it measures.
 */
const [base, intervalArg, secondsArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL('/healthz', base);

function probe(): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent, timeout: 5_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

await probe(); // the connection is opened before measuring
process.stdout.write('ready\n');
const end = performance.now() + Number(secondsArg) * 1000;
const latencies: number[] = [];
let failures = 0;
while (performance.now() < end) {
  const started = performance.now();
  if (!(await probe())) failures++;
  const took = performance.now() - started;
  latencies.push(took);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - took)));
}
agent.destroy();
process.stdout.write(JSON.stringify({ latencies, failures }));
