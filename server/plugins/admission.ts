import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { type NoTurn, Turns } from '../lib/turns.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Pages and API reads being answered and waiting their turn (null when MAX_ACTIVE_REQUESTS is 0). */
    admission: { busy: number; waiting: number; size: number } | null;
  }
}

export const BUSY_RETRY_AFTER_SECONDS = 5;
/** Probes and monitoring answer at once, whatever waits: they say whether the instance is alive. */
const ALWAYS_ANSWERED = new Set(['/healthz', '/metrics']);

/** Reads of pages and of the API. Not writes, probes, or the stylesheets and scripts a page needs (files, cheap). */
function takesTurn(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return !ALWAYS_ANSWERED.has(request.routeOptions.url ?? '') && !request.url.startsWith('/static/');
}

class BusyError extends AppError {
  constructor() {
    super(503, 'Passerelle reçoit beaucoup de demandes en ce moment. Réessayez dans quelques instants.', 'unavailable');
  }
}

/**
 * Reads (GET, HEAD) are answered MAX_ACTIVE_REQUESTS at a time, the others waiting their turn in
 * arrival order before any work is done for them (session, database). One event loop answers
 * every request: when 50 are in progress at once, each await of each of them queues behind the
 * others' work, so that every one waits for all (a dashboard's dozen queries took up to 1 s at
 * p99 under load) and a health probe waited 100–200 ms. A few at a time keep the loop short: the
 * probe, which takes no turn, answers at once, and a request waits in line, not in pieces. Writes
 * take no turn either (a form sent is never held behind page views), nor do the files under
 * /static/ (a page answered in its turn must not then wait again for its stylesheet).
 */
export default fp(
  async (app) => {
    const { MAX_ACTIVE_REQUESTS: size, ADMISSION_WAIT_MS: maxWaitMs } = app.deps.config;
    if (size === 0) {
      app.decorate('admission', null);
      return;
    }
    const turns = new Turns(size);
    app.decorate('admission', {
      get busy() {
        return turns.busy;
      },
      get waiting() {
        return turns.waiting;
      },
      size,
    });
    const releases = new WeakMap<FastifyRequest, () => void>();
    const waits = new WeakMap<FastifyRequest, AbortController>();
    const giveBack = (request: FastifyRequest) => {
      releases.get(request)?.();
      releases.delete(request);
    };

    app.addHook('onRequest', async (request, reply) => {
      if (!takesTurn(request)) return;
      // Most reads find a turn free: only a wait needs the means to be abandoned.
      const free = turns.tryTake();
      if (free) {
        releases.set(request, free);
        return;
      }
      const abandoned = new AbortController();
      waits.set(request, abandoned);
      try {
        releases.set(request, await turns.take(maxWaitMs, abandoned.signal));
      } catch (why) {
        if ((why as NoTurn) === 'abandoned') return reply.code(499).send();
        reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
        throw new BusyError();
      } finally {
        waits.delete(request);
      }
    });
    // The turn ends once the answer is ready: writing it out to a slow client takes no turn.
    app.addHook('onSend', async (request) => giveBack(request));
    app.addHook('onResponse', async (request) => giveBack(request));
    app.addHook('onRequestAbort', async (request) => {
      waits.get(request)?.abort();
      giveBack(request);
    });
  },
  { name: 'admission', dependencies: ['deps'] },
);
