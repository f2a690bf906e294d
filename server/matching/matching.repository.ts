import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { offerReachBox } from '../../db/schema/offers.js';

/** Cheap SQL prefilters of the matching: status, ages, bounding boxes. The exact rules run in score.ts. */

interface Box {
  south: number;
  north: number;
  west: number;
  east: number;
}

/** A box around a point, `km` wide each way, 10 % wider for the flat-earth approximation. */
export function boxAround(point: { lat: number; lng: number }, km: number): Box {
  const dLat = (km * 1.1) / 111.2;
  const dLng = (km * 1.1) / (111.2 * Math.max(0.2, Math.cos((point.lat * Math.PI) / 180)));
  return { south: point.lat - dLat, north: point.lat + dLat, west: point.lng - dLng, east: point.lng + dLng };
}

export function unionBox(boxes: Box[]): Box | null {
  if (boxes.length === 0) return null;
  return {
    south: Math.min(...boxes.map((b) => b.south)),
    north: Math.max(...boxes.map((b) => b.north)),
    west: Math.min(...boxes.map((b) => b.west)),
    east: Math.max(...boxes.map((b) => b.east)),
  };
}

export interface OfferCandidate {
  id: number;
  slug: string;
  title: string;
  summary: string;
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  venue: 'dans-l-accueil' | 'chez-le-partenaire' | 'autre-lieu';
  travelKm: number | null;
  departmentsServed: string[];
  lat: number | null;
  lng: number | null;
  groupMin: number | null;
  groupMax: number | null;
  slots: string[];
  startDate: string | null;
  endDate: string | null;
  price: 'gratuit' | 'payant' | 'sur-devis';
  priceEur: string | null;
  accessibility: string[];
  partnerId: number;
  partnerName: string;
  partnerSlug: string;
  partnerStatus: 'unverified' | 'verified' | 'suspended';
  partnerLat: number | null;
  partnerLng: number | null;
  communeName: string | null;
}

const offerColumns = sql`o.id, o.slug, o.title, o.summary, o.themes, o.subthemes, o.age_min as "ageMin", o.age_max as "ageMax", o.venue,
  o.travel_km as "travelKm", o.departments_served as "departmentsServed", o.lat, o.lng, o.group_min as "groupMin", o.group_max as "groupMax",
  o.slots, o.start_date::text as "startDate", o.end_date::text as "endDate", o.price, o.price_eur::text as "priceEur", o.accessibility,
  g.id as "partnerId", g.name as "partnerName", g.slug as "partnerSlug", g.status as "partnerStatus", g.lat as "partnerLat", g.lng as "partnerLng",
  c.name as "communeName"`;

/**
 * Published offers that may suit a place and an age range: the partner comes there (its travel
 * radius as a box around its base, or the département served), or the activity is within
 * `tripKm` (as a box). Offers without coordinates are kept (the scorer says "unknown"). With
 * `themes`, only offers of one of these themes or `subthemes` (the others never reach the
 * suggestion threshold). The rows are first gathered through the matching indexes (offers of
 * db/schema/offers.ts: a superset of the rows the conditions keep), then tested exactly.
 */
