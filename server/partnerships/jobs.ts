import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import type { Job } from '../lib/jobs.js';
import { recordSignedInputs } from './convention.usecases.js';
import { sendDocumentReminders } from './documents.usecases.js';
import { closeFinishedYears } from './partnerships.repository.js';
import { sendSessionReminders } from './reminders.js';

export function partnershipsJobs(deps: Deps): Job[] {
  return [
    { name: 'partnership-session-reminders', everyMs: 15 * 60_000, run: () => sendSessionReminders(deps) },
    { name: 'partnership-document-reminders', everyMs: 60 * 60_000, run: () => sendDocumentReminders(deps) },
    { name: 'convention-signed-inputs', everyMs: 24 * 60 * 60_000, run: () => recordSignedInputs(deps) },
    { name: 'partnership-year-end', everyMs: 60 * 60_000, run: () => closeFinishedYears(deps.db, parisToday(deps.clock.now()), deps.clock.now()) },
  ];
}
