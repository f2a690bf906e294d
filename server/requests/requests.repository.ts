import { aliasedTable, and, asc, count, desc, eq, gt, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { byFrenchName } from '../../db/by-french-name.js';
import type { Db } from '../../db/client.js';
import { messages, needs, offers, organisations, partnerships, replyTemplates, requestEvents, requests, threadReads, users } from '../../db/schema/index.js';
import type { RequestStatus } from './labels.js';

export type RequestRow = typeof requests.$inferSelect;
type MessageRow = typeof messages.$inferSelect;
export type OrganisationRow = typeof organisations.$inferSelect;
export type OfferRow = typeof offers.$inferSelect;

export async function findOffer(db: Db, id: number): Promise<OfferRow | null> {
  const [row] = await db.select().from(offers).where(eq(offers.id, id));
  return row ?? null;
}

export async function findNeedTitle(db: Db, id: number): Promise<string | null> {
  const [row] = await db.select({ title: needs.title }).from(needs).where(eq(needs.id, id));
  return row?.title ?? null;
}

/** What a request is about, in a few words: its offer, the need it answers, or the partner. */
export function requestSubject(offerTitle: string | null, needTitle: string | null, partnerName: string): string {
  if (offerTitle) return offerTitle;
  if (needTitle) return `Réponse au besoin « ${needTitle} »`;
  return `Partenariat avec ${partnerName}`;
}

export async function findOrganisation(db: Db, id: number): Promise<OrganisationRow | null> {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, id));
  return row ?? null;
}

export async function findOrganisations(db: Db, ids: number[]): Promise<OrganisationRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(organisations).where(inArray(organisations.id, ids));
}

export async function findRequest(db: Db, id: number): Promise<RequestRow | null> {
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  return row ?? null;
}

/** An open request (sent or in discussion) from this ACM about this offer, or to this partner without an offer. */
export async function findOpenRequests(db: Db, acmIds: number[], target: { offerId: number } | { partnerId: number }) {
  if (acmIds.length === 0) return [];
  const about = 'offerId' in target ? eq(requests.offerId, target.offerId) : and(eq(requests.partnerId, target.partnerId), isNull(requests.offerId));
  return db
    .select({ id: requests.id, acmId: requests.acmId, createdAt: requests.createdAt, status: requests.status })
    .from(requests)
    .where(and(inArray(requests.acmId, acmIds), eq(requests.direction, 'acm_to_partner'), inArray(requests.status, ['sent', 'in_discussion']), about));
}

/**
 * Among the given offers and partners, those the ACMs already have a request with (open or
 * closed, whoever started it): the "déjà contacté" marks of search results and offer pages.
 */
export async function contactedAmong(db: Db, acmIds: number[], offerIds: number[], partnerIds: number[]) {
  const found = { offers: new Set<number>(), partners: new Set<number>() };
  if (acmIds.length === 0 || (offerIds.length === 0 && partnerIds.length === 0)) return found;
  const about = [...(offerIds.length ? [inArray(requests.offerId, offerIds)] : []), ...(partnerIds.length ? [inArray(requests.partnerId, partnerIds)] : [])];
  const rows = await db
    .selectDistinct({ offerId: requests.offerId, partnerId: requests.partnerId })
    .from(requests)
    .where(and(inArray(requests.acmId, acmIds), or(...about)));
  for (const row of rows) {
    if (row.offerId !== null && offerIds.includes(row.offerId)) found.offers.add(row.offerId);
    if (partnerIds.includes(row.partnerId)) found.partners.add(row.partnerId);
  }
  return found;
}

export async function insertRequest(db: Db, values: typeof requests.$inferInsert): Promise<RequestRow> {
  const [row] = await db.insert(requests).values(values).returning();
  return row!;
}

/** Changes a request only if it is still in one of `from` (two people acting at once: one wins). */
export async function updateRequestIf(db: Db, id: number, from: readonly RequestStatus[], set: PgUpdateSetSource<typeof requests>): Promise<RequestRow | null> {
  const [row] = await db
    .update(requests)
    .set(set)
    .where(and(eq(requests.id, id), inArray(requests.status, from)))
    .returning();
  return row ?? null;
}

export async function touchRequest(db: Db, id: number, set: Partial<typeof requests.$inferInsert>): Promise<void> {
  await db.update(requests).set(set).where(eq(requests.id, id));
}

export async function insertMessage(db: Db, values: typeof messages.$inferInsert): Promise<MessageRow> {
  const [row] = await db.insert(messages).values(values).returning();
  return row!;
}

