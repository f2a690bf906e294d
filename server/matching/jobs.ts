import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { sendSavedSearchAlerts } from './alerts.js';

export function matchingJobs(deps: Deps): Job[] {
  return [{ name: 'saved-search-alerts', everyMs: 3_600_000, run: () => sendSavedSearchAlerts(deps) }];
}
