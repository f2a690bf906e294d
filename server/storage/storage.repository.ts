import { isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { messages, offerImports, offers, organisations, partnershipDocuments } from '../../db/schema/index.js';

/** Every storage key a row points to (an offer photo stands for its thumbnail too: see orphans.ts). */
export async function referencedKeys(db: Db): Promise<{ photos: string[]; others: string[] }> {
  const [photos, logos, attachments, imports, documents] = await Promise.all([
    db.select({ key: offers.photoPath }).from(offers).where(isNotNull(offers.photoPath)),
    db.select({ key: organisations.logoPath }).from(organisations).where(isNotNull(organisations.logoPath)),
    db.select({ key: messages.attachmentPath }).from(messages).where(isNotNull(messages.attachmentPath)),
    db.select({ key: offerImports.storageKey, rejects: offerImports.rejectsKey }).from(offerImports),
    db.select({ key: partnershipDocuments.storageKey }).from(partnershipDocuments),
  ]);
  return {
    photos: photos.map((row) => row.key!),
    others: [
      ...logos.map((row) => row.key!),
      ...attachments.map((row) => row.key!),
      ...imports.flatMap((row) => (row.rejects ? [row.key, row.rejects] : [row.key])),
      ...documents.map((row) => row.key),
    ],
  };
}
