import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { sendSavedSearchAlerts } from './saved-search-alerts.js';
import { MATCHING_SUGGESTIONS_JOB, refreshStoredSuggestions } from './stored-suggestions.js';

export function matchingJobs(deps: Deps): Job[] {
  return [
    { name: 'saved-search-alerts', everyMs: 3_600_000, run: () => sendSavedSearchAlerts(deps) },
    { name: MATCHING_SUGGESTIONS_JOB, everyMs: 60_000, run: () => refreshStoredSuggestions(deps) },
  ];
}
