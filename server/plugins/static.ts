import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { assetRoots, fileHash } from '../lib/assets.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Static files. A URL carrying the file's current content hash (`asset()` in templates) is cached
 * for a year; any other URL briefly in production and revalidated in development.
 */
export default fp(
  async (app) => {
    const shortCache = app.deps.config.NODE_ENV === 'production' ? 'public, max-age=300' : 'no-cache';
    const setHeaders = (reply: FastifyReply, path: string) => {
      const version = (reply.request.query as { v?: unknown }).v;
      reply.header('Cache-Control', typeof version === 'string' && version === fileHash(path) ? IMMUTABLE : shortCache);
    };
    for (const [index, [prefix, root]] of assetRoots.entries()) {
      // Every registration after the first needs decorateReply: false.
      await app.register(fastifyStatic, { root, prefix, decorateReply: index === 0, cacheControl: false, setHeaders });
    }
  },
  { name: 'static', dependencies: ['deps'] },
);
