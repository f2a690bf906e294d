import { timingSafeEqual } from 'node:crypto';
import fastifyMetricsModule from 'fastify-metrics';
import fp from 'fastify-plugin';
import promClient from 'prom-client';
import type { SearchEngine } from '../../search/types.js';
import { searchOutboxLag } from '../../search/worker.js';

// A CommonJS module: its default export is under `default`.
const fastifyMetrics = fastifyMetricsModule.default;

/**
 * GET /metrics in Prometheus text format, served only when METRICS_TOKEN is set and only to a
 * request bearing it (`Authorization: Bearer …`): request duration by route (fastify-metrics),
 * process figures (memory, event loop lag), search latency, search outbox lag, job runs and
 * failures. Each instance counts its own; Prometheus adds the `instance` label when it scrapes.
 */
export default fp(
  async (app) => {
    const { config, scheduler, search, db } = app.deps;
    const token = config.METRICS_TOKEN;
    if (!token) return;
    const registry = new promClient.Registry();
    await app.register(fastifyMetrics, {
      endpoint: null,
      defaultMetrics: { enabled: true, register: registry },
      routeMetrics: {
        enabled: { histogram: true, summary: false },
        routeBlacklist: ['/metrics'],
        overrides: { histogram: { registers: [registry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] } },
      },
    });

    const searchSeconds = new promClient.Histogram({
      name: 'passerelle_search_duration_seconds',
      help: 'Search engine calls (search, map, suggestions), by operation',
      labelNames: ['operation'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    measureSearch(search, (operation, seconds) => searchSeconds.observe({ operation }, seconds));

    const jobRuns = new promClient.Counter({
      name: 'passerelle_job_runs_total',
      help: 'Job runs on this instance, by trigger (schedule: its period came round; demand: asked now, e.g. after a write)',
      labelNames: ['job', 'trigger'],
      registers: [registry],
    });
    const jobFailures = new promClient.Counter({
      name: 'passerelle_job_failures_total',
      help: 'Job runs that failed',
      labelNames: ['job', 'trigger'],
      registers: [registry],
    });
    const jobSeconds = new promClient.Histogram({
      name: 'passerelle_job_duration_seconds',
      help: 'Duration of scheduled job runs',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120],
      registers: [registry],
    });
    scheduler.onRun(({ job, trigger, seconds, failed }) => {
      jobRuns.inc({ job, trigger });
      if (failed) jobFailures.inc({ job, trigger });
      jobSeconds.observe({ job }, seconds);
    });

    const lag = () => searchOutboxLag(db).catch(() => ({ pending: Number.NaN, oldestSeconds: Number.NaN }));
    new promClient.Gauge({
      name: 'passerelle_search_outbox_pending',
      help: 'Changes not yet delivered to the search engine',
      registers: [registry],
      async collect() {
        this.set((await lag()).pending);
      },
    });
    new promClient.Gauge({
      name: 'passerelle_search_outbox_lag_seconds',
      help: 'Age of the oldest change not yet delivered to the search engine (0 when none)',
      registers: [registry],
      async collect() {
        this.set((await lag()).oldestSeconds);
      },
    });

    const expected = Buffer.from(`Bearer ${token}`);
    app.get('/metrics', { config: { disableMetrics: true } }, async (request, reply) => {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply.code(401).header('WWW-Authenticate', 'Bearer').type('text/plain; charset=utf-8').send('Jeton de métriques manquant ou invalide.\n');
      }
      return reply
        .type(registry.contentType)
        .header('Cache-Control', 'no-store')
        .send(await registry.metrics());
    });
  },
  { name: 'metrics', dependencies: ['deps'] },
);

/** Times the read calls of the search engine (the ones a visitor waits for). */
function measureSearch(engine: SearchEngine, observe: (operation: string, seconds: number) => void): void {
  const target = engine as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const operation of ['searchOffers', 'mapOffers', 'suggest'] as const) {
    const call = target[operation]!.bind(engine);
    target[operation] = async (...args) => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        observe(operation, (performance.now() - started) / 1000);
      }
    };
  }
}
