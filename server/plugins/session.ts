import fp from 'fastify-plugin';
import { type CurrentUser, createSession, currentUserOf, deleteSession, findSessionWithUser, touchSession } from '../accounts/sessions.repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user with memberships, or null. */
    user: CurrentUser | null;
    /** Raw value of the session cookie when the session is valid (binds CSRF tokens). */
    sessionToken: string | null;
  }
  interface FastifyContextConfig {
    /** false: the route never reads the session cookie (pages framed by other sites). */
    session?: false;
  }
  interface FastifyReply {
    /** Starts a new session (a new id every time: no fixation) and sets the cookie. */
    signIn(userId: number): Promise<void>;
    signOut(): Promise<void>;
  }
}

const TOUCH_EVERY_MS = 60_000;

/**
 * Server-side sessions in the database: the cookie holds a random token, the table its SHA-256.
 * Sessions end after SESSION_IDLE_MINUTES without activity or SESSION_ABSOLUTE_HOURS in all,
 * and can be revoked by deleting their row.
 */
export default fp(
  async (app) => {
    const { config, db, clock } = app.deps;
    const production = config.NODE_ENV === 'production';
    const cookieName = production ? '__Host-passerelle_session' : 'passerelle_session';
    const idleMs = config.SESSION_IDLE_MINUTES * 60_000;
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: production };

    app.decorateRequest('user', null);
    app.decorateRequest('sessionToken', null);

    app.addHook('onRequest', async (request, reply) => {
      const token = request.cookies[cookieName];
      if (!token || token.length > 100 || request.url.startsWith('/static/') || request.routeOptions.config?.session === false) return;
      const found = await findSessionWithUser(db, token);
      const now = clock.now();
      const expired =
        !found || found.session.expiresAt <= now || now.getTime() - found.session.lastSeenAt.getTime() > idleMs || found.user.suspendedAt !== null;
      if (expired) {
        if (found) await deleteSession(db, token);
        reply.clearCookie(cookieName, cookieOptions);
        return;
      }
      if (now.getTime() - found.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, found.session.id, now);
      request.sessionToken = token;
      request.user = currentUserOf(found.user, found);
    });

    app.decorateReply('signIn', async function (userId: number) {
      const request = this.request;
      if (request.sessionToken) await deleteSession(db, request.sessionToken);
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + config.SESSION_ABSOLUTE_HOURS * 3600_000);
      const token = await createSession(db, { userId, expiresAt, now, userAgent: request.headers['user-agent'], ip: request.ip });
      request.sessionToken = token;
      this.setCookie(cookieName, token, { ...cookieOptions, expires: expiresAt });
    });

    app.decorateReply('signOut', async function () {
      const request = this.request;
      if (request.sessionToken) await deleteSession(db, request.sessionToken);
      request.sessionToken = null;
      request.user = null;
      this.clearCookie(cookieName, cookieOptions);
    });
  },
  { name: 'session', dependencies: ['deps', '@fastify/cookie'] },
);
