import { and, eq, type SQL, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import { type Db, rows } from '../../db/client.js';
import { coordinationDigests } from '../../db/schema/index.js';
import type { ScopeKind } from '../kernel/scopes.js';
import { codeInseeInScope, organisationsInScope, type Scope } from '../territories/scopes.js';

export type { Scope, ScopeKind };

export interface Paging {
  limit: number;
  offset: number;
}

function pageOf(paging: Paging | null): SQL {
  return paging ? sql`limit ${paging.limit} offset ${paging.offset}` : sql``;
}

function ilike(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The name of a territory, or null when its code does not exist. */
export async function territoryName(db: Db, scope: Scope): Promise<string | null> {
  const table = { commune: 'communes', epci: 'epcis', department: 'departments', region: 'regions' }[scope.kind];
  const key = scope.kind === 'commune' ? 'code_insee' : 'code';
  const [row] = await rows<{ name: string }>(db, sql`select name from ${sql.raw(table)} where ${sql.raw(key)} = ${scope.code}`);
  return row?.name ?? null;
}

export async function listRegionsAndDepartments(db: Db) {
  const [regions, departments] = await Promise.all([
    rows<{ code: string; name: string }>(db, sql`select code, name from regions order by ${byFrenchName(sql`name`)}`),
    rows<{ code: string; name: string }>(db, sql`select code, name from departments order by code`),
  ]);
  return { regions, departments };
}

type Sort = { by: SQL; desc: boolean };
function orderBy(sort: Sort, tieBreak: SQL): SQL {
  return sql`order by ${sort.by} ${sql.raw(sort.desc ? 'desc nulls last' : 'asc nulls last')}, ${tieBreak}`;
}

async function paged<T>(db: Db, base: SQL, sort: Sort, tieBreak: SQL, paging: Paging | null): Promise<{ rows: T[]; total: number }> {
  const [list, [count]] = await Promise.all([
    rows<T>(db, sql`select * from (${base}) t ${orderBy(sort, tieBreak)} ${pageOf(paging)}`),
    rows<{ total: number }>(db, sql`select count(*)::int as total from (${base}) t`),
  ]);
  return { rows: list, total: count?.total ?? 0 };
}

// ——— ACMs ———

interface AcmRow {
  id: number;
  slug: string;
  name: string;
  commune: string | null;
  label: boolean | null;
  pedt: boolean | null;
  capacity: number | null;
  active: number;
  last_activity: string;
}
export const acmSorts = { name: 'name', commune: 'commune', capacity: 'capacity', active: 'active', activity: 'last_activity' } as const;
interface AcmFilter {
  q?: string;
  label?: boolean;
  pedt?: boolean;
}

export function listAcms(db: Db, scope: Scope, filter: AcmFilter, sort: { key: keyof typeof acmSorts; desc: boolean }, paging: Paging | null) {
  const conditions = [sql`o.kind = 'acm'`, sql`o.status <> 'suspended'`, codeInseeInScope(scope, sql`o.code_insee`)];
  if (filter.q) conditions.push(sql`(unaccent(o.name) ilike unaccent(${ilike(filter.q)}) or unaccent(c.name) ilike unaccent(${ilike(filter.q)}))`);
  if (filter.label !== undefined) conditions.push(filter.label ? sql`o.plan_mercredi_label` : sql`not coalesce(o.plan_mercredi_label, false)`);
  if (filter.pedt !== undefined) conditions.push(filter.pedt ? sql`o.pedt` : sql`not coalesce(o.pedt, false)`);
  const base = sql`select o.id, o.slug, o.name, c.name as commune, o.plan_mercredi_label as label, o.pedt, o.capacity,
      (select count(*)::int from partnerships p where p.acm_id = o.id and p.status = 'active') as active,
      to_char(greatest(o.updated_at,
        (select max(r.last_activity_at) from requests r where r.acm_id = o.id),
        (select max(p.updated_at) from partnerships p where p.acm_id = o.id),
        (select max(n.updated_at) from needs n where n.acm_id = o.id)) at time zone 'Europe/Paris', 'YYYY-MM-DD') as last_activity
    from organisations o left join communes c on c.code_insee = o.code_insee
    where ${sql.join(conditions, sql` and `)}`;
  return paged<AcmRow>(db, base, { by: sql.raw(acmSorts[sort.key]), desc: sort.desc }, sql`id`, paging);
}

// ——— Partners ———

interface PartnerRow {
  id: number;
  slug: string;
  name: string;
  commune: string | null;
  type: string | null;
  offers: number;
  considered: number;
  answered: number;
  rate: number | null;
  median_hours: number | null;
  partnerships: number;
  status: 'unverified' | 'verified';
  created: string;
}
export const partnerSorts = {
  created: 'created_at',
  name: 'name',
  commune: 'commune',
  offers: 'offers',
  rate: 'rate',
  reply: 'median_hours',
  partnerships: 'partnerships',
} as const;
interface PartnerFilter {
  q?: string;
  type?: string;
  withOffers?: boolean;
  status?: 'unverified' | 'verified';
  createdSince?: Date;
}

/**
 * Partners based in the scope. Response figures follow the rule of the partner pages: requests
 * received over the last 12 months, neither still waiting nor withdrawn before an answer.
 */
export function listPartners(
  db: Db,
  scope: Scope,
  filter: PartnerFilter,
  sort: { key: keyof typeof partnerSorts; desc: boolean },
  paging: Paging | null,
  now: Date,
) {
  const since = new Date(now.getTime() - 365 * 86_400_000);
  const conditions = [sql`o.kind = 'partner'`, sql`o.status <> 'suspended'`, codeInseeInScope(scope, sql`o.code_insee`)];
  if (filter.q) conditions.push(sql`(unaccent(o.name) ilike unaccent(${ilike(filter.q)}) or unaccent(c.name) ilike unaccent(${ilike(filter.q)}))`);
  if (filter.type) conditions.push(sql`o.type = ${filter.type}`);
  if (filter.status) conditions.push(sql`o.status = ${filter.status}`);
  if (filter.createdSince) conditions.push(sql`o.created_at >= ${filter.createdSince.toISOString()}::timestamptz`);
  if (filter.withOffers !== undefined) {
    const exists = sql`exists (select 1 from offers f where f.organisation_id = o.id and f.status = 'published')`;
    conditions.push(filter.withOffers ? exists : sql`not ${exists}`);
  }
  const counted = sql`r.partner_id = o.id and r.direction = 'acm_to_partner' and r.created_at >= ${since.toISOString()}::timestamptz
    and not (r.status = 'sent' or (r.status = 'withdrawn' and r.first_reply_at is null))`;
  const base = sql`select *, case when considered > 0 then round(100.0 * answered / considered)::int end as rate from (
    select o.id, o.slug, o.name, c.name as commune, o.type, o.status, o.created_at,
      to_char(o.created_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as created,
      (select count(*)::int from offers f where f.organisation_id = o.id and f.status = 'published') as offers,
      (select count(*)::int from requests r where ${counted}) as considered,
      (select count(*)::int from requests r where ${counted} and r.first_reply_at is not null) as answered,
      (select (percentile_cont(0.5) within group (order by extract(epoch from r.first_reply_at - r.created_at)) / 3600)::float8
        from requests r where ${counted} and r.first_reply_at is not null) as median_hours,
      (select count(*)::int from partnerships p where p.partner_id = o.id) as partnerships
    from organisations o left join communes c on c.code_insee = o.code_insee
    where ${sql.join(conditions, sql` and `)}) partners`;
  return paged<PartnerRow>(db, base, { by: sql.raw(partnerSorts[sort.key]), desc: sort.desc }, sql`id`, paging);
}

// ——— Partnerships ———

/** Days without activity after which a partnership that is not closed counts as stalled. */
export const STALLED_DAYS = 30;

/**
 * The last time anything happened in a partnership: the partnership itself, a party's part, the
 * convention and its signatures, a session, a meeting or a bilan.
 */
const partnershipActivity = sql`greatest(p.updated_at,
    (select max(pp.updated_at) from partnership_parties pp where pp.partnership_id = p.id),
    (select pc.updated_at from partnership_conventions pc where pc.partnership_id = p.id),
    (select max(cs.signed_at) from convention_signatures cs where cs.partnership_id = p.id),
    (select max(s.updated_at) from partnership_sessions s where s.partnership_id = p.id),
    (select max(m.updated_at) from partnership_meetings m where m.partnership_id = p.id),
    (select max(pr.updated_at) from partnership_reviews pr where pr.partnership_id = p.id))`;

const parties = sql`a.id as acm_id, a.slug as acm_slug, o.id as partner_id, o.slug as partner_slug`;

/** The two organisations of a row, for links to their pages. */
interface RowParties {
  acm_id: number;
  acm_slug: string;
  partner_id: number;
  partner_slug: string;
}

export interface PartnershipRow extends RowParties {
  id: number;
  title: string;
  acm: string;
  partner: string;
  school_year: string;
  status: 'draft' | 'awaiting_confirmation' | 'active' | 'closed';
  prescribed: boolean;
  updated: string;
  last_activity: string;
}
export const partnershipSorts = {
  title: 'title',
  acm: 'acm',
  partner: 'partner',
  year: 'school_year',
  updated: 'updated_at',
  activity: 'activity_at',
} as const;
interface PartnershipFilter {
  q?: string;
  status?: string;
  year?: string;
  /** Not closed and without activity for STALLED_DAYS days before this instant. */
  stalledAt?: Date;
}

/** Every partnership whose ACM lies in the scope, whoever started it. */
export function listPartnerships(
  db: Db,
  scope: Scope,
  filter: PartnershipFilter,
  sort: { key: keyof typeof partnershipSorts; desc: boolean },
  paging: Paging | null,
) {
  const conditions = [codeInseeInScope(scope, sql`a.code_insee`)];
  if (filter.q) {
    const like = ilike(filter.q);
    conditions.push(sql`(unaccent(p.title) ilike unaccent(${like}) or unaccent(a.name) ilike unaccent(${like}) or unaccent(o.name) ilike unaccent(${like}))`);
  }
  if (filter.status) conditions.push(sql`p.status = ${filter.status}`);
  if (filter.year) conditions.push(sql`p.school_year = ${filter.year}`);
  if (filter.stalledAt) {
    const before = new Date(filter.stalledAt.getTime() - STALLED_DAYS * 86_400_000);
    conditions.push(sql`p.status <> 'closed' and ${partnershipActivity} < ${before.toISOString()}::timestamptz`);
  }
  const base = sql`select p.id, p.title, a.name as acm, o.name as partner, ${parties}, p.school_year, p.status, p.prescribed_by is not null as prescribed,
      p.updated_at, to_char(p.updated_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as updated,
      ${partnershipActivity} as activity_at, to_char(${partnershipActivity} at time zone 'Europe/Paris', 'YYYY-MM-DD') as last_activity
    from partnerships p join organisations a on a.id = p.acm_id join organisations o on o.id = p.partner_id
    where ${sql.join(conditions, sql` and `)}`;
  return paged<PartnershipRow>(db, base, { by: sql.raw(partnershipSorts[sort.key]), desc: sort.desc }, sql`id desc`, paging);
}

export async function schoolYearsOf(db: Db, scope: Scope): Promise<string[]> {
  const list = await rows<{ year: string }>(
    db,
    sql`select distinct p.school_year as year from partnerships p join organisations a on a.id = p.acm_id where ${codeInseeInScope(scope, sql`a.code_insee`)} order by 1 desc`,
  );
  return list.map((r) => r.year);
}

// ——— Requests ———

export interface RequestRow extends RowParties {
  id: number;
  sent: string;
  acm: string;
  partner: string;
  subject: string | null;
  direction: 'acm_to_partner' | 'partner_to_acm';
  status: 'sent' | 'in_discussion' | 'accepted' | 'declined' | 'withdrawn' | 'expired';
  reply_hours: number | null;
  last_activity: string;
  overdue: boolean;
}
export const requestSorts = { sent: 'created_at', acm: 'acm', partner: 'partner', reply: 'reply_hours', activity: 'last_activity_at' } as const;
interface RequestFilter {
  q?: string;
  statuses?: readonly string[];
  overdue?: boolean;
}

/** Waiting for a first answer past half of the time it has before expiring. */
function overdueAt(now: Date): SQL {
  return sql`(r.status = 'sent' and r.first_reply_at is null and r.expires_at is not null and ${now.toISOString()}::timestamptz > r.created_at + (r.expires_at - r.created_at) / 2)`;
}

/** Requests that involve an ACM of the scope, in both directions. */
export function listRequests(
  db: Db,
  scope: Scope,
  filter: RequestFilter,
  sort: { key: keyof typeof requestSorts; desc: boolean },
  paging: Paging | null,
  now: Date,
) {
  const overdue = overdueAt(now);
  const conditions = [codeInseeInScope(scope, sql`a.code_insee`)];
  if (filter.q) {
    const like = ilike(filter.q);
    conditions.push(
      sql`(unaccent(a.name) ilike unaccent(${like}) or unaccent(o.name) ilike unaccent(${like}) or unaccent(coalesce(f.title, n.title, '')) ilike unaccent(${like}))`,
    );
  }
  if (filter.statuses?.length)
    conditions.push(
      sql`r.status in (${sql.join(
        filter.statuses.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  if (filter.overdue) conditions.push(overdue);
  const base = sql`select r.id, to_char(r.created_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as sent, r.created_at, r.last_activity_at,
      a.name as acm, o.name as partner, ${parties}, coalesce(f.title, n.title) as subject, r.direction, r.status,
      (extract(epoch from r.first_reply_at - r.created_at) / 3600)::float8 as reply_hours,
      to_char(r.last_activity_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as last_activity, ${overdue} as overdue
    from requests r join organisations a on a.id = r.acm_id join organisations o on o.id = r.partner_id
      left join offers f on f.id = r.offer_id left join needs n on n.id = r.need_id
    where ${sql.join(conditions, sql` and `)}`;
  return paged<RequestRow>(db, base, { by: sql.raw(requestSorts[sort.key]), desc: sort.desc }, sql`id desc`, paging);
}

// ——— Needs ———

export interface NeedRow {
  id: number;
  title: string;
  acm: string;
  acm_id: number;
  acm_slug: string;
  commune: string | null;
  themes: string[];
  age_min: number;
  age_max: number;
  status: 'open' | 'fulfilled' | 'closed';
  posted: string;
  days_open: number;
  answers: number;
  prescriptions: number;
}
export const needSorts = { posted: 'created_at', title: 'title', acm: 'acm', answers: 'answers' } as const;
interface NeedFilter {
  q?: string;
  status?: string;
  theme?: string;
  unanswered?: boolean;
}

/** Needs of the ACMs of the scope; "unanswered" is open for more than 21 days with neither an answer nor a prescription. */
export function listNeeds(
  db: Db,
  scope: Scope,
  filter: NeedFilter,
  sort: { key: keyof typeof needSorts; desc: boolean },
  paging: Paging | null,
  today: string,
) {
  const conditions = [codeInseeInScope(scope, sql`a.code_insee`)];
  if (filter.q) {
    const like = ilike(filter.q);
    conditions.push(sql`(unaccent(n.title) ilike unaccent(${like}) or unaccent(a.name) ilike unaccent(${like}))`);
  }
  if (filter.status) conditions.push(sql`n.status = ${filter.status}`);
  if (filter.theme) conditions.push(sql`${filter.theme} = any(n.themes)`);
  const answers = sql`(select count(*)::int from requests r where r.need_id = n.id)`;
  const prescriptions = sql`(select count(*)::int from partnerships p where p.need_id = n.id)`;
  if (filter.unanswered) conditions.push(sql`n.status = 'open' and n.created_at < ${today}::date - 21 and ${answers} = 0 and ${prescriptions} = 0`);
  const base = sql`select n.id, n.title, a.name as acm, a.id as acm_id, a.slug as acm_slug, c.name as commune, n.themes, n.age_min, n.age_max, n.status, n.created_at,
      to_char(n.created_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as posted,
      (${today}::date - (n.created_at at time zone 'Europe/Paris')::date)::int as days_open, ${answers} as answers, ${prescriptions} as prescriptions
    from needs n join organisations a on a.id = n.acm_id left join communes c on c.code_insee = a.code_insee
    where ${sql.join(conditions, sql` and `)}`;
  return paged<NeedRow>(db, base, { by: sql.raw(needSorts[sort.key]), desc: sort.desc }, sql`id desc`, paging);
}

// ——— Summary and funnel ———

interface ScopeSummary {
  acms: number;
  partners: number;
  active_partnerships: number;
  open_requests: number;
  open_needs: number;
}

export async function scopeSummary(db: Db, scope: Scope): Promise<ScopeSummary> {
  // The scope's organisations are found once for the five counts (each read the whole table before).
  const [row] = await rows<ScopeSummary>(
    db,
    sql`with scoped as materialized (${organisationsInScope(scope)})
      select
      (select count(*)::int from scoped o where o.kind = 'acm' and o.status <> 'suspended') as acms,
      (select count(*)::int from scoped o where o.kind = 'partner' and o.status <> 'suspended') as partners,
      (select count(*)::int from partnerships p join scoped a on a.id = p.acm_id where p.status = 'active') as active_partnerships,
      (select count(*)::int from requests r join scoped a on a.id = r.acm_id where r.status in ('sent', 'in_discussion')) as open_requests,
      (select count(*)::int from needs n join scoped a on a.id = n.acm_id where n.status = 'open') as open_needs`,
  );
  return row!;
}

export interface FunnelCounts {
  sent: number;
  answered: number;
  accepted: number;
  signed: number;
  first_session: number;
  reviewed: number;
}

/**
 * The cohort of the funnel: the requests of the scope's ACMs sent since a date, each followed
 * through the partnership it became (the one that went furthest), with the instant of each step.
 * Every step counts a subset of the one before.
 */
function funnelCohort(scope: Scope, since: Date): SQL {
  const signed = sql`(exists (select 1 from partnership_conventions pc where pc.partnership_id = p.id and pc.status = 'signed')
    or (p.formalisation = 'minutes' and (select count(*) from partnership_parties pp where pp.partnership_id = p.id and pp.minutes_approved_at is not null) = 2))`;
  // The convention's first signed version was complete at its last signature; the minutes at the second approval.
  const signedAt = sql`case when exists (select 1 from partnership_conventions pc where pc.partnership_id = p.id and pc.status = 'signed')
    then coalesce(
      (select max(cs.signed_at) from convention_signatures cs where cs.partnership_id = p.id
        and cs.version = (select min(v.version) from convention_signatures v where v.partnership_id = p.id)),
      (select pc.updated_at from partnership_conventions pc where pc.partnership_id = p.id))
    else (select max(pp.minutes_approved_at) from partnership_parties pp where pp.partnership_id = p.id) end`;
  const heldAt = sql`(select min((s.date::timestamp + coalesce(nullif(s.start_time, ''), '00:00')::time) at time zone 'Europe/Paris')
    from partnership_sessions s where s.partnership_id = p.id and s.status = 'held')`;
  const reviewed = sql`(select count(distinct pr.side) from partnership_reviews pr where pr.partnership_id = p.id and pr.submitted_at is not null) = 2`;
  const reviewedAt = sql`(select max(pr.submitted_at) from partnership_reviews pr where pr.partnership_id = p.id and pr.submitted_at is not null)`;
  return sql`select r.id, to_char(r.created_at at time zone 'Europe/Paris', 'YYYY-MM') as month,
      coalesce(f.themes, n.themes, '{}'::text[]) as themes,
      r.created_at as sent_at, r.first_reply_at as answered_at,
      r.first_reply_at is not null as answered, r.status = 'accepted' as accepted,
      case when r.status = 'accepted' then coalesce(
        (select min(e.created_at) from request_events e where e.request_id = r.id and e.to_status = 'accepted'), w.created_at) end as accepted_at,
      coalesce(w.signed, false) as signed, w.signed_at,
      coalesce(w.signed and w.held_at is not null, false) as first_session, w.held_at,
      coalesce(w.signed and w.held_at is not null and w.reviewed, false) as reviewed, w.reviewed_at
    from requests r join organisations a on a.id = r.acm_id
      left join offers f on f.id = r.offer_id left join needs n on n.id = r.need_id
      left join lateral (
        select x.* from (
          select p.id, p.created_at, ${signed} as signed, ${signedAt} as signed_at, ${heldAt} as held_at, ${reviewed} as reviewed, ${reviewedAt} as reviewed_at
          from partnerships p where p.request_id = r.id) x
        order by x.signed::int + (x.signed and x.held_at is not null)::int + (x.signed and x.held_at is not null and x.reviewed)::int desc, x.id
        limit 1) w on true
    where r.created_at >= ${since.toISOString()}::timestamptz and ${codeInseeInScope(scope, sql`a.code_insee`)}`;
}

const countColumns = sql`count(*)::int as sent,
    count(*) filter (where answered)::int as answered,
    count(*) filter (where accepted)::int as accepted,
    count(*) filter (where signed)::int as signed,
    count(*) filter (where first_session)::int as first_session,
    count(*) filter (where reviewed)::int as reviewed`;

/** The counts of each step of the funnel (see funnelCohort). */
export async function funnelCounts(db: Db, scope: Scope, since: Date): Promise<FunnelCounts> {
  const [row] = await rows<FunnelCounts>(db, sql`select ${countColumns} from (${funnelCohort(scope, since)}) c`);
  return row!;
}

/** The time from one step to the next, in days (never below 0), for the requests that reached the next. */
const funnelDelays = {
  answered: { from: 'sent_at', to: 'answered_at', reached: 'answered' },
  accepted: { from: 'answered_at', to: 'accepted_at', reached: 'accepted' },
  signed: { from: 'accepted_at', to: 'signed_at', reached: 'signed' },
  first_session: { from: 'signed_at', to: 'held_at', reached: 'first_session' },
  reviewed: { from: 'held_at', to: 'reviewed_at', reached: 'reviewed' },
} as const;
export type FunnelDelayKey = keyof typeof funnelDelays;

export interface FunnelGroupRow extends FunnelCounts {
  /** 'all' (the whole cohort), 'month' ("2026-03") or 'theme' (a theme slug, '' for none). */
  grouping: 'all' | 'month' | 'theme';
  key: string;
  medians: Record<FunnelDelayKey, number | null>;
  measured: Record<FunnelDelayKey, number>;
}

/**
 * The funnel of the whole cohort, of each month of request and of each theme (a request counts
 * under each theme of its offer or need), with the median delay between consecutive steps.
 */
export async function funnelGroups(db: Db, scope: Scope, since: Date): Promise<FunnelGroupRow[]> {
  const delayColumns = sql.join(
    Object.entries(funnelDelays).map(([key, d]) => {
      const days = sql`greatest(0, extract(epoch from ${sql.raw(d.to)} - ${sql.raw(d.from)}) / 86400)`;
      const measured = sql`${sql.raw(d.reached)} and ${sql.raw(d.to)} is not null and ${sql.raw(d.from)} is not null`;
      return sql`(percentile_cont(0.5) within group (order by ${days}) filter (where ${measured}))::float8 as ${sql.raw(`m_${key}`)},
        count(*) filter (where ${measured})::int as ${sql.raw(`n_${key}`)}`;
    }),
    sql`, `,
  );
  const list = await rows<FunnelCounts & { grouping: FunnelGroupRow['grouping']; key: string } & Record<string, number | null>>(
    db,
    sql`with cohort as (${funnelCohort(scope, since)})
      select 'all' as grouping, '' as key, ${countColumns}, ${delayColumns} from cohort
      union all
      select 'month', month, ${countColumns}, ${delayColumns} from cohort group by month
      union all
      select 'theme', theme, ${countColumns}, ${delayColumns}
        from cohort cross join lateral unnest(case when cardinality(themes) = 0 then array['']::text[] else themes end) t(theme) group by theme`,
  );
  return list.map((r) => {
    const medians = {} as Record<FunnelDelayKey, number | null>;
    const measured = {} as Record<FunnelDelayKey, number>;
    for (const key of Object.keys(funnelDelays) as FunnelDelayKey[]) {
      medians[key] = (r[`m_${key}`] as number | null) ?? null;
      measured[key] = (r[`n_${key}`] as number) ?? 0;
    }
    return {
      grouping: r.grouping,
      key: r.key,
      sent: r.sent,
      answered: r.answered,
      accepted: r.accepted,
      signed: r.signed,
      first_session: r.first_session,
      reviewed: r.reviewed,
      medians,
      measured,
    };
  });
}

// ——— Weekly digest bookkeeping ———

export interface DigestRecipient {
  user_id: number;
  email: string;
  name: string;
  scope: ScopeKind;
  code: string;
}

/**
 * The coordinator scopes whose digest of `week` is still to prepare: a confirmed, active account
 * that did not turn the digest off, and no digest prepared for that week yet.
 */
export function digestRecipients(db: Db, week: string, limit = 500): Promise<DigestRecipient[]> {
  return rows<DigestRecipient>(
    db,
    sql`select cs.user_id, u.email, u.name, cs.scope, cs.code
      from coordinator_scopes cs join users u on u.id = cs.user_id
        left join coordination_digests d on d.user_id = cs.user_id and d.scope = cs.scope and d.code = cs.code
      where u.suspended_at is null and u.email_verified_at is not null
        and d.unsubscribed_at is null and d.last_week is distinct from ${week}
      order by cs.user_id, cs.scope, cs.code
      limit ${limit}`,
  );
}

/**
 * Marks the digest of `week` prepared for a scope; false when it already was (another run got
 * there first), so that the caller queues nothing. Call it in the transaction that queues the email.
 */
export async function claimDigestWeek(db: Db, userId: number, scope: Scope, week: string, sentAt: Date | null): Promise<boolean> {
  const claimed = await rows<{ user_id: number }>(
    db,
    sql`insert into coordination_digests (user_id, scope, code, last_week, last_sent_at)
      values (${userId}, ${scope.kind}, ${scope.code}, ${week}, ${sentAt?.toISOString() ?? null}::timestamptz)
      on conflict (user_id, scope, code) do update set last_week = excluded.last_week,
        last_sent_at = coalesce(excluded.last_sent_at, coordination_digests.last_sent_at)
      where coordination_digests.last_week is distinct from excluded.last_week and coordination_digests.unsubscribed_at is null
      returning user_id`,
  );
  return claimed.length > 0;
}

/** Whether the coordinator receives the weekly digest of a scope (on unless turned off). */
export async function digestSubscribed(db: Db, userId: number, scope: Scope): Promise<boolean> {
  const [row] = await db
    .select({ unsubscribedAt: coordinationDigests.unsubscribedAt })
    .from(coordinationDigests)
    .where(and(eq(coordinationDigests.userId, userId), eq(coordinationDigests.scope, scope.kind), eq(coordinationDigests.code, scope.code)));
  return !row?.unsubscribedAt;
}

/** Turns the weekly digest of a scope off (at `now`) or on again; false when the user is not appointed to it. */
export async function setDigestSubscription(db: Db, userId: number, scope: Scope, off: Date | null): Promise<boolean> {
  const changed = await rows<{ user_id: number }>(
    db,
    sql`insert into coordination_digests (user_id, scope, code, unsubscribed_at)
      select cs.user_id, cs.scope, cs.code, ${off?.toISOString() ?? null}::timestamptz from coordinator_scopes cs
      where cs.user_id = ${userId} and cs.scope = ${scope.kind} and cs.code = ${scope.code}
      on conflict (user_id, scope, code) do update set unsubscribed_at = excluded.unsubscribed_at
      returning user_id`,
  );
  return changed.length > 0;
}
