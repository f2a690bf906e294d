import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { partnershipReviews } from '../../db/schema/index.js';

export type Review = typeof partnershipReviews.$inferSelect;

export async function listReviews(db: Db, partnershipId: number): Promise<Review[]> {
  return db.select().from(partnershipReviews).where(eq(partnershipReviews.partnershipId, partnershipId));
}

export async function upsertReview(db: Db, values: typeof partnershipReviews.$inferInsert): Promise<void> {
  await db
    .insert(partnershipReviews)
    .values(values)
    .onConflictDoUpdate({
      target: [partnershipReviews.partnershipId, partnershipReviews.side],
      set: {
        answers: values.answers,
        recommendation: values.recommendation,
        recommendationReason: values.recommendationReason,
        submittedAt: values.submittedAt,
        submittedBy: values.submittedBy,
        updatedAt: values.updatedAt,
      },
    });
}
