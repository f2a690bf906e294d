import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { tooManyAttemptsMessage } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The page may be framed by any site (the embeddable map): frame-ancestors * and no X-Frame-Options. */
    embeddable?: boolean;
  }
}

function encodeLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]/gu, (char) => (/[\p{Cc}\p{Cs}\s]/u.test(char) ? '' : encodeURIComponent(char)));
}

/** Security headers (CSP that lets Leaflet load map tiles), CORS on the public API, query hygiene, rate limits. */
export default fp(
  async (app) => {
    const { config } = app.deps;
    const tileOrigin = new URL(config.TILE_URL.replace(/\{[a-z]\}/g, 'a')).origin;
    const tileHosts = [tileOrigin, tileOrigin.replace('://a.', '://*.'), 'https://*.tile.openstreetmap.org'];
    // Built once: @fastify/helmet rebuilds the middleware, CSP parsing included, on every request
    // (a tenth of what an API answer allocated). The headers are the same for every route.
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:', ...tileHosts],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: config.NODE_ENV === 'production' ? [] : null,
        },
      },
      hsts: config.NODE_ENV === 'production',
      crossOriginEmbedderPolicy: false,
    });
    app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
    await app.register(cors, {
      // Only the public read API is cross-origin; the hook below keeps CORS headers off the rest.
      hook: 'onRequest',
      delegator: (request, cb) => cb(null, { origin: request.url.startsWith('/api/') ? '*' : false, methods: ['GET', 'HEAD', 'OPTIONS'] }),
    });
    // PostgreSQL text cannot hold NUL: drop it from query strings before any route reads them.
    app.addHook('onRequest', async (request) => {
      const query = request.query as Record<string, unknown>;
      for (const [key, value] of Object.entries(query)) {
        if (typeof value === 'string') query[key] = value.replaceAll('\u0000', '');
        else if (Array.isArray(value)) query[key] = value.map((item) => (typeof item === 'string' ? item.replaceAll('\u0000', '') : item));
      }
    });
    // Last line of defence: a redirect target with a raw « é » or a control character would make
    // Node refuse the header and Fastify answer its own English 500. Routes pass safeNext targets.
    app.addHook('onSend', async (_request, reply, payload) => {
      const location = reply.getHeader('location');
      if (typeof location === 'string' && /[^\x21-\x7e]/.test(location)) reply.header('location', encodeLocation(location));
      return payload;
    });
    // Embeddable pages: any site may frame them; every other page keeps frame-ancestors 'none'.
    app.addHook('onSend', async (request, reply, payload) => {
      if (!request.routeOptions.config?.embeddable) return payload;
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string') reply.header('content-security-policy', csp.replace("frame-ancestors 'none'", 'frame-ancestors *'));
      reply.removeHeader('x-frame-options');
      reply.header('cross-origin-resource-policy', 'cross-origin');
      return payload;
    });
    // The public API: a limit per IP address on every /api/v1 route (set before the rate-limit plugin reads route configs).
    if (config.API_RATE_LIMIT > 0) {
      app.addHook('onRoute', (route) => {
        if (!route.url?.startsWith('/api/v1/') || route.config?.rateLimit) return;
        route.config = { ...route.config, rateLimit: { max: config.API_RATE_LIMIT, timeWindow: 60_000, keyGenerator: (request) => `api|${request.ip}` } };
      });
    }
    const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 }) : undefined;
    if (redis) app.addHook('onClose', async () => void redis.disconnect());
    await app.register(rateLimit, {
      global: false,
      redis,
      nameSpace: `${config.REDIS_PREFIX}rl:`,
      // After body parsing, so that limits can be keyed by the email address submitted.
      hook: 'preHandler',
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'rate_limited',
        error: 'Too Many Requests',
        message: tooManyAttemptsMessage(context.ttl / 1000),
      }),
    });
  },
  { name: 'security', dependencies: ['deps'] },
);
