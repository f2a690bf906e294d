import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { COVERAGE_REFRESH_MS, refreshStaleCoverage } from './coverage.js';
import { sendCoordinationDigests } from './digest.js';
import { FUNNEL_REFRESH_MS, refreshStaleFunnels } from './funnel.js';

export const COVERAGE_JOB = 'territory-coverage';
export const FUNNEL_JOB = 'territory-funnel';

/**
 * The coordinators' weekly digest: checked hourly, sent once per week and scope from Monday 7:00 (Paris).
 * Their coverage and funnel stay precomputed: the figures of every territory viewed so far are
 * refreshed in the background (the coverage for the default radius), periodically and, kicked by
 * plugins/figures-kick.ts, seconds after a write that may change them.
 */
export function coordinationJobs(deps: Deps): Job[] {
  return [
    { name: 'coordination-digest', everyMs: 3_600_000, run: () => sendCoordinationDigests(deps) },
    { name: COVERAGE_JOB, everyMs: COVERAGE_REFRESH_MS, run: () => refreshStaleCoverage(deps) },
    { name: FUNNEL_JOB, everyMs: FUNNEL_REFRESH_MS, run: () => refreshStaleFunnels(deps) },
  ];
}
