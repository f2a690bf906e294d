import { catalogueJobs } from './catalogue/jobs.js';
import { coordinationJobs } from './coordination/jobs.js';
import type { Deps } from './deps.js';
import { matchingJobs } from './matching/jobs.js';
import { notificationsJobs } from './notifications/jobs.js';
import { observatoryJobs } from './observatory/jobs.js';
import { offersJobs } from './offers/jobs.js';
import { partnershipsJobs } from './partnerships/jobs.js';
import { requestsJobs } from './requests/jobs.js';
import { storageJobs } from './storage/jobs.js';

/** Every scheduled job of the app, in one list; each domain declares its own in `jobs.ts`. */
export function registerJobs(deps: Deps): void {
  const jobs = [
    ...notificationsJobs(deps),
    ...catalogueJobs(deps),
    ...requestsJobs(deps),
    ...partnershipsJobs(deps),
    ...matchingJobs(deps),
    ...offersJobs(deps),
    ...storageJobs(deps),
    ...observatoryJobs(deps),
    ...coordinationJobs(deps),
  ];
  for (const job of jobs) deps.scheduler.register(job);
}
