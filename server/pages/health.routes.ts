import { DatabaseUnavailableError } from '../../db/unavailable.js';
import { searchLag } from '../../search/worker.js';
import type { App } from '../types.js';

/** Past this age of the oldest undelivered search change, /healthz says "degraded". */
export const SEARCH_LAG_DEGRADED_SECONDS = 120;
/** Past this, /healthz stops waiting for the database and reports it unreachable: a probe must get a quick answer. */
export const HEALTH_DATABASE_TIMEOUT_MS = 1_000;
/**
 * While reads are being answered (server/plugins/admission.ts), a probe is answered at once from the
 * last successful check if it is under HEALTH_RECENT_MS old, and a new check starts to update it:
 * the database serves every backend in turn, and waiting for it added its queue to the probe (during
 * the first-time search mix, p99 8–11 ms in the app against 1.5–2.6 ms without the wait; from the
 * probe's own process, 17–22 ms against 12–17 ms). A check that fails is reported by the next probe; a
 * database that stops answering, once the last success is too old. With no read in progress, the
 * probe waits for its own check, so an idle instance reports a fresh state.
 */
export const HEALTH_RECENT_MS = 2_000;

type Lag = Awaited<ReturnType<typeof searchLag>>;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz`: for load balancers and monitoring. */
export default async function healthRoutes(app: App) {
  const { deps } = app;

  // The check runs on a connection of its own (deps.healthDb), bounded in time, and concurrent
  // probes share one check: /healthz stays fast under load and during an outage.
  let inFlight: Promise<Lag> | null = null;
  let lastSuccess: { lag: Lag; at: number } | null = null;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  const checkDatabase = () => {
    inFlight ??= searchLag(deps.healthDb)
      .then(
        (lag) => {
          lastSuccess = { lag, at: performance.now() };
          return lag;
        },
        (error: unknown) => {
          lastFailureAt = performance.now();
          throw error;
        },
      )
      .finally(() => {
        inFlight = null;
      });
    const check = inFlight;
    check.catch(() => {}); // awaited below; a check that outlives its timeout must not reject unhandled
    const reading = app.admission !== null && app.admission.busy > 0;
    // Not after a failed check: a refused connection is reported by the next probe.
    const recent = lastSuccess !== null && lastSuccess.at > lastFailureAt && performance.now() - lastSuccess.at < HEALTH_RECENT_MS ? lastSuccess : null;
    if (reading && recent) return recent.lag;
    return withTimeout(check, HEALTH_DATABASE_TIMEOUT_MS);
  };
  const searchLagOf = (lag: Lag) => ({
    pending: lag.pending,
    oldestSeconds: lag.oldest ? Math.max(0, Math.round((deps.clock.now().getTime() - lag.oldest.getTime()) / 1000)) : 0,
  });

  // 503 only when this instance cannot serve (its database is unreachable): a load balancer takes
  // it out of rotation. A search lag is shared by every instance (one outbox), so it answers 200
  // with "degraded" for monitoring instead of emptying the pool.
  app.get('/healthz', async (request, reply) => {
    const search = deps.config.MEILI_HOST ? 'meilisearch' : 'postgres';
    let checked: Lag;
    try {
      checked = await checkDatabase();
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unreachable');
      const lag = lastSuccess ? searchLagOf(lastSuccess.lag) : null; // the last one seen, for monitoring
      return reply.code(503).send({ status: 'degraded', db: deps.driver, dbReachable: false, search, searchLag: lag });
    }
    const lag = searchLagOf(checked);
    const status = lag.oldestSeconds > SEARCH_LAG_DEGRADED_SECONDS ? 'degraded' : 'ok';
    // Reads being answered and waiting their turn (server/plugins/admission.ts), for monitoring.
    const reads = app.admission && { active: app.admission.busy, waiting: app.admission.waiting };
    return { status, db: deps.driver, dbReachable: true, search, searchLag: lag, ...(reads && { reads }) };
  });
}
