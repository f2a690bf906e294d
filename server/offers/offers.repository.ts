import { and, asc, count, desc, eq, getTableColumns, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db, Stamped } from '../../db/client.js';
import { auditLog, communes, memberships, offerReports, offers, organisations, users } from '../../db/schema/index.js';

export type Offer = typeof offers.$inferSelect;
export type OfferInsert = typeof offers.$inferInsert;
export type OfferStatus = Offer['status'];

/** What the offer pages need of the organisation that publishes an offer. */
const partnerColumns = {
  id: organisations.id,
  kind: organisations.kind,
  name: organisations.name,
  slug: organisations.slug,
  type: organisations.type,
  status: organisations.status,
  description: organisations.description,
  email: organisations.email,
  phone: organisations.phone,
  contactPublic: organisations.contactPublic,
  website: organisations.website,
  address: organisations.address,
  postcode: organisations.postcode,
  codeInsee: organisations.codeInsee,
  lat: organisations.lat,
  lng: organisations.lng,
  logoPath: organisations.logoPath,
};

export type Partner = {
  id: number;
  kind: 'partner' | 'acm';
  name: string;
  slug: string;
  type: string | null;
  status: 'unverified' | 'verified' | 'suspended';
  description: string;
  email: string | null;
  phone: string | null;
  contactPublic: boolean;
  website: string | null;
  address: string;
  postcode: string | null;
  codeInsee: string | null;
  lat: number | null;
  lng: number | null;
  logoPath: string | null;
};

export async function findOffer(db: Db, id: number): Promise<Offer | null> {
  const [row] = await db.select().from(offers).where(eq(offers.id, id)).limit(1);
  return row ?? null;
}

/** The row locked for the rest of the transaction (status changes read, decide, then write). */
export async function lockOffer(db: Db, id: number): Promise<Offer | null> {
  const [row] = await db.select().from(offers).where(eq(offers.id, id)).limit(1).for('update');
  return row ?? null;
}

export async function findPartner(db: Db, id: number): Promise<Partner | null> {
  const [row] = await db.select(partnerColumns).from(organisations).where(eq(organisations.id, id)).limit(1);
  return row ?? null;
}

const communeBriefColumns = { codeInsee: communes.codeInsee, name: communes.name, postcodes: communes.postcodes, departmentCode: communes.departmentCode };

/** An offer with its partner and its commune (null without one), in one query: the offer page's first read. */
export async function findOfferWithPartner(db: Db, id: number) {
  const [row] = await db
    .select({ offer: getTableColumns(offers), partner: partnerColumns, commune: communeBriefColumns })
    .from(offers)
    .innerJoin(organisations, eq(organisations.id, offers.organisationId))
    .leftJoin(communes, eq(communes.codeInsee, offers.codeInsee))
    .where(eq(offers.id, id))
    .limit(1);
  return row ?? null;
}

export async function findCommuneBrief(db: Db, codeInsee: string | null) {
  if (!codeInsee) return null;
  const [row] = await db.select(communeBriefColumns).from(communes).where(eq(communes.codeInsee, codeInsee)).limit(1);
  return row ?? null;
}

export async function insertOffer(db: Db, values: OfferInsert): Promise<Offer> {
  const [row] = await db.insert(offers).values(values).returning();
  return row!;
}

export async function updateOffer(db: Db, id: number, values: Partial<OfferInsert> & Stamped): Promise<Offer> {
  const [row] = await db.update(offers).set(values).where(eq(offers.id, id)).returning();
  return row!;
}

/** Every offer of an organisation, newest first (the partner's "Mes offres" list). */
export async function listOffersOfOrganisation(db: Db, organisationId: number): Promise<Offer[]> {
  return db.select().from(offers).where(eq(offers.organisationId, organisationId)).orderBy(desc(offers.updatedAt), desc(offers.id));
}

export async function listPublishedOffersOfOrganisation(db: Db, organisationId: number, limit = 50): Promise<Offer[]> {
  return db
    .select()
    .from(offers)
    .where(and(eq(offers.organisationId, organisationId), eq(offers.status, 'published')))
    .orderBy(desc(offers.publishedAt), desc(offers.id))
    .limit(limit);
}