export async function insertEvent(db: Db, values: typeof requestEvents.$inferInsert): Promise<void> {
  await db.insert(requestEvents).values(values);
}

export async function markThreadRead(db: Db, requestId: number, organisationId: number, at: Date): Promise<void> {
  await db
    .insert(threadReads)
    .values({ requestId, organisationId, lastReadAt: at })
    .onConflictDoUpdate({
      target: [threadReads.requestId, threadReads.organisationId],
      set: { lastReadAt: sql`greatest(${threadReads.lastReadAt}, excluded.last_read_at)` },
    });
}

export async function threadReadsOf(db: Db, requestId: number) {
  return db.select().from(threadReads).where(eq(threadReads.requestId, requestId));
}

export async function listMessages(db: Db, requestId: number) {
  return db
    .select({ message: messages, authorName: users.name })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorId))
    .where(eq(messages.requestId, requestId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function findMessage(db: Db, requestId: number, messageId: number): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.requestId, requestId)));
  return row ?? null;
}

export async function listEvents(db: Db, requestId: number) {
  return db
    .select({ event: requestEvents, actorName: users.name })
    .from(requestEvents)
    .leftJoin(users, eq(users.id, requestEvents.actorId))
    .where(eq(requestEvents.requestId, requestId))
    .orderBy(asc(requestEvents.createdAt), asc(requestEvents.id));
}

export async function partnershipOf(db: Db, requestId: number) {
  const [row] = await db.select({ id: partnerships.id, title: partnerships.title }).from(partnerships).where(eq(partnerships.requestId, requestId)).limit(1);
  return row ?? null;
}

/**
 * Messages of a thread that an organisation has not read yet: what the other side wrote, and the
 * automatic messages nobody caused (expiry). Status changes by the other side are notified and
 * shown by the status itself, so their automatic companion messages do not count twice.
 */
function unreadFor(organisationId: number | SQL) {
  return sql<number>`(select count(*) from ${messages} m
    where m.request_id = ${requests.id}
      and ((m.kind = 'user' and (m.author_organisation_id is null or m.author_organisation_id <> ${organisationId}))
        or (m.kind = 'system' and m.author_organisation_id is null))
      and m.created_at > coalesce((select tr.last_read_at from ${threadReads} tr where tr.request_id = ${requests.id} and tr.organisation_id = ${organisationId}), '-infinity'::timestamptz))`.mapWith(
    Number,
  );
}

const acmOrg = aliasedTable(organisations, 'acm_org');
const partnerOrg = aliasedTable(organisations, 'partner_org');

interface InboxFilter {
  organisationId: number;
  box: 'received' | 'sent';
  statuses?: readonly RequestStatus[];
  /** Already normalised (lower case, no accents). */
  query?: string;
  limit: number;
  offset: number;
}

/** Requests where the organisation is the addressee (received) or the sender (sent). */
function boxCondition(organisationId: number, box: 'received' | 'sent') {
  const received = or(
    and(eq(requests.direction, 'acm_to_partner'), eq(requests.partnerId, organisationId)),
    and(eq(requests.direction, 'partner_to_acm'), eq(requests.acmId, organisationId)),
  );
  const sent = or(
    and(eq(requests.direction, 'acm_to_partner'), eq(requests.acmId, organisationId)),
    and(eq(requests.direction, 'partner_to_acm'), eq(requests.partnerId, organisationId)),
  );
  return box === 'received' ? received : sent;
}