export async function offerCandidates(
  db: Db,
  wish: { ageMin: number; ageMax: number; location: { lat: number; lng: number } | null; departmentCode: string | null; tripKm: number },
  options: { today: string; excludeOfferIds?: number[]; limit?: number; themes?: { themes: string[]; subthemes: string[] } },
): Promise<OfferCandidate[]> {
  let geo: SQL = sql`true`;
  let gathered: SQL | null = null;
  const themes = options.themes
    ? sql`and (o.themes && ${sql.param(options.themes.themes)}::text[] or o.subthemes && ${sql.param(options.themes.subthemes)}::text[])`
    : sql``;
  // Tested in each branch too, so that only fitting offers are read again by primary key.
  const fits = sql`o.status = 'published' and o.age_min <= ${wish.ageMax} and o.age_max >= ${wish.ageMin} ${themes}`;
  if (wish.location) {
    const { lat, lng } = wish.location;
    const cos = Math.max(0.2, Math.cos((lat * Math.PI) / 180));
    const box = boxAround(wish.location, wish.tripKm);
    const baseLat = sql`coalesce(o.lat, g.lat)`;
    const baseLng = sql`coalesce(o.lng, g.lng)`;
    geo = sql`(
      (o.venue = 'dans-l-accueil' and (
        ${wish.departmentCode ?? ''} = any(o.departments_served)
        or ${baseLat} is null
        or (o.travel_km is null and cardinality(o.departments_served) = 0)
        or (abs(${baseLat} - ${lat}) <= o.travel_km * 1.1 / 111.2 and abs(${baseLng} - ${lng}) <= o.travel_km * 1.1 / (111.2 * ${cos}))
      ))
      or (o.venue <> 'dans-l-accueil' and (${baseLat} is null or (${baseLat} between ${box.south} and ${box.north} and ${baseLng} between ${box.west} and ${box.east})))
    )`;
    const at = sql`${sql.param(lng)}::float8, ${sql.param(lat)}::float8`;
    gathered = sql`(
      select o.id from offers o where ${fits} and o.venue <> 'dans-l-accueil' and o.lat is not null and o.lng is not null
        and point(o.lng, o.lat) <@ box(point(${sql.param(box.west)}::float8, ${sql.param(box.south)}::float8), point(${sql.param(box.east)}::float8, ${sql.param(box.north)}::float8))
      union
      select o.id from offers o where ${fits} and o.venue = 'dans-l-accueil' and o.travel_km is not null and o.lat is not null and o.lng is not null
        and ${offerReachBox(sql.raw('o.'))} @> box(point(${at}), point(${at}))
      union
      select o.id from offers o where ${fits} and o.venue = 'dans-l-accueil' and o.departments_served @> array[${wish.departmentCode ?? ''}::text]
      union
      select o.id from offers o where ${fits} and (o.lat is null or o.lng is null or (o.venue = 'dans-l-accueil' and o.travel_km is null))
    )`;
  }
  const exclude = options.excludeOfferIds?.length ? sql`and o.id <> all(${sql.param(options.excludeOfferIds)}::int[])` : sql``;
  // An array of ids: the offers are then read by primary key, never scanned.
  const gatheredOnly = gathered ? sql`and o.id = any(array(${gathered}))` : sql``;
  return rows<OfferCandidate>(
    db,
    sql`select ${offerColumns}
        from offers o
        join organisations g on g.id = o.organisation_id
        left join communes c on c.code_insee = o.code_insee
        where o.status = 'published' and g.status <> 'suspended'
          and o.age_min <= ${wish.ageMax} and o.age_max >= ${wish.ageMin}
          and (o.end_date is null or o.end_date >= ${options.today}::date)
          and ${geo} ${themes} ${exclude} ${gatheredOnly}
        order by o.id
        limit ${options.limit ?? 3000}`,
  );
}

/** A partner's published offers (the "besoins près de chez vous" side). */
export async function publishedOffersOf(db: Db, partnerIds: number[]): Promise<OfferCandidate[]> {
  if (partnerIds.length === 0) return [];
  return rows<OfferCandidate>(
    db,
    sql`select ${offerColumns}
        from offers o
        join organisations g on g.id = o.organisation_id
        left join communes c on c.code_insee = o.code_insee
        where o.organisation_id = any(${sql.param(partnerIds)}::int[]) and o.status = 'published' and g.status <> 'suspended'
        order by o.id`,
  );
}

export async function offerCandidateById(db: Db, offerId: number): Promise<OfferCandidate | null> {
  const [row] = await rows<OfferCandidate>(
    db,
    sql`select ${offerColumns}
        from offers o
        join organisations g on g.id = o.organisation_id
        left join communes c on c.code_insee = o.code_insee
        where o.id = ${offerId}`,
  );
  return row ?? null;
}

export interface NeedCandidate {
  id: number;
  acmId: number;
  title: string;
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  groupSize: number | null;
  slots: string[];
  startDate: string | null;
  endDate: string | null;
  budgetEur: string | null;
  venuePreference: string[];
  maxTravelKm: number | null;
  accessibilityRequired: string[];
  lat: number | null;
  lng: number | null;
  departmentCode: string | null;
  createdAt: Date | string;
  acmName: string;
  acmSlug: string;
  communeName: string | null;
}

const needColumns = sql`n.id, n.acm_id as "acmId", n.title, n.themes, n.subthemes, n.age_min as "ageMin", n.age_max as "ageMax", n.group_size as "groupSize",
  n.slots, n.start_date::text as "startDate", n.end_date::text as "endDate", n.budget_eur::text as "budgetEur", n.venue_preference as "venuePreference",
  n.max_travel_km as "maxTravelKm", n.accessibility_required as "accessibilityRequired", n.lat, n.lng, n.department_code as "departmentCode",
  n.created_at as "createdAt", a.name as "acmName", a.slug as "acmSlug", c.name as "communeName"`;

