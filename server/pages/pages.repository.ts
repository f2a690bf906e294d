import { count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { offers, organisations } from '../../db/schema/index.js';

/** The three figures of the home page: partner organisations, ACMs and published offers. */
export async function homeFigures(db: Db): Promise<{ partners: number; acms: number; offers: number }> {
  const [[partners], [acms], [published]] = await Promise.all([
    db.select({ value: count() }).from(organisations).where(eq(organisations.kind, 'partner')),
    db.select({ value: count() }).from(organisations).where(eq(organisations.kind, 'acm')),
    db.select({ value: count() }).from(offers).where(eq(offers.status, 'published')),
  ]);
  return { partners: partners?.value ?? 0, acms: acms?.value ?? 0, offers: published?.value ?? 0 };
}
