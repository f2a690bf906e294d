import { searchLag } from '../../search/worker.js';
import type { App } from '../types.js';
import { homeFigures } from './pages.repository.js';

/** Past this age of the oldest undelivered search change, /healthz says "degraded". */
export const SEARCH_LAG_DEGRADED_SECONDS = 120;

export default async function pagesRoutes(app: App) {
  const { deps } = app;

  // 503 only when this instance cannot serve (its database is unreachable): a load balancer takes
  // it out of rotation. A search lag is shared by every instance (one outbox), so it answers 200
  // with "degraded" for monitoring instead of emptying the pool.
  app.get('/healthz', async (_request, reply) => {
    const search = deps.config.MEILI_HOST ? 'meilisearch' : 'postgres';
    let lag: Awaited<ReturnType<typeof searchLag>>;
    try {
      lag = await searchLag(deps.db);
    } catch {
      return reply.code(503).send({ status: 'error', db: deps.driver, search });
    }
    const oldestSeconds = lag.oldest ? Math.max(0, Math.round((deps.clock.now().getTime() - lag.oldest.getTime()) / 1000)) : 0;
    const status = oldestSeconds > SEARCH_LAG_DEGRADED_SECONDS ? 'degraded' : 'ok';
    return { status, db: deps.driver, search, searchLag: { pending: lag.pending, oldestSeconds } };
  });

  app.get('/', async (_request, reply) => reply.page('home', { stats: await homeFigures(deps.db) }));

  app.get('/a-propos', async (_request, reply) => reply.page('about', { title: 'À propos' }));
  app.get('/accessibilite', async (_request, reply) => reply.page('accessibility', { title: 'Accessibilité' }));
}