export async function listInbox(db: Db, filter: InboxFilter) {
  const conditions = [boxCondition(filter.organisationId, filter.box)];
  if (filter.statuses?.length) conditions.push(inArray(requests.status, [...filter.statuses]));
  if (filter.query) {
    const like = `%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      or(
        sql`search_norm(concat_ws(' ', ${offers.title}, ${needs.title}, ${acmOrg.name}, ${partnerOrg.name}, ${requests.message}, ${requests.objectivesOther})) like ${like}`,
        sql`exists (select 1 from ${messages} m where m.request_id = ${requests.id} and m.kind = 'user' and search_norm(m.body) like ${like})`,
      ),
    );
  }
  const where = and(...conditions);
  const [items, [total]] = await Promise.all([
    db
      .select({
        request: requests,
        offerTitle: offers.title,
        needTitle: needs.title,
        acmName: acmOrg.name,
        partnerName: partnerOrg.name,
        unread: unreadFor(filter.organisationId),
      })
      .from(requests)
      .innerJoin(acmOrg, eq(acmOrg.id, requests.acmId))
      .innerJoin(partnerOrg, eq(partnerOrg.id, requests.partnerId))
      .leftJoin(offers, eq(offers.id, requests.offerId))
      .leftJoin(needs, eq(needs.id, requests.needId))
      .where(where)
      .orderBy(desc(requests.lastActivityAt), desc(requests.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db
      .select({ value: count() })
      .from(requests)
      .innerJoin(acmOrg, eq(acmOrg.id, requests.acmId))
      .innerJoin(partnerOrg, eq(partnerOrg.id, requests.partnerId))
      .leftJoin(offers, eq(offers.id, requests.offerId))
      .leftJoin(needs, eq(needs.id, requests.needId))
      .where(where),
  ]);
  return { items, total: total?.value ?? 0 };
}

/** For each box of an organisation: open requests and threads with unread messages. */
export async function boxCounts(db: Db, organisationId: number) {
  const result = { received: { open: 0, unread: 0 }, sent: { open: 0, unread: 0 } };
  for (const box of ['received', 'sent'] as const) {
    const [row] = await db
      .select({
        open: sql<number>`count(*) filter (where ${requests.status} in ('sent', 'in_discussion'))`.mapWith(Number),
        unread: sql<number>`count(*) filter (where ${unreadFor(organisationId)} > 0)`.mapWith(Number),
      })
      .from(requests)
      .where(boxCondition(organisationId, box));
    result[box] = { open: row?.open ?? 0, unread: row?.unread ?? 0 };
  }
  return result;
}

/** What waits for these organisations: received requests without an answer, threads with unread messages. */
export async function waitingFor(db: Db, organisationIds: number[], limit = 8) {
  if (organisationIds.length === 0) return [];
  const rows = [];
  for (const organisationId of organisationIds) {
    const found = await db
      .select({
        request: requests,
        offerTitle: offers.title,
        needTitle: needs.title,
        acmName: acmOrg.name,
        partnerName: partnerOrg.name,
        unread: unreadFor(organisationId),
      })
      .from(requests)
      .innerJoin(acmOrg, eq(acmOrg.id, requests.acmId))
      .innerJoin(partnerOrg, eq(partnerOrg.id, requests.partnerId))
      .leftJoin(offers, eq(offers.id, requests.offerId))
      .leftJoin(needs, eq(needs.id, requests.needId))
      .where(
        and(
          or(eq(requests.acmId, organisationId), eq(requests.partnerId, organisationId)),
          or(and(boxCondition(organisationId, 'received'), eq(requests.status, 'sent')), gt(unreadFor(organisationId), 0)),
        ),
      )
      .orderBy(desc(requests.lastActivityAt))
      .limit(limit);
    rows.push(...found.map((r) => ({ ...r, organisationId })));
  }
  return rows;
}

export async function dueReminders(db: Db, now: Date) {
  return db
    .select()
    .from(requests)
    .where(
      and(
        eq(requests.status, 'sent'),
        isNull(requests.reminderSentAt),
        sql`${requests.expiresAt} is not null`,
        sql`${requests.createdAt} + (${requests.expiresAt} - ${requests.createdAt}) / 2 <= ${now.toISOString()}::timestamptz`,
        gt(requests.expiresAt, now),
      ),
    )
    .orderBy(asc(requests.id))
    .limit(500);
}

export async function dueExpiries(db: Db, now: Date) {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'sent'), lte(requests.expiresAt, now)))
    .orderBy(asc(requests.id))
    .limit(500);
}

// Quick replies (saved templates of a partner organisation)

export async function listTemplates(db: Db, organisationId: number) {
  return db
    .select()
    .from(replyTemplates)
    .where(eq(replyTemplates.organisationId, organisationId))
    .orderBy(byFrenchName(replyTemplates.title), asc(replyTemplates.id));
}

export async function findTemplate(db: Db, id: number) {
  const [row] = await db.select().from(replyTemplates).where(eq(replyTemplates.id, id));
  return row ?? null;
}

export async function insertTemplate(db: Db, values: typeof replyTemplates.$inferInsert) {
  const [row] = await db.insert(replyTemplates).values(values).returning();
  return row!;
}

export async function updateTemplate(db: Db, id: number, values: { title: string; body: string }) {
  await db.update(replyTemplates).set(values).where(eq(replyTemplates.id, id));
}

export async function deleteTemplate(db: Db, id: number) {
  await db.delete(replyTemplates).where(eq(replyTemplates.id, id));
}
