import { describe, it } from 'vitest';
import { MeilisearchEngine } from '../../search/meilisearch.js';
import { searchEngineContract } from './contract.js';

const host = process.env.MEILI_HOST;
const skip = host ? undefined : 'MEILI_HOST is not set: no Meilisearch server to test against (the same contract runs on PostgreSQL).';

if (skip) {
  describe('Meilisearch search engine contract', () => {
    it.skip(`skipped — ${skip}`, () => {});
  });
}

searchEngineContract('Meilisearch', {
  skip,
  engine: (database) =>
    new MeilisearchEngine({
      host: host ?? 'http://127.0.0.1:7700',
      apiKey: process.env.MEILI_API_KEY,
      prefix: `passerelle_test_${process.pid}`,
      db: database.db,
    }),
});
