import fp from 'fastify-plugin';
import type { Deps } from '../deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    deps: Deps;
  }
}

/** Exposes the dependency object built by buildApp; closes the scheduler and database on shutdown. */
export default fp<{ deps: Deps; closeDatabase: () => Promise<void> }>(
  async (app, { deps, closeDatabase }) => {
    app.decorate('deps', deps);
    app.addHook('onClose', async () => {
      await deps.scheduler.stop();
      await closeDatabase();
    });
  },
  { name: 'deps' },
);
