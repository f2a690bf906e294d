import { drainSearchOutbox } from '../../search/worker.js';
import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';

/** The search index follows the outbox: a short scheduled job, also kicked after each write (plugins/search-kick.ts). */
export function catalogueJobs(deps: Deps): Job[] {
  let running: Promise<unknown> | null = null;
  const drainOnce = () => {
    running ??= drainSearchOutbox(deps).finally(() => {
      running = null;
    });
    return running;
  };
  return [{ name: SEARCH_OUTBOX_JOB, everyMs: 2_000, run: drainOnce }];
}

export const SEARCH_OUTBOX_JOB = 'search-outbox';