/** Open needs in a box or in some départements, for ages that overlap a range. */
export async function needCandidates(
  db: Db,
  area: { box: Box | null; departments: string[]; ageMin: number; ageMax: number },
  options: { today: string; limit?: number },
): Promise<NeedCandidate[]> {
  const inBox = area.box ? sql`(n.lat between ${area.box.south} and ${area.box.north} and n.lng between ${area.box.west} and ${area.box.east})` : sql`false`;
  const inDepartments = area.departments.length ? sql`n.department_code = any(${sql.param(area.departments)}::text[])` : sql`false`;
  return rows<NeedCandidate>(
    db,
    sql`select ${needColumns}
        from needs n
        join organisations a on a.id = n.acm_id
        left join communes c on c.code_insee = n.code_insee
        where n.status = 'open' and a.status <> 'suspended'
          and n.age_min <= ${area.ageMax} and n.age_max >= ${area.ageMin}
          and (n.end_date is null or n.end_date >= ${options.today}::date)
          and (${inBox} or ${inDepartments} or n.lat is null)
        order by n.created_at desc
        limit ${options.limit ?? 2000}`,
  );
}

export interface AcmCandidate {
  id: number;
  name: string;
  slug: string;
  themes: string[];
  ageMin: number | null;
  ageMax: number | null;
  capacity: number | null;
  lat: number | null;
  lng: number | null;
  departmentCode: string | null;
  communeName: string | null;
}

/** ACMs (not suspended) in a box or in some départements. */
export async function acmCandidates(db: Db, area: { box: Box | null; departments: string[] }, limit = 2000): Promise<AcmCandidate[]> {
  const inBox = area.box ? sql`(a.lat between ${area.box.south} and ${area.box.north} and a.lng between ${area.box.west} and ${area.box.east})` : sql`false`;
  const inDepartments = area.departments.length ? sql`c.department_code = any(${sql.param(area.departments)}::text[])` : sql`false`;
  return rows<AcmCandidate>(
    db,
    sql`select a.id, a.name, a.slug, a.themes, a.age_min as "ageMin", a.age_max as "ageMax", a.capacity, a.lat, a.lng,
          c.department_code as "departmentCode", c.name as "communeName"
        from organisations a
        left join communes c on c.code_insee = a.code_insee
        where a.kind = 'acm' and a.status <> 'suspended' and (${inBox} or ${inDepartments})
        order by a.id
        limit ${limit}`,
  );
}

export async function acmProfile(db: Db, acmId: number): Promise<AcmCandidate | null> {
  const [row] = await rows<AcmCandidate>(
    db,
    sql`select a.id, a.name, a.slug, a.themes, a.age_min as "ageMin", a.age_max as "ageMax", a.capacity, a.lat, a.lng,
          c.department_code as "departmentCode", c.name as "communeName"
        from organisations a
        left join communes c on c.code_insee = a.code_insee
        where a.id = ${acmId} and a.kind = 'acm'`,
  );
  return row ?? null;
}

/** Open needs of some ACMs (whole rows for the scorer). */
export async function openNeedsOfAcms(db: Db, acmIds: number[], today: string): Promise<NeedCandidate[]> {
  if (acmIds.length === 0) return [];
  return rows<NeedCandidate>(
    db,
    sql`select ${needColumns}
        from needs n
        join organisations a on a.id = n.acm_id
        left join communes c on c.code_insee = n.code_insee
        where n.acm_id = any(${sql.param(acmIds)}::int[]) and n.status = 'open' and (n.end_date is null or n.end_date >= ${today}::date)
        order by n.created_at desc`,
  );
}

/** One open need (whole row for the scorer), or null when it is not open. */
export async function openNeedById(db: Db, needId: number): Promise<NeedCandidate | null> {
  const [row] = await rows<NeedCandidate>(
    db,
    sql`select ${needColumns}
        from needs n
        join organisations a on a.id = n.acm_id
        left join communes c on c.code_insee = n.code_insee
        where n.id = ${needId} and n.status = 'open'`,
  );
  return row ?? null;
}

/** Some offers by id, kept only while they may still be suggested (published, partner not suspended, not ended). */
export async function offerCandidatesByIds(db: Db, ids: number[], today: string): Promise<OfferCandidate[]> {
  if (ids.length === 0) return [];
  return rows<OfferCandidate>(
    db,
    sql`select ${offerColumns}
        from offers o
        join organisations g on g.id = o.organisation_id
        left join communes c on c.code_insee = o.code_insee
        where o.id = any(${sql.param(ids)}::int[]) and o.status = 'published' and g.status <> 'suspended'
          and (o.end_date is null or o.end_date >= ${today}::date)
        order by o.id`,
  );
}

/** Some needs by id, kept only while they are open (ACM not suspended, not ended); in needCandidates' order. */
export async function needCandidatesByIds(db: Db, ids: number[], today: string): Promise<NeedCandidate[]> {
  if (ids.length === 0) return [];
  return rows<NeedCandidate>(
    db,
    sql`select ${needColumns}
        from needs n
        join organisations a on a.id = n.acm_id
        left join communes c on c.code_insee = n.code_insee
        where n.id = any(${sql.param(ids)}::int[]) and n.status = 'open' and a.status <> 'suspended'
          and (n.end_date is null or n.end_date >= ${today}::date)
        order by n.created_at desc`,
  );
}
