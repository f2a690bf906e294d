import type { JobRun, Scheduler } from '../../server/lib/jobs.js';

/**
 * Resolves once each of these jobs has run on this scheduler (the runs a write's kick starts, for
 * instance: call it before the write), with their runs; rejects if one has not run within
 * `timeoutMs`. A signal from the scheduler itself, rather than a guessed sleep.
 */
export function nextRuns(scheduler: Scheduler, jobs: readonly string[], { timeoutMs = 20_000 } = {}): Promise<JobRun[]> {
  return new Promise((resolve, reject) => {
    const runs = new Map<string, JobRun>();
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no run of ${jobs.filter((job) => !runs.has(job)).join(', ')} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = scheduler.onRun((run) => {
      if (!jobs.includes(run.job)) return;
      runs.set(run.job, run);
      if (runs.size < jobs.length) return;
      stop();
      clearTimeout(timer);
      resolve(jobs.map((job) => runs.get(job)!));
    });
  });
}
