import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { DEFAULT_MAX_TRAVEL_KM } from './score.js';

/** SQL of the stored dashboard suggestions (db/schema/matching.ts, matching_suggestions). */

type SubjectKind = 'acm' | 'need' | 'partner';
export interface Subject {
  kind: SubjectKind;
  id: number;
}
type StoredItems = number[] | [number, number][];

/** How far a group travels when its need does not say, and for an ACM's profile (score.ts's DEFAULT_MAX_TRAVEL_KM). */
const trip = sql.raw(String(DEFAULT_MAX_TRAVEL_KM));

/**
 * The stored items of some subjects of one kind, with whether they may be shown: not marked stale,
 * and the subject itself (the ACM, the need, the partner or one of its offers) not changed since.
 */
export async function readStored(db: Db, kind: SubjectKind, ids: number[]): Promise<Map<number, { items: StoredItems; fresh: boolean }>> {
  if (ids.length === 0) return new Map();
  const changedAt: SQL =
    kind === 'need'
      ? sql`(select updated_at from needs where id = s.subject_id)`
      : kind === 'acm'
        ? sql`(select updated_at from organisations where id = s.subject_id)`
        : sql`greatest((select updated_at from organisations where id = s.subject_id), (select max(updated_at) from offers where organisation_id = s.subject_id))`;
  const found = await rows<{ id: number; items: StoredItems; fresh: boolean }>(
    db,
    sql`select s.subject_id as id, s.items, ((s.stale_since is null or s.stale_since <= s.computed_at) and coalesce(${changedAt} <= s.computed_at, true)) as fresh
        from matching_suggestions s
        where s.kind = ${kind} and s.subject_id = any(${sql.param(ids)}::int[])`,
  );
  return new Map(found.map((r) => [Number(r.id), { items: r.items, fresh: r.fresh }]));
}

/** Stores a subject's items computed from the data read from `at` on (a write marked after `at` keeps the row stale). */
export async function storeItems(db: Db, subject: Subject, items: StoredItems, at: Date): Promise<void> {
  await db.execute(
    sql`insert into matching_suggestions (kind, subject_id, items, computed_at)
        values (${subject.kind}, ${subject.id}, ${JSON.stringify(items)}::jsonb, ${at.toISOString()}::timestamptz)
        on conflict (kind, subject_id) do update set items = excluded.items, computed_at = excluded.computed_at,
          stale_since = case when matching_suggestions.stale_since > excluded.computed_at then matching_suggestions.stale_since end`,
  );
}

/** The search outbox rows written after `after` (every write of an offer, an organisation or a need adds one). */
export async function outboxChanges(db: Db, after: number, limit: number) {
  const found = await rows<{ id: number; entity: 'offer' | 'organisation' | 'need'; entityId: number }>(
    db,
    sql`select id, entity, entity_id as "entityId" from search_outbox where id > ${after} order by id limit ${limit}`,
  );
  const of = (entity: string) => [...new Set(found.filter((r) => r.entity === entity).map((r) => Number(r.entityId)))];
  return { last: found.length ? Number(found.at(-1)!.id) : after, offers: of('offer'), needs: of('need'), organisations: of('organisation') };
}

export async function readCursor(db: Db): Promise<number | null> {
  const [row] = await rows<{ outboxId: number }>(db, sql`select outbox_id as "outboxId" from matching_suggestions_cursor where id = 1`);
  return row ? Number(row.outboxId) : null;
}

export async function saveCursor(db: Db, outboxId: number): Promise<void> {
  await db.execute(
    sql`insert into matching_suggestions_cursor (id, outbox_id) values (1, ${outboxId}) on conflict (id) do update set outbox_id = excluded.outbox_id`,
  );
}

export async function lastOutboxId(db: Db): Promise<number> {
  const [row] = await rows<{ id: number | null }>(db, sql`select max(id)::int as id from search_outbox`);
  return row?.id ?? 0;
}

/**
 * Whether place p (lat, lng, département, how far its group travels) may be within reach of offer
 * r (its base, venue, travel radius, départements served): the geographic test of
 * offerCandidates, 20 % wider. Places or offers without coordinates may always meet.
 */
const reachable = sql`(r.lat is null or p.lat is null
  or (r.venue = 'dans-l-accueil' and (p.dept = any(r.departments_served) or (r.travel_km is null and cardinality(r.departments_served) = 0)
      or (abs(p.lat - r.lat) <= r.travel_km * 1.2 / 111.2 and abs(p.lng - r.lng) <= r.travel_km * 1.2 / (111.2 * greatest(0.2, cos(radians(p.lat)))))))
  or (r.venue <> 'dans-l-accueil' and abs(p.lat - r.lat) <= p.trip * 1.2 / 111.2
      and abs(p.lng - r.lng) <= p.trip * 1.2 / (111.2 * greatest(0.2, cos(radians(p.lat))))))`;

const stale = (at: Date) => sql`greatest(s.stale_since, ${at.toISOString()}::timestamptz)`;

const offerPlaces = (offerIds: number[]) => sql`(select o.id, o.organisation_id, o.venue, o.travel_km, o.departments_served,
    coalesce(o.lat, g.lat) as lat, coalesce(o.lng, g.lng) as lng
  from offers o join organisations g on g.id = o.organisation_id where o.id = any(${sql.param(offerIds)}::int[]))`;

