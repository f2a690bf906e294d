import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { sendDigests } from './notifications.usecases.js';

/** Emails leave through the outbox (queued in the transaction of the change), digests gather notifications. */
export function notificationsJobs(deps: Deps): Job[] {
  return [
    { name: 'mail-outbox', everyMs: 10_000, run: () => deps.mailer.flush() },
    { name: 'notifications-digest', everyMs: 15 * 60_000, run: () => sendDigests(deps) },
  ];
}
