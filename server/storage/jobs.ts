import type { Deps } from '../deps.js';
import type { Job } from '../lib/jobs.js';
import { removeOrphanFiles } from './orphans.js';

export function storageJobs(deps: Deps): Job[] {
  return [
    {
      name: 'storage-orphans',
      everyMs: 6 * 3600_000,
      run: async () => {
        const result = await removeOrphanFiles(deps);
        if (result.removed > 0) deps.log.info(result, 'removed orphan files');
      },
    },
  ];
}
