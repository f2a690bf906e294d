import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const staticDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static');

/** Our assets, and the pinned vendor builds served straight from node_modules (no CDN). */
export default fp(
  async (app) => {
    const production = app.deps.config.NODE_ENV === 'production';
    const maxAge = production ? '1d' : 0;
    await app.register(fastifyStatic, { root: staticDir, prefix: '/static/', maxAge });
    const vendors: [string, string][] = [
      ['/static/vendor/htmx/', join(packageDir('htmx.org'), 'dist')],
      ['/static/vendor/leaflet/', join(packageDir('leaflet'), 'dist')],
      ['/static/vendor/markercluster/', join(packageDir('leaflet.markercluster'), 'dist')],
    ];
    for (const [prefix, root] of vendors) {
      await app.register(fastifyStatic, { root, prefix, decorateReply: false, maxAge: production ? '7d' : 0 });
    }
  },
  { name: 'static', dependencies: ['deps'] },
);
