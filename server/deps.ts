import type { Eta } from 'eta';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, DriverName } from '../db/client.js';
import type { SearchEngine } from '../search/types.js';
import type { Config } from './config.js';
import type { Clock } from './lib/clock.js';
import type { Scheduler } from './lib/jobs.js';
import type { Mailer } from './lib/mailer.js';
import type { Storage } from './lib/storage.js';

/** What use cases need, passed as one object (tests build the same with a real database). */
export interface Deps {
  config: Config;
  db: Db;
  /** The database seen by /healthz (see Database.healthDb). */
  healthDb: Db;
  driver: DriverName;
  clock: Clock;
  mailer: Mailer;
  storage: Storage;
  scheduler: Scheduler;
  search: SearchEngine;
  eta: Eta;
  log: FastifyBaseLogger;
}
