import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import fp from 'fastify-plugin';

/**
 * Brotli quality 3 (the plugin's default is 4) and the answers built in memory compressed in line up
 * to 64 KiB (its default on two cores is 8 KiB, above which it streams them through libuv's
 * threads). Measured on two cores shared with PostgreSQL and the load generator, with a browser's
 * Accept-Encoding: the first-time search page mix (29 KB of HTML, 6.3–6.6 KB once compressed) went
 * from 333–348 req/s to 410–434, p95 58–63 → 52–54 ms, and the map at zoom 13 (74 KB of JSON) from
 * 525–572 to 699–710 req/s, for 4 % more bytes. Handing the work to other threads only pays with
 * idle cores.
 */
const BROTLI_QUALITY = 3;
const IN_LINE_UP_TO_BYTES = 64 * 1024;

/** Brotli or gzip on every text answer above 1 KiB (pages, fragments, CSS, JS, JSON, SVG); registered before the routes it wraps. */
export default fp(
  async (app) => {
    await app.register(compress, {
      global: true,
      encodings: ['br', 'gzip'],
      threshold: 1024,
      syncThreshold: IN_LINE_UP_TO_BYTES,
      brotliOptions: { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
    });
  },
  { name: 'compression' },
);
