import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { sendCoordinationDigests } from './digest.js';

/** The coordinators' weekly digest: checked hourly, sent once per week and scope from Monday 7:00 (Paris). */
export function coordinationJobs(deps: Deps): Job[] {
  return [{ name: 'coordination-digest', everyMs: 3_600_000, run: () => sendCoordinationDigests(deps) }];
}
