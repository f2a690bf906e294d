import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { archiveExpired } from './offers.moderation.js';

export function offersJobs(deps: Deps): Job[] {
  return [{ name: 'offers-archive', everyMs: 6 * 3600_000, run: () => archiveExpired(deps) }];
}
