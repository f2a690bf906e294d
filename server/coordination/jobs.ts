import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { COVERAGE_REFRESH_MS, refreshStaleCoverage } from './coverage.js';
import { sendCoordinationDigests } from './digest.js';

export const COVERAGE_JOB = 'territory-coverage';

/**
 * The coordinators' weekly digest: checked hourly, sent once per week and scope from Monday 7:00 (Paris).
 * Their coverage stays precomputed: the default radius's figures of every territory viewed so far are refreshed in the background.
 */
export function coordinationJobs(deps: Deps): Job[] {
  return [
    { name: 'coordination-digest', everyMs: 3_600_000, run: () => sendCoordinationDigests(deps) },
    { name: COVERAGE_JOB, everyMs: COVERAGE_REFRESH_MS, run: () => refreshStaleCoverage(deps) },
  ];
}
