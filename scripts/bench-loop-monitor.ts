// Preloaded into the app by the bench (node --import): measures the event loop delay and answers
// the bench over IPC ("reset", then "report" → { loopP99, loopMax, cpuMs, waitMs } in ms). Not part of the app.
// cpuMs and waitMs: the time the main thread ran, and the time it was ready to run but waited for a
// CPU (Linux's /proc/thread-self/schedstat; NaN elsewhere). On a machine shared with the load
// generator and PostgreSQL, that wait is part of every loop delay.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

function schedstat(): [number, number] {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return [cpu! / 1e6, wait! / 1e6];
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
let since = schedstat();
if (process.send) {
  process.on('message', (message) => {
    if (message === 'reset') {
      histogram.reset();
      since = schedstat();
    }
    if (message === 'report') {
      const [cpu, wait] = schedstat();
      process.send?.({ loopP99: histogram.percentile(99) / 1e6, loopMax: histogram.max / 1e6, cpuMs: cpu - since[0], waitMs: wait - since[1] });
    }
  });
  process.channel?.unref();
}
