import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Db, rows, type Stamped } from '../../db/client.js';
import { communes, needs, offers, organisations, partnershipParties, partnerships, requests } from '../../db/schema/index.js';

export type Need = typeof needs.$inferSelect;
type NewNeed = typeof needs.$inferInsert;
export type NeedStatus = Need['status'];

/** What a need's pages show of its ACM: never its contact details (partners read needs). */
const acmColumns = {
  id: organisations.id,
  name: organisations.name,
  slug: organisations.slug,
  status: organisations.status,
  ageMin: organisations.ageMin,
  ageMax: organisations.ageMax,
  capacity: organisations.capacity,
  inclusion: organisations.inclusion,
  codeInsee: organisations.codeInsee,
  lat: organisations.lat,
  lng: organisations.lng,
  communeName: communes.name,
  departmentCode: communes.departmentCode,
  regionCode: communes.regionCode,
  epciCode: communes.epciCode,
  eptCode: communes.eptCode,
};

export interface NeedWithAcm {
  need: Need;
  acm: {
    id: number;
    name: string;
    slug: string;
    status: 'unverified' | 'verified' | 'suspended';
    ageMin: number | null;
    ageMax: number | null;
    capacity: number | null;
    inclusion: boolean | null;
    codeInsee: string | null;
    lat: number | null;
    lng: number | null;
    communeName: string | null;
    departmentCode: string | null;
    regionCode: string | null;
    epciCode: string | null;
    eptCode: string | null;
  };
}

export async function insertNeed(db: Db, values: NewNeed): Promise<Need> {
  const [row] = await db.insert(needs).values(values).returning();
  return row!;
}

export async function updateNeed(db: Db, id: number, values: Partial<NewNeed> & Stamped): Promise<Need> {
  const [row] = await db.update(needs).set(values).where(eq(needs.id, id)).returning();
  return row!;
}

/** Marks an open need as fulfilled; false when it was not open (its ACM closed or fulfilled it already). */
export async function fulfilOpenNeed(db: Db, id: number, now: Date): Promise<boolean> {
  const updated = await db
    .update(needs)
    .set({ status: 'fulfilled', closedAt: now, updatedAt: now })
    .where(and(eq(needs.id, id), eq(needs.status, 'open')))
    .returning({ id: needs.id });
  return updated.length > 0;
}

export async function findNeed(db: Db, id: number): Promise<NeedWithAcm | null> {
  const [row] = await db
    .select({ need: needs, acm: acmColumns })
    .from(needs)
    .innerJoin(organisations, eq(organisations.id, needs.acmId))
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(eq(needs.id, id))
    .limit(1);
  return row ?? null;
}

/** The needs of some ACMs, open ones first, newest first. */
export async function listNeedsOfAcms(db: Db, acmIds: number[], options: { status?: NeedStatus } = {}): Promise<NeedWithAcm[]> {
  if (acmIds.length === 0) return [];
  return db
    .select({ need: needs, acm: acmColumns })
    .from(needs)
    .innerJoin(organisations, eq(organisations.id, needs.acmId))
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(and(inArray(needs.acmId, acmIds), options.status ? eq(needs.status, options.status) : undefined))
    .orderBy(sql`${needs.status} = 'open' desc`, desc(needs.createdAt), desc(needs.id));
}

/** How many answers (requests opened from the need) and prescribed partnerships each need received. */
export async function proposalCounts(db: Db, needIds: number[]): Promise<Map<number, { answers: number; prescriptions: number }>> {
  if (needIds.length === 0) return new Map();
  const result = await rows<{ needId: number; answers: number; prescriptions: number }>(
    db,
    sql`select n.id as "needId",
        (select count(*)::int from requests r where r.need_id = n.id) as answers,
        (select count(*)::int from partnerships p where p.need_id = n.id) as prescriptions
      from needs n where n.id = any(${sql.param(needIds)}::int[])`,
  );
  return new Map(result.map((r) => [r.needId, { answers: Number(r.answers), prescriptions: Number(r.prescriptions) }]));
}

/** The request threads opened from a need, newest first, with the partner and the offer proposed. */
export async function answersOfNeed(db: Db, needId: number) {
  return db
    .select({
      id: requests.id,
      status: requests.status,
      partnerId: requests.partnerId,
      partnerName: organisations.name,
      offerTitle: offers.title,
      createdAt: requests.createdAt,
    })
    .from(requests)
    .innerJoin(organisations, eq(organisations.id, requests.partnerId))
    .leftJoin(offers, eq(offers.id, requests.offerId))
    .where(eq(requests.needId, needId))
    .orderBy(desc(requests.createdAt));
}

/** The partnerships a coordinator prescribed for a need, newest first, with the partner; `declined`: closed before both structures confirmed it. */
export async function prescriptionsOfNeed(db: Db, needId: number) {
  return db
    .select({
      id: partnerships.id,
      title: partnerships.title,
      status: partnerships.status,
      declined: sql<boolean>`${partnerships.status} = 'closed' and (select count(*) from ${partnershipParties} where ${partnershipParties.partnershipId} = ${partnerships.id} and ${partnershipParties.confirmedAt} is not null) < 2`,
      partnerName: organisations.name,
      createdAt: partnerships.createdAt,
    })
    .from(partnerships)
    .innerJoin(organisations, eq(organisations.id, partnerships.partnerId))
    .where(eq(partnerships.needId, needId))
    .orderBy(desc(partnerships.createdAt), desc(partnerships.id));
}
