import type { Deps } from '../deps.js';
import { removeOrphanFiles } from './orphans.js';

export function registerStorageJobs(deps: Deps): void {
  deps.scheduler.register({
    name: 'storage-orphans',
    everyMs: 6 * 3600_000,
    run: async () => {
      const result = await removeOrphanFiles(deps);
      if (result.removed > 0) deps.log.info(result, 'removed orphan files');
    },
  });
}
