import qs from 'node:querystring';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Database } from '../db/client.js';
import { createSearchEngine } from '../search/index.js';
import accountsRoutes from './accounts/accounts.routes.js';
import adminRoutes from './admin/admin.routes.js';
import apiDocsPlugin from './catalogue/api-docs.js';
import catalogueRoutes from './catalogue/catalogue.routes.js';
import type { Config } from './config.js';
import coordinationRoutes from './coordination/coordination.routes.js';
import coordinationInvitationsRoutes from './coordination/invitations.routes.js';
import type { Deps } from './deps.js';
import favouritesRoutes from './favourites/favourites.routes.js';
import { registerJobs } from './jobs.js';
import { Clock } from './lib/clock.js';
import { Scheduler } from './lib/jobs.js';
import { Mailer } from './lib/mailer.js';
import { createEta } from './lib/templates.js';
import matchingRoutes from './matching/matching.routes.js';
import notificationsRoutes from './notifications/notifications.routes.js';
import observatoryRoutes from './observatory/observatory.routes.js';
import offersRoutes from './offers/offers.routes.js';
import dashboardRoutes from './organisations/dashboard.routes.js';
import organisationsRoutes from './organisations/organisations.routes.js';
import devRoutes from './pages/dev.routes.js';
import pagesRoutes from './pages/pages.routes.js';
import partnershipsRoutes from './partnerships/partnerships.routes.js';
import admissionPlugin from './plugins/admission.js';
import compressionPlugin from './plugins/compression.js';
import csrfPlugin from './plugins/csrf.js';
import depsPlugin from './plugins/deps.js';
import errorsPlugin, { answerBadUrl } from './plugins/errors.js';
import figuresKickPlugin from './plugins/figures-kick.js';
import integerParamsPlugin from './plugins/integer-params.js';
import metricsPlugin from './plugins/metrics.js';
import searchKickPlugin from './plugins/search-kick.js';
import securityPlugin from './plugins/security.js';
import sessionPlugin from './plugins/session.js';
import shutdownPlugin from './plugins/shutdown.js';
import staticPlugin from './plugins/static.js';
import viewPlugin from './plugins/view.js';
import requestsRoutes from './requests/requests.routes.js';
import { createStorage } from './storage/index.js';
import territoriesRoutes from './territories/territories.routes.js';
import type { App } from './types.js';

interface BuildOptions {
  config: Config;
  database: Database;
  logger?: FastifyServerOptions['logger'];
}

const UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024;

/**
 * Which peers may tell the client's address in X-Forwarded-For. A hop count trusts the n nearest
 * peers whoever they are (Fastify's own number option trusts none), so the app must be reachable
 * only through its proxies then.
 */
function trustedProxies(setting: Config['TRUST_PROXY']): FastifyServerOptions['trustProxy'] {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting;
  return setting;
}

/** Builds the app: plugins first (one concern each), then each domain's routes. */
export async function buildApp({ config, database, logger }: BuildOptions): Promise<App> {
  const app = Fastify({
    logger: logger ?? { level: config.LOG_LEVEL },
    trustProxy: trustedProxies(config.TRUST_PROXY),
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    frameworkErrors: answerBadUrl,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const clock = new Clock();
  const eta = createEta(config.NODE_ENV === 'production');
  const deps: Deps = {
    config,
    db: database.db,
    healthDb: database.healthDb,
    driver: database.driver,
    clock,
    eta,
    log: app.log,
    storage: createStorage(config, database.db),
    mailer: new Mailer({ config, db: database.db, clock, eta }),
    scheduler: new Scheduler({ db: database.db, clock, log: app.log }),
    search: createSearchEngine(config, database.db),
  };

  await app.register(depsPlugin, { deps, closeDatabase: () => database.close() });
  await app.register(metricsPlugin);
  await app.register(shutdownPlugin);
  await app.register(integerParamsPlugin);
  await app.register(securityPlugin);
  await app.register(compressionPlugin);
  // Cookies are read before a read waits its turn: the 503 page of a long wait needs them (CSRF, flash).
  await app.register(cookie, { secret: config.SESSION_SECRET });
  // After the security headers and rate limits (a 503 for a long wait carries them), before any work.
  await app.register(admissionPlugin);
  await app.register(formbody, { parser: (body) => qs.parse(body) });
  await app.register(multipart, { limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 200 } });
  await app.register(sessionPlugin);
  await app.register(csrfPlugin);
  await app.register(viewPlugin);
  await app.register(errorsPlugin);
  await app.register(staticPlugin);
  await app.register(apiDocsPlugin);

  registerJobs(deps);
  await app.register(searchKickPlugin);
  await app.register(figuresKickPlugin);

  await app.register(pagesRoutes);
  await app.register(territoriesRoutes);
  await app.register(accountsRoutes);
  await app.register(organisationsRoutes);
  await app.register(offersRoutes);
  await app.register(catalogueRoutes);
  await app.register(favouritesRoutes);
  await app.register(requestsRoutes);
  await app.register(notificationsRoutes);
  await app.register(partnershipsRoutes);
  await app.register(matchingRoutes);
  await app.register(coordinationRoutes);
  await app.register(coordinationInvitationsRoutes);
  await app.register(dashboardRoutes);
  await app.register(adminRoutes);
  await app.register(observatoryRoutes);
  if (config.NODE_ENV !== 'production') await app.register(devRoutes);

  return app;
}
