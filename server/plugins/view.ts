import view from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { asset } from '../lib/assets.js';
import { completeErrorSummary } from '../lib/error-summary.js';
import { formatters } from '../lib/format.js';
import { viewsDir } from '../lib/templates.js';
import { navigationFor } from '../pages/navigation.js';

type FlashKind = 'success' | 'info' | 'error';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a full page (template under views/pages) with the layout's common data. */
    page(template: string, data?: Record<string, unknown>, status?: number): Promise<FastifyReply>;
    /** Renders a fragment (template under views/partials) for an htmx swap. */
    fragment(template: string, data?: Record<string, unknown>, status?: number): Promise<FastifyReply>;
    flash(kind: FlashKind, message: string): FastifyReply;
  }
  interface FastifyRequest {
    /** True when htmx asked for a fragment targeting `target` (a boosted link gets a full page). */
    wantsFragment(target: string): boolean;
    /** True when htmx sent this request for the element with this id (a form, say, rather than a link into it). */
    triggeredBy(id: string): boolean;
  }
}

const FLASH_COOKIE = 'passerelle_flash';

/**
 * The address a form page sent back with errors should show (static/js/app.js puts it in the
 * address bar): a file upload's POST address carries its CSRF token (multipart bodies are read
 * after the check), which must not stay in the address bar and the history.
 */
function pageUrlOf(request: FastifyRequest): string | undefined {
  if (request.method !== 'POST' || !request.url.includes('_csrf=')) return undefined;
  const url = new URL(request.url, 'http://localhost');
  url.searchParams.delete('_csrf');
  return url.pathname + url.search;
}

export default fp(
  async (app) => {
    const { config, eta } = app.deps;
    await app.register(view, {
      engine: { eta },
      templates: viewsDir,
      production: config.NODE_ENV === 'production',
      options: { async: false },
    });

    function commonData(request: FastifyRequest, reply: FastifyReply) {
      const raw = request.cookies[FLASH_COOKIE];
      let flash: { kind: FlashKind; message: string }[] = [];
      if (raw) {
        const unsigned = request.unsignCookie(raw);
        if (unsigned.valid && unsigned.value) {
          try {
            flash = JSON.parse(unsigned.value);
          } catch {}
        }
        reply.clearCookie(FLASH_COOKIE, { path: '/' });
      }
      const user = request.user;
      return {
        user,
        flash,
        csrfToken: reply.csrfToken(),
        nav: navigationFor(user),
        path: request.url.split('?')[0],
        url: request.url,
        config: { tileUrl: config.TILE_URL, tileAttribution: config.TILE_ATTRIBUTION, baseUrl: config.BASE_URL, env: config.NODE_ENV },
        f: formatters,
        asset,
        errors: {},
        values: {},
      };
    }

    // A page and the fragment of the same URL differ by these request headers: caches must not mix them.
    const VARY = 'HX-Request, HX-Target, HX-Trigger';

    app.decorateReply('page', async function (template: string, data: Record<string, unknown> = {}, status = 200) {
      this.code(status).header('Vary', VARY).type('text/html; charset=utf-8');
      const html = await this.viewAsync(`pages/${template}`, { ...commonData(this.request, this), pageUrl: pageUrlOf(this.request), ...data });
      return this.send(completeErrorSummary(html));
    });

    app.decorateReply('fragment', async function (template: string, data: Record<string, unknown> = {}, status = 200) {
      this.code(status).header('Vary', VARY).type('text/html; charset=utf-8');
      // A fragment is never a page: the back button must not show one from the browser cache.
      if (!this.hasHeader('Cache-Control')) this.header('Cache-Control', 'private, no-cache');
      const html = await this.viewAsync(`partials/${template}`, { ...commonData(this.request, this), ...data });
      return this.send(completeErrorSummary(html));
    });

    app.decorateReply('flash', function (kind: FlashKind, message: string) {
      const raw = this.request.cookies[FLASH_COOKIE];
      let current: unknown[] = [];
      if (raw) {
        const unsigned = this.request.unsignCookie(raw);
        if (unsigned.valid && unsigned.value) {
          try {
            current = JSON.parse(unsigned.value);
          } catch {}
        }
      }
      this.setCookie(FLASH_COOKIE, JSON.stringify([...current, { kind, message }]), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        signed: true,
        secure: config.NODE_ENV === 'production',
      });
      return this;
    });

    app.decorateRequest('wantsFragment', function (this: FastifyRequest, target: string) {
      const sent = this.headers['hx-target'];
      // htmx sends the bare id ("results"); callers name the target as a selector ("#results").
      return (
        this.headers['hx-request'] === 'true' && this.headers['hx-boosted'] !== 'true' && typeof sent === 'string' && (sent === target || `#${sent}` === target)
      );
    });

    app.decorateRequest('triggeredBy', function (this: FastifyRequest, id: string) {
      return this.headers['hx-request'] === 'true' && this.headers['hx-trigger'] === id;
    });
  },
  { name: 'view', dependencies: ['deps', 'session', 'csrf'] },
);
