import type { Db } from '../db/client.js';
import { searchOutbox } from '../db/schema/index.js';

type SearchEntity = 'offer' | 'organisation' | 'need';

/**
 * Records that an entity changed and must be (re)indexed or removed. Call it with the same
 * transaction as the change: the search engine is then updated at least once, even if it is down.
 */
export async function enqueueSearchSync(db: Db, entity: SearchEntity, ids: number | number[]): Promise<void> {
  const list = Array.isArray(ids) ? ids : [ids];
  if (list.length === 0) return;
  await db.insert(searchOutbox).values(list.map((entityId) => ({ entity, entityId })));
}
