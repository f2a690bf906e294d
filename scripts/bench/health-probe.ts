/**
 * Probes /healthz from a process of its own, as a load balancer would: the load generator's busy
 * event loop must not count as the app's latency. Usage: health-probe.ts BASE INTERVAL_MS SECONDS.
 * Prints "ready" once started (the bench starts measuring then, not during this process's start-up),
 * then {"latencies":[…],"failures":n} on the next line when done.
 */
const [base, intervalArg, secondsArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
process.stdout.write('ready\n');
const end = performance.now() + Number(secondsArg) * 1000;
const latencies: number[] = [];
let failures = 0;
while (performance.now() < end) {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    if (!response.ok) failures++;
  } catch {
    failures++;
  }
  const took = performance.now() - started;
  latencies.push(took);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - took)));
}
process.stdout.write(JSON.stringify({ latencies, failures }));
