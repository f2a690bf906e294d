import type { Db } from '../db/client.js';
import { allOfferDocuments } from './documents.js';
import type { SearchEngine } from './types.js';

/** Rebuilds the offers index from the database (what `npm run search:reindex` runs). */
export async function reindexOffers(db: Db, engine: SearchEngine, onBatch?: (count: number) => void): Promise<{ count: number }> {
  async function* batches() {
    let count = 0;
    for await (const batch of allOfferDocuments(db, 1000)) {
      count += batch.length;
      onBatch?.(count);
      yield batch;
    }
  }
  return engine.rebuild('offer', batches());
}
