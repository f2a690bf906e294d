// Preloaded into the app by the bench (node --import): measures the event loop delay and answers
// the bench over IPC ("reset", then "report" → { p99, max } in ms). Not part of the app.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
if (process.send) {
  process.on('message', (message) => {
    if (message === 'reset') histogram.reset();
    if (message === 'report') process.send?.({ loopP99: histogram.percentile(99) / 1e6, loopMax: histogram.max / 1e6 });
  });
  process.channel?.unref();
}