/**
 * Marks stale the stored rows a change of these offers may affect: the ACM profiles and needs
 * within their reach, the rows listing one of them, and their partners'.
 */
export async function markOffersChanged(db: Db, offerIds: number[], at: Date): Promise<void> {
  if (offerIds.length === 0) return;
  await db.execute(
    sql`update matching_suggestions s set stale_since = ${stale(at)}
        where (
          (s.kind = 'acm' and s.subject_id in (
            select p.id from ${offerPlaces(offerIds)} r,
              (select a.id, a.lat, a.lng, c.department_code as dept, ${trip} as trip from organisations a left join communes c on c.code_insee = a.code_insee
               where a.kind = 'acm' and a.id in (select subject_id from matching_suggestions where kind = 'acm')) p
            where ${reachable}))
          or (s.kind = 'need' and s.subject_id in (
            select p.id from ${offerPlaces(offerIds)} r,
              (select n.id, n.lat, n.lng, n.department_code as dept, coalesce(n.max_travel_km, ${trip}) as trip from needs n where n.id in (select subject_id from matching_suggestions where kind = 'need')) p
            where ${reachable}))
          or (s.kind in ('acm', 'need') and exists (select 1 from unnest(${sql.param(offerIds)}::int[]) x where s.items @> jsonb_build_array(x)))
          or (s.kind = 'partner' and s.subject_id in (select organisation_id from offers where id = any(${sql.param(offerIds)}::int[])))
        )`,
  );
}

/** Marks stale the stored rows of these needs and of the partners whose published offers may reach them. */
export async function markNeedsChanged(db: Db, needIds: number[], at: Date): Promise<void> {
  if (needIds.length === 0) return;
  await db.execute(
    sql`update matching_suggestions s set stale_since = ${stale(at)}
        where (
          (s.kind = 'need' and s.subject_id = any(${sql.param(needIds)}::int[]))
          or (s.kind = 'partner' and s.subject_id in (
            select r.organisation_id
            from (select n.lat, n.lng, n.department_code as dept, coalesce(n.max_travel_km, ${trip}) as trip from needs n where n.id = any(${sql.param(needIds)}::int[])) p,
              (select o.organisation_id, o.venue, o.travel_km, o.departments_served, coalesce(o.lat, g.lat) as lat, coalesce(o.lng, g.lng) as lng
               from offers o join organisations g on g.id = o.organisation_id
               where o.status = 'published' and o.organisation_id in (select subject_id from matching_suggestions where kind = 'partner')) r
            where ${reachable}))
        )`,
  );
}

/**
 * Changed organisations: an ACM's profile row and what its needs reach (a suspension hides them);
 * a partner's row and what its offers reach (its place, status and verification count).
 */
export async function markOrganisationsChanged(db: Db, organisationIds: number[], at: Date): Promise<{ offers: number[]; needs: number[] }> {
  if (organisationIds.length === 0) return { offers: [], needs: [] };
  await db.execute(
    sql`update matching_suggestions s set stale_since = ${stale(at)}
        where kind in ('acm', 'partner') and subject_id = any(${sql.param(organisationIds)}::int[])`,
  );
  const offers = await rows<{ id: number }>(db, sql`select id from offers where organisation_id = any(${sql.param(organisationIds)}::int[])`);
  const needs = await rows<{ id: number }>(db, sql`select id from needs where acm_id = any(${sql.param(organisationIds)}::int[])`);
  return { offers: offers.map((r) => Number(r.id)), needs: needs.map((r) => Number(r.id)) };
}

/**
 * Subjects to compute, most urgent first: rows marked stale, rows computed before `computedBefore`, then the subjects of the dashboards without a row yet (member
 * ACMs, their open needs, member partners).
 */
export async function dueSubjects(db: Db, computedBefore: Date, limit: number): Promise<Subject[]> {
  const found = await rows<{ kind: SubjectKind; id: number }>(
    db,
    sql`(select kind, subject_id as id, 0 as rank, computed_at from matching_suggestions where stale_since > computed_at or computed_at < ${computedBefore.toISOString()}::timestamptz)
        union all
        (select 'acm', a.id, 1, null::timestamptz from organisations a
         where a.kind = 'acm' and a.status <> 'suspended' and exists (select 1 from memberships m where m.organisation_id = a.id)
           and not exists (select 1 from matching_suggestions s where s.kind = 'acm' and s.subject_id = a.id))
        union all
        (select 'need', n.id, 1, null::timestamptz from needs n
         where n.status = 'open' and exists (select 1 from memberships m where m.organisation_id = n.acm_id)
           and not exists (select 1 from matching_suggestions s where s.kind = 'need' and s.subject_id = n.id))
        union all
        (select 'partner', g.id, 1, null::timestamptz from organisations g
         where g.kind = 'partner' and g.status <> 'suspended' and exists (select 1 from memberships m where m.organisation_id = g.id)
           and not exists (select 1 from matching_suggestions s where s.kind = 'partner' and s.subject_id = g.id))
        order by rank, computed_at nulls last, kind, id
        limit ${limit}`,
  );
  return found.map((r) => ({ kind: r.kind, id: Number(r.id) }));
}
