import fp from 'fastify-plugin';
import { COVERAGE_JOB, FUNNEL_JOB } from '../coordination/jobs.js';
import { MATCHING_SUGGESTIONS_JOB } from '../matching/stored-suggestions.js';
import { markFiguresDirty } from '../observatory/figures-dirty.repository.js';
import { STATISTICS_JOB } from '../observatory/jobs.js';

/** The jobs that refresh the stored territory figures, and the dashboards' stored suggestions. */
export const FIGURE_JOBS = [FUNNEL_JOB, COVERAGE_JOB, STATISTICS_JOB, MATCHING_SUGGESTIONS_JOB];
/** Writes within this delay share one refresh. */
export const FIGURES_KICK_DELAY_MS = 2_000;
/** A refresh that could not run (another run holds the job's lease) is retried, this many times at most. */
const MAX_RETRIES = 30;

/**
 * Writes that cannot change requests, partnerships, sessions, reviews, offers, needs or
 * organisations (accounts, notifications, saved searches, favourites, the digest choice). Every
 * other successful write marks the figures stale: erring towards a spare refresh rather than a
 * missed one, as a write rarely says which figures it touches.
 */
const IRRELEVANT = /^\/(connexion|deconnexion|inscription|mot-de-passe|confirmation|notifications|favoris|recherches|compte|coordination\/resume)(\/|\?|$)/;

/**
 * A root hook (fastify-plugin), like the search kick: after a successful write that may change
 * the territory figures, record when (figures-dirty.repository.ts) and, debounced, run their
 * refresh jobs now, so that the stored figures follow within seconds while page views only read.
 * Writes made outside a request (jobs, scripts) are caught by the jobs' periodic refresh.
 */
export default fp(
  async (app) => {
    const { deps } = app;
    let timer: NodeJS.Timeout | null = null;
    let retries = 0;
    let running: Promise<void> | null = null;
    const refresh = async () => {
      timer = null;
      let missed = false;
      for (const job of FIGURE_JOBS) {
        const ran = await deps.scheduler.runNow(job).catch((error: unknown) => {
          app.log.warn({ err: error, job }, 'figures kick failed');
          return true;
        });
        if (!ran) missed = true;
      }
      // Another run held a lease: it may have started before the write, so try again shortly.
      if (missed && retries < MAX_RETRIES) {
        retries++;
        kick();
      } else retries = 0;
    };
    const kick = () => {
      if (timer) return;
      timer = setTimeout(() => {
        running = refresh().finally(() => {
          running = null;
        });
      }, FIGURES_KICK_DELAY_MS);
      timer.unref();
    };
    app.addHook('onResponse', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
      if (IRRELEVANT.test(request.url)) return;
      try {
        await markFiguresDirty(deps.db, deps.clock.now());
      } catch (error) {
        app.log.warn({ err: error }, 'figures dirty mark failed');
        return;
      }
      if (deps.config.JOBS_ENABLED) kick();
    });
    app.addHook('onClose', async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      retries = MAX_RETRIES;
      await running;
    });
  },
  { name: 'figures-kick', dependencies: ['deps'] },
);
