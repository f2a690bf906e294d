import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { auditLog, conventionComments, conventionSignatures, conventionVersions, organisations, partnershipConventions, users } from '../../db/schema/index.js';

export type Signature = typeof conventionSignatures.$inferSelect;
type ConventionVersion = typeof conventionVersions.$inferSelect;
export type Convention = typeof partnershipConventions.$inferSelect;

/**
 * The convention of a partnership. Every partnership gets its convention row when it is created
 * (`ensureConvention` in the accept, prescribe and renew use cases), so reading never writes.
 */
export async function findConvention(db: Db, partnershipId: number): Promise<Convention> {
  const [row] = await db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, partnershipId)).limit(1);
  if (!row) throw new Error(`Partnership ${partnershipId} has no convention row`);
  return row;
}

/** Creates the (empty, draft) convention of a partnership unless it exists, and returns it. */
export async function ensureConvention(db: Db, partnershipId: number): Promise<Convention> {
  const [created] = await db.insert(partnershipConventions).values({ partnershipId }).onConflictDoNothing().returning();
  return created ?? (await findConvention(db, partnershipId));
}

/**
 * Locks the convention row until the end of the transaction: signatures and changes of the text
 * are serialised, so two parties signing at the same instant both see each other's signature.
 */
export async function lockConvention(db: Db, partnershipId: number): Promise<Convention> {
  await ensureConvention(db, partnershipId);
  const [row] = await db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, partnershipId)).for('update');
  return row!;
}

export async function updateConvention(db: Db, partnershipId: number, values: Partial<typeof partnershipConventions.$inferInsert>): Promise<void> {
  await db.update(partnershipConventions).set(values).where(eq(partnershipConventions.partnershipId, partnershipId));
}

export async function activeSignatures(db: Db, partnershipId: number): Promise<Signature[]> {
  return db
    .select()
    .from(conventionSignatures)
    .where(and(eq(conventionSignatures.partnershipId, partnershipId), isNull(conventionSignatures.voidedAt), isNull(conventionSignatures.version)))
    .orderBy(asc(conventionSignatures.signedAt));
}

/** The pending signatures become those of the version both parties just completed. */
export async function markSignaturesVersion(db: Db, partnershipId: number, version: number): Promise<void> {
  await db
    .update(conventionSignatures)
    .set({ version })
    .where(and(eq(conventionSignatures.partnershipId, partnershipId), isNull(conventionSignatures.voidedAt), isNull(conventionSignatures.version)));
}

export async function insertSignature(db: Db, values: typeof conventionSignatures.$inferInsert): Promise<Signature> {
  const [row] = await db.insert(conventionSignatures).values(values).returning();
  return row!;
}

export async function voidSignatures(db: Db, partnershipId: number, now: Date, reason: string): Promise<number> {
  const voided = await db
    .update(conventionSignatures)
    .set({ voidedAt: now, voidReason: reason })
    .where(and(eq(conventionSignatures.partnershipId, partnershipId), isNull(conventionSignatures.voidedAt), isNull(conventionSignatures.version)))
    .returning({ id: conventionSignatures.id });
  return voided.length;
}

export async function insertVersion(db: Db, values: typeof conventionVersions.$inferInsert): Promise<ConventionVersion> {
  const [row] = await db.insert(conventionVersions).values(values).returning();
  return row!;
}

/** Signed conventions with no amendment proposed whose version in force was kept without its inputs. */
export async function signedWithoutInputs(db: Db): Promise<number[]> {
  const rows = await db
    .select({ id: partnershipConventions.partnershipId })
    .from(partnershipConventions)
    .innerJoin(
      conventionVersions,
      and(eq(conventionVersions.partnershipId, partnershipConventions.partnershipId), eq(conventionVersions.version, partnershipConventions.signedVersions)),
    )
    .where(and(eq(partnershipConventions.status, 'signed'), isNull(partnershipConventions.amendmentProposedAt), isNull(conventionVersions.inputs)));
  return rows.map((r) => r.id);
}

export async function updateVersionInputs(db: Db, id: number, inputs: Record<string, unknown> | null): Promise<void> {
  if (inputs) await db.update(conventionVersions).set({ inputs }).where(eq(conventionVersions.id, id));
}

export async function listVersions(db: Db, partnershipId: number): Promise<ConventionVersion[]> {
  return db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, partnershipId)).orderBy(desc(conventionVersions.version));
}

export async function findVersion(db: Db, partnershipId: number, version: number): Promise<ConventionVersion | null> {
  const [row] = await db
    .select()
    .from(conventionVersions)
    .where(and(eq(conventionVersions.partnershipId, partnershipId), eq(conventionVersions.version, version)))
    .limit(1);
  return row ?? null;
}

export async function insertComment(db: Db, values: typeof conventionComments.$inferInsert): Promise<void> {
  await db.insert(conventionComments).values(values);
}

export async function listComments(db: Db, partnershipId: number) {
  return db
    .select({ comment: conventionComments, authorName: users.name, organisationName: organisations.name })
    .from(conventionComments)
    .leftJoin(users, eq(users.id, conventionComments.authorId))
    .leftJoin(organisations, eq(organisations.id, conventionComments.organisationId))
    .where(eq(conventionComments.partnershipId, partnershipId))
    .orderBy(asc(conventionComments.createdAt), asc(conventionComments.id));
}

/** The convention fields kept when the version in force was signed (null for versions signed before they were kept). */
export async function findSignedFields(db: Db, partnershipId: number): Promise<Record<string, string> | null> {
  const [row] = await db
    .select({ data: auditLog.data })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entity, 'partnership'),
        eq(auditLog.entityId, partnershipId),
        inArray(auditLog.action, ['convention.signed', 'convention.amendment_signed']),
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(1);
  const fields = row?.data.fields;
  return fields && typeof fields === 'object' ? (fields as Record<string, string>) : null;
}
