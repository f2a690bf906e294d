import type { App } from '../types.js';
import embedRoutes from './embed.routes.js';
import statisticsRoutes from './statistics.routes.js';

/** The territory observatory's public side: statistics per territory and the embeddable map. */
export default async function observatoryRoutes(app: App) {
  await app.register(statisticsRoutes);
  await app.register(embedRoutes);
}
