import type { App } from '../types.js';
import healthRoutes from './health.routes.js';
import { homeFigures } from './pages.repository.js';

export default async function pagesRoutes(app: App) {
  const { deps } = app;

  await app.register(healthRoutes);

  app.get('/', async (_request, reply) => reply.page('home', { stats: await homeFigures(deps.db) }));

  app.get('/a-propos', async (_request, reply) => reply.page('about', { title: 'À propos' }));
  app.get('/accessibilite', async (_request, reply) => reply.page('accessibility', { title: 'Accessibilité' }));
}
