import fp from 'fastify-plugin';
import { SEARCH_OUTBOX_JOB } from '../catalogue/jobs.js';

/**
 * A root hook (fastify-plugin): after any successful write, deliver the search outbox right away
 * instead of waiting for the next scheduled run, so that a change shows in search within moments.
 */
export default fp(
  async (app) => {
    const { deps } = app;
    if (!deps.config.JOBS_ENABLED) return;
    app.addHook('onResponse', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
      setImmediate(() => void deps.scheduler.runNow(SEARCH_OUTBOX_JOB).catch((error: unknown) => app.log.warn({ err: error }, 'search kick failed')));
    });
  },
  { name: 'search-kick', dependencies: ['deps'] },
);
