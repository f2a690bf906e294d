import type { Db } from '../../db/client.js';
import { partnerships, type requests } from '../../db/schema/index.js';
import { schoolYearOf } from '../lib/school-year.js';

type RequestRow = typeof requests.$inferSelect;

/**
 * Creates the partnership record when a request is accepted (called inside the accepting
 * transaction). The workspace fills in the five steps from there.
 */
export async function createPartnershipFromRequest(db: Db, request: RequestRow, title: string, now: Date) {
  const [partnership] = await db
    .insert(partnerships)
    .values({
      requestId: request.id,
      acmId: request.acmId,
      partnerId: request.partnerId,
      offerId: request.offerId,
      title,
      schoolYear: schoolYearOf(request.periodStart ?? now),
      status: 'active',
    })
    .returning();
  return partnership!;
}
