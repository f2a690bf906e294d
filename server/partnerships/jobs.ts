import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { sendSessionReminders } from './reminders.js';

export function partnershipsJobs(deps: Deps): Job[] {
  return [{ name: 'partnership-session-reminders', everyMs: 15 * 60_000, run: () => sendSessionReminders(deps) }];
}
