import compress from '@fastify/compress';
import fp from 'fastify-plugin';

/** Brotli or gzip on every text answer above 1 KiB (pages, fragments, CSS, JS, JSON, SVG); registered before the routes it wraps. */
export default fp(
  async (app) => {
    await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 });
  },
  { name: 'compression' },
);
