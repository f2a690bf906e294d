import { count, eq, sql } from 'drizzle-orm';
import { rows } from '../../db/client.js';
import { offers, organisations } from '../../db/schema/index.js';
import type { App } from '../types.js';

export default async function pagesRoutes(app: App) {
  const { deps } = app;

  app.get('/healthz', async (_request, reply) => {
    try {
      await rows(deps.db, sql`select 1`);
    } catch {
      return reply.code(503).send({ status: 'error', db: deps.driver, search: deps.config.MEILI_HOST ? 'meilisearch' : 'postgres' });
    }
    return { status: 'ok', db: deps.driver, search: deps.config.MEILI_HOST ? 'meilisearch' : 'postgres' };
  });

  app.get('/', async (_request, reply) => {
    const [[partnerCount], [acmCount], [offerCount]] = await Promise.all([
      deps.db.select({ value: count() }).from(organisations).where(eq(organisations.kind, 'partner')),
      deps.db.select({ value: count() }).from(organisations).where(eq(organisations.kind, 'acm')),
      deps.db.select({ value: count() }).from(offers).where(eq(offers.status, 'published')),
    ]);
    return reply.page('home', {
      stats: { partners: partnerCount?.value ?? 0, acms: acmCount?.value ?? 0, offers: offerCount?.value ?? 0 },
    });
  });

  app.get('/a-propos', async (_request, reply) => reply.page('about', { title: 'À propos' }));
  app.get('/accessibilite', async (_request, reply) => reply.page('accessibility', { title: 'Accessibilité' }));
}