export async function countOffersByStatus(db: Db, organisationIds: number[]) {
  if (organisationIds.length === 0) return [];
  return db
    .select({ organisationId: offers.organisationId, status: offers.status, count: count() })
    .from(offers)
    .where(inArray(offers.organisationId, organisationIds))
    .groupBy(offers.organisationId, offers.status);
}

/** How many offers each status holds, across the platform (admin exports). */
export async function countAllOffersByStatus(db: Db): Promise<Partial<Record<OfferStatus, number>>> {
  const counted = await db.select({ status: offers.status, value: count() }).from(offers).groupBy(offers.status);
  return Object.fromEntries(counted.map((c) => [c.status, c.value]));
}

/** The moderation queue: pending offers, oldest submission first. */
export async function listPendingOffers(db: Db) {
  return db
    .select({ offer: offers, organisation: { id: organisations.id, name: organisations.name, slug: organisations.slug, status: organisations.status } })
    .from(offers)
    .innerJoin(organisations, eq(organisations.id, offers.organisationId))
    .where(eq(offers.status, 'pending'))
    .orderBy(asc(sql`coalesce(${offers.submittedAt}, ${offers.updatedAt})`), asc(offers.id))
    .limit(200);
}

/** Members of an organisation with a confirmed address: who is told about moderation decisions. */
export async function memberContacts(db: Db, organisationId: number) {
  return db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), isNotNull(users.emailVerifiedAt)))
    .orderBy(asc(users.id));
}

export async function insertReport(db: Db, values: typeof offerReports.$inferInsert) {
  const [row] = await db.insert(offerReports).values(values).returning();
  return row!;
}

export async function findReport(db: Db, id: number) {
  const [row] = await db.select().from(offerReports).where(eq(offerReports.id, id)).limit(1);
  return row ?? null;
}

export async function listOpenReports(db: Db) {
  return db
    .select({
      report: offerReports,
      offer: { id: offers.id, title: offers.title, slug: offers.slug, status: offers.status },
      organisation: { id: organisations.id, name: organisations.name },
      reporter: { name: users.name, email: users.email },
    })
    .from(offerReports)
    .innerJoin(offers, eq(offers.id, offerReports.offerId))
    .innerJoin(organisations, eq(organisations.id, offers.organisationId))
    .leftJoin(users, eq(users.id, offerReports.reporterId))
    .where(eq(offerReports.status, 'open'))
    .orderBy(asc(offerReports.createdAt), asc(offerReports.id))
    .limit(200);
}

/** Closes every open report of an offer (a take-down answers them all). */
export async function resolveReportsOfOffer(db: Db, offerId: number, values: { status: 'dismissed' | 'actioned'; resolvedBy: number; resolvedAt: Date }) {
  await db
    .update(offerReports)
    .set(values)
    .where(and(eq(offerReports.offerId, offerId), eq(offerReports.status, 'open')));
}

export async function resolveReport(db: Db, id: number, values: { status: 'dismissed' | 'actioned'; resolvedBy: number; resolvedAt: Date }) {
  const [row] = await db
    .update(offerReports)
    .set(values)
    .where(and(eq(offerReports.id, id), eq(offerReports.status, 'open')))
    .returning();
  return row ?? null;
}

/** Published, paused or pending offers whose availability ended before `today` become archived. */
export async function archiveExpiredOffers(db: Db, today: string, now: Date): Promise<number[]> {
  const archived = await db
    .update(offers)
    .set({ status: 'archived', updatedAt: now })
    .where(and(inArray(offers.status, ['published', 'paused', 'pending']), lt(offers.endDate, today)))
    .returning({ id: offers.id });
  return archived.map((r) => r.id);
}

export async function audit(db: Db, values: { actorId: number | null; action: string; entityId: number; data?: Record<string, unknown> }) {
  await db.insert(auditLog).values({ actorId: values.actorId, action: values.action, entity: 'offer', entityId: values.entityId, data: values.data ?? {} });
}
