import { and, eq, inArray } from 'drizzle-orm';
import { needMatchNotices } from '../../db/schema/index.js';
import type { Deps } from '../deps.js';
import { notify } from '../notifications/notifications.usecases.js';
import { openNeedById } from './matching.repository.js';
import { suggestOffers, wishOfNeed } from './suggestions.js';

/** A new need notifies the partners whose offers match it at least this well. */
const NEED_ALERT_THRESHOLD = 75;
/** At most this many partners are told about one need (the best matches). */
const MAX_PARTNERS = 30;

/**
 * Tells nearby partners about a new need their offers answer well (notification type need_match),
 * once per partner and need. Returns how many partners were notified.
 */
export async function notifyPartnersOfNeed(deps: Deps, needId: number, options: { excludeUserId?: number } = {}): Promise<number> {
  const need = await openNeedById(deps.db, needId);
  if (!need) return 0;
  const ranked = await suggestOffers(deps, wishOfNeed(need), { limit: 200, threshold: NEED_ALERT_THRESHOLD });
  const bestByPartner = new Map<number, (typeof ranked)[number]>();
  for (const r of ranked) if (!bestByPartner.has(r.item.partnerId)) bestByPartner.set(r.item.partnerId, r);
  const partnerIds = [...bestByPartner.keys()].slice(0, MAX_PARTNERS);
  if (partnerIds.length === 0) return 0;
  const already = await deps.db
    .select({ partnerId: needMatchNotices.partnerId })
    .from(needMatchNotices)
    .where(and(eq(needMatchNotices.needId, needId), inArray(needMatchNotices.partnerId, partnerIds)));
  const told = new Set(already.map((a) => a.partnerId));
  const now = deps.clock.now();
  let count = 0;
  for (const partnerId of partnerIds) {
    if (told.has(partnerId)) continue;
    const best = bestByPartner.get(partnerId)!;
    await deps.db.transaction(async (tx) => {
      await tx.insert(needMatchNotices).values({ needId, partnerId, offerId: best.item.id, score: best.match.score, createdAt: now }).onConflictDoNothing();
      await notify(deps, tx, {
        organisationIds: [partnerId],
        type: 'need_match',
        title: `Un accueil cherche : ${need.title}`.slice(0, 200),
        body: `${need.acmName}${need.communeName ? ` (${need.communeName})` : ''} a publié un besoin auquel votre offre « ${best.item.title} » correspond (${best.match.score} %).`,
        url: `/besoins/${needId}`,
        excludeUserId: options.excludeUserId ?? null,
      });
    });
    count++;
  }
  return count;
}
