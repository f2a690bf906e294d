// Preloaded into the app by the bench (node --import): measures the event loop delay and answers
// the bench over IPC ("reset", then "report" → { loopP99, loopMax, gcMax, cpuMs, waitMs, healthP99, healthMax } in ms). Not part of the app.
// gcMax: the main thread's longest garbage collection pause (V8's "gc" performance entries): a
// pause blocks the loop like a request does, whatever the other processes on the machine do.
// cpuMs and waitMs: the time the main thread ran, and the time it was ready to run but waited for a
// CPU (Linux's /proc/thread-self/schedstat; NaN elsewhere). On a machine shared with the load
// generator and PostgreSQL, that wait is part of every loop delay. healthP99 and healthMax: the
// /healthz requests' time in the app, from the request parsed to the answer written (the probe,
// a process on the same CPUs, sees that plus its own wait for a CPU and the loop's delay in reading it).
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

function schedstat(): [number, number] {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return [cpu! / 1e6, wait! / 1e6];
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

const RESOLUTION_MS = 5;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
/**
 * The histogram holds the time between two firings of its RESOLUTION_MS timer, so an idle loop
 * reads RESOLUTION_MS: how late the loop was is that time less the resolution (as
 * @fastify/under-pressure computes it). Until December 2026 the bench reported the raw value.
 */
const late = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
histogram.enable();
let since = schedstat();
let gcMax = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcMax = Math.max(gcMax, entry.duration);
}).observe({ entryTypes: ['gc'] });

const healthStarted = new WeakMap<IncomingMessage, number>();
const health = createHistogram();
subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (request.url === '/healthz') healthStarted.set(request, performance.now());
});
subscribe('http.server.response.finish', (message) => {
  const started = healthStarted.get((message as { request: IncomingMessage }).request);
  if (started !== undefined) health.record(Math.max(1, Math.round((performance.now() - started) * 1e6)));
});
function healthFigures(): { healthP99: number; healthMax: number } {
  if (health.count === 0) return { healthP99: Number.NaN, healthMax: Number.NaN };
  return { healthP99: health.percentile(99) / 1e6, healthMax: health.max / 1e6 };
}
if (process.send) {
  process.on('message', (message) => {
    if (message === 'reset') {
      histogram.reset();
      since = schedstat();
      gcMax = 0;
      health.reset();
    }
    if (message === 'report') {
      const [cpu, wait] = schedstat();
      process.send?.({
        loopP99: late(histogram.percentile(99)),
        loopMax: late(histogram.max),
        gcMax,
        cpuMs: cpu - since[0],
        waitMs: wait - since[1],
        ...healthFigures(),
      });
    }
  });
  process.channel?.unref();
}
