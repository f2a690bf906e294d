import { and, asc, desc, eq, gte, isNotNull, isNull, lte, ne, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { partnershipDocuments, partnerships, users } from '../../db/schema/index.js';

export type PartnershipDocument = typeof partnershipDocuments.$inferSelect;
type PartnershipDocumentInsert = typeof partnershipDocuments.$inferInsert;

export async function insertDocument(db: Db, values: PartnershipDocumentInsert): Promise<PartnershipDocument> {
  const [row] = await db.insert(partnershipDocuments).values(values).returning();
  return row!;
}

/** The documents of a partnership, newest first, with the uploader's name. */
export async function listDocuments(db: Db, partnershipId: number) {
  return db
    .select({ document: partnershipDocuments, uploaderName: users.name })
    .from(partnershipDocuments)
    .leftJoin(users, eq(users.id, partnershipDocuments.uploadedBy))
    .where(eq(partnershipDocuments.partnershipId, partnershipId))
    .orderBy(desc(partnershipDocuments.createdAt), desc(partnershipDocuments.id));
}

export async function findDocument(db: Db, partnershipId: number, id: number): Promise<PartnershipDocument | null> {
  const [row] = await db
    .select()
    .from(partnershipDocuments)
    .where(and(eq(partnershipDocuments.partnershipId, partnershipId), eq(partnershipDocuments.id, id)))
    .limit(1);
  return row ?? null;
}

export async function deleteDocument(db: Db, id: number): Promise<PartnershipDocument | null> {
  const [row] = await db.delete(partnershipDocuments).where(eq(partnershipDocuments.id, id)).returning();
  return row ?? null;
}

/** Documents of live partnerships expiring between two days (inclusive) whose 30- or 7-day reminder is still due. */
export async function documentsExpiringBetween(db: Db, from: string, to: string) {
  return db
    .select({ document: partnershipDocuments, partnership: partnerships })
    .from(partnershipDocuments)
    .innerJoin(partnerships, eq(partnerships.id, partnershipDocuments.partnershipId))
    .where(
      and(
        isNotNull(partnershipDocuments.expiresOn),
        gte(partnershipDocuments.expiresOn, from),
        lte(partnershipDocuments.expiresOn, to),
        or(isNull(partnershipDocuments.reminder30SentAt), isNull(partnershipDocuments.reminder7SentAt)),
        ne(partnerships.status, 'closed'),
      ),
    )
    .orderBy(asc(partnershipDocuments.expiresOn), asc(partnershipDocuments.id));
}

/**
 * Marks a reminder as sent unless it already was: true for the one caller that marked it, so that
 * two runs never send the same reminder twice.
 */
export async function claimReminder(db: Db, id: number, which: 30 | 7, now: Date): Promise<boolean> {
  const column = which === 30 ? partnershipDocuments.reminder30SentAt : partnershipDocuments.reminder7SentAt;
  const values = which === 30 ? { reminder30SentAt: now } : { reminder7SentAt: now };
  const rows = await db
    .update(partnershipDocuments)
    .set(values)
    .where(and(eq(partnershipDocuments.id, id), isNull(column)))
    .returning({ id: partnershipDocuments.id });
  return rows.length > 0;
}
