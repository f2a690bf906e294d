import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { runRequestsExpiry } from './requests.usecases.js';

export function requestsJobs(deps: Deps): Job[] {
  return [{ name: 'requests-expiry', everyMs: 60 * 60_000, run: () => runRequestsExpiry(deps) }];
}
