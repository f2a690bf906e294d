import { DatabaseUnavailableError } from '../../db/unavailable.js';
import { searchLag } from '../../search/worker.js';
import type { App } from '../types.js';

/** Past this age of the oldest undelivered search change, /healthz says "degraded". */
export const SEARCH_LAG_DEGRADED_SECONDS = 120;
/** Past this, /healthz stops waiting for the database and reports it unreachable: a probe must get a quick answer. */
export const HEALTH_DATABASE_TIMEOUT_MS = 1_000;
/**
 * While every turn is taken (server/plugins/admission.ts), a probe waits this long for the
 * database check; past it, the last successful check answers if it is under HEALTH_RECENT_MS old
 * (the current one goes on and updates it). Under load the database serves every backend in turn:
 * the check took 20–70 ms where the app itself answered in 10–35 ms.
 */
export const HEALTH_PATIENCE_MS = 10;
export const HEALTH_RECENT_MS = 2_000;

type Lag = Awaited<ReturnType<typeof searchLag>>;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The work's result, or `fallback` if it takes longer than `ms` (a rejection within `ms` still rejects). */
function withFallback<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `/healthz`: for load balancers and monitoring. */
export default async function healthRoutes(app: App) {
  const { deps } = app;

  // The check runs on a connection of its own (deps.healthDb), bounded in time, and concurrent
  // probes share one check: /healthz stays fast under load and during an outage.
  let inFlight: Promise<Lag> | null = null;
  let lastSuccess: { lag: Lag; at: number } | null = null;
  const checkDatabase = () => {
    inFlight ??= searchLag(deps.healthDb)
      .then((lag) => {
        lastSuccess = { lag, at: performance.now() };
        return lag;
      })
      .finally(() => {
        inFlight = null;
      });
    const check = inFlight;
    check.catch(() => {}); // awaited below; a check that outlives its timeout must not reject unhandled
    const bounded = withTimeout(check, HEALTH_DATABASE_TIMEOUT_MS);
    const busy = app.admission !== null && app.admission.busy >= app.admission.size;
    const recent = busy && lastSuccess && performance.now() - lastSuccess.at < HEALTH_RECENT_MS ? lastSuccess.lag : null;
    // A failure as quick as the patience still answers 503 at once; only a slow answer is replaced.
    return recent ? withFallback(bounded, HEALTH_PATIENCE_MS, recent) : bounded;
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
