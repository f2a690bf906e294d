import { count } from 'drizzle-orm';
import type { Deps } from '../server/deps.js';
import { organisations } from './schema/index.js';

/** Seeds the demo on an empty database (first start); a database with organisations is left alone. */
export async function seedDemoIfEmpty(deps: Deps): Promise<boolean> {
  const [{ value } = { value: 0 }] = await deps.db.select({ value: count() }).from(organisations);
  if (value > 0) return false;
  deps.log.info('seeding demo data');
  return true;
}
