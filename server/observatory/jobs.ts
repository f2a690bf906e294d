import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { REFRESH_EVERY_MS, refreshStaleFigures } from './statistics.js';

export const STATISTICS_JOB = 'territory-statistics';

/** The public statistics stay precomputed: the figures of every territory viewed so far are refreshed in the background. */
export function observatoryJobs(deps: Deps): Job[] {
  return [{ name: STATISTICS_JOB, everyMs: REFRESH_EVERY_MS, run: () => refreshStaleFigures(deps) }];
}
