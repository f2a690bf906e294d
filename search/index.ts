import type { Db } from '../db/client.js';
import { MeilisearchEngine } from './meilisearch.js';
import { PostgresSearchEngine } from './postgres/engine.js';
import type { SearchEngine } from './types.js';

export type { SearchEngine } from './types.js';

/** The engine chosen by configuration: Meilisearch when MEILI_HOST is set, PostgreSQL otherwise. */
export function createSearchEngine(
  config: { MEILI_HOST?: string | undefined; MEILI_API_KEY?: string | undefined; MEILI_INDEX_PREFIX: string; SEARCH_THREADS?: number },
  db: Db,
): SearchEngine {
  if (config.MEILI_HOST) {
    return new MeilisearchEngine({ host: config.MEILI_HOST, apiKey: config.MEILI_API_KEY, prefix: config.MEILI_INDEX_PREFIX, db });
  }
  return new PostgresSearchEngine(db, { threads: config.SEARCH_THREADS ?? 0 });
}
