import csrf from '@fastify/csrf-protection';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set to false on the rare state-changing route authorised by its own secret (one-click unsubscribe). */
    csrf?: boolean;
  }
  interface FastifyReply {
    /** A CSRF token bound to the current session (anonymous visitors: to their CSRF cookie). */
    csrfToken(): string;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function tokenFrom(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const header = request.headers['x-csrf-token'];
  const candidate = (typeof body?._csrf === 'string' && body._csrf) || (typeof header === 'string' && header) || query?._csrf;
  return typeof candidate === 'string' ? candidate : undefined;
}

/**
 * Every state-changing request (forms and htmx alike) must carry a token bound to the session:
 * `_csrf` in the body or the query (multipart forms), or the X-CSRF-Token header (htmx).
 */
export default fp(
  async (app) => {
    const { config } = app.deps;
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: config.NODE_ENV === 'production' ? '__Host-passerelle_csrf' : 'passerelle_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure: config.NODE_ENV === 'production' },
      csrfOpts: { hmacKey: config.SESSION_SECRET },
      getUserInfo: (request: FastifyRequest) => request.sessionToken ?? 'anonymous',
      getToken: tokenFrom,
    });
    app.decorateReply('csrfToken', function () {
      return this.generateCsrf({ userInfo: this.request.sessionToken ?? 'anonymous' });
    });
    app.addHook('preHandler', (request, reply, done) => {
      if (safeMethods.has(request.method) || request.routeOptions.config?.csrf === false) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'csrf', dependencies: ['session'] },
);
