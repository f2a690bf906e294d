import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import type { BBox, Near } from '../../search/types.js';

let codesCache: Promise<{ departments: Set<string>; regions: Set<string> }> | null = null;

/** Département and région codes (reference data, loaded once per process). */
export function territoryCodes(db: Db) {
  codesCache ??= (async () => {
    const departments = await rows<{ code: string }>(db, sql`select code from departments`);
    const regions = await rows<{ code: string }>(db, sql`select code from regions`);
    return { departments: new Set(departments.map((d) => d.code)), regions: new Set(regions.map((r) => r.code)) };
  })().catch((error) => {
    codesCache = null;
    throw error;
  });
  return codesCache;
}

export async function communeCentres(db: Db, codes: string[]) {
  const found = await rows<{ code: string; lat: number; lng: number; department: string }>(
    db,
    sql`select code_insee as code, lat, lng, department_code as department from communes where code_insee = any(${sql.param(codes)}::text[])`,
  );
  return new Map(found.map((c) => [c.code, { lat: Number(c.lat), lng: Number(c.lng), department: c.department }]));
}

/** Intercommunalités by code, with their communes (and arrondissements) and départements. */
export async function epciMembers(db: Db, codes: string[]) {
  const found = await rows<{ code: string; name: string; communes: string[]; departments: string[] }>(
    db,
    sql`select e.code, e.name, array_agg(c.code_insee order by c.code_insee) as communes, array_agg(distinct c.department_code) as departments
        from epcis e join communes c on c.epci_code = e.code or c.ept_code = e.code
        where e.code = any(${sql.param(codes)}::text[])
        group by e.code, e.name`,
  );
  return new Map(found.map((e) => [e.code, e]));
}

export interface OrganisationFilters {
  q?: string | undefined;
  orgType?: string[] | undefined;
  theme?: string[] | undefined;
  near?: Near | undefined;
  bbox?: BBox | undefined;
  commune?: string[] | undefined;
  department?: string[] | undefined;
  epci?: string[] | undefined;
  region?: string[] | undefined;
}

export interface OrganisationRow {
  id: number;
  name: string;
  slug: string;
  type: string | null;
  description: string;
  themes: string[];
  website: string | null;
  email: string | null;
  phone: string | null;
  contactPublic: boolean;
  lat: number | null;
  lng: number | null;
  codeInsee: string | null;
  communeName: string | null;
  department: string | null;
  region: string | null;
  status: string;
  offersCount: number;
  distanceKm: number | null;
}

/** Public partner organisations (not suspended) with the same place filters as offers. */
export async function searchOrganisations(db: Db, filters: OrganisationFilters, page: number, perPage: number) {
  const where: SQL[] = [sql`g.kind = 'partner'`, sql`g.status <> 'suspended'`];
  if (filters.q) where.push(sql`search_norm(g.name) like ${`%${filters.q}%`}`);
  if (filters.orgType?.length) where.push(sql`g.type = any(${sql.param(filters.orgType)}::text[])`);
  if (filters.theme?.length) where.push(sql`g.themes && ${sql.param(filters.theme)}::text[]`);
  if (filters.commune?.length) where.push(sql`g.code_insee = any(${sql.param(filters.commune)}::text[])`);
  if (filters.department?.length) where.push(sql`c.department_code = any(${sql.param(filters.department)}::text[])`);
  if (filters.region?.length) where.push(sql`c.region_code = any(${sql.param(filters.region)}::text[])`);
  if (filters.epci?.length) where.push(sql`(c.epci_code = any(${sql.param(filters.epci)}::text[]) or c.ept_code = any(${sql.param(filters.epci)}::text[]))`);
  const point = filters.near ? sql`ll_to_earth(${filters.near.lat}::float8, ${filters.near.lng}::float8)` : null;
  if (filters.near && point)
    where.push(sql`g.lat is not null and earth_distance(ll_to_earth(g.lat, g.lng), ${point}) <= ${filters.near.radiusKm * 1000}::float8`);
  if (filters.bbox) {
    const { west, south, east, north } = filters.bbox;
    where.push(sql`g.lat between ${south}::float8 and ${north}::float8 and g.lng between ${west}::float8 and ${east}::float8`);
  }
  const condition = sql.join(where, sql` and `);
  const distance = point ? sql`earth_distance(ll_to_earth(g.lat, g.lng), ${point}) / 1000.0` : sql`null::float8`;
  const [total] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from organisations g left join communes c on c.code_insee = g.code_insee where ${condition}`,
  );
  const items = await rows<OrganisationRow>(
    db,
    sql`select g.id, g.name, g.slug, g.type, g.description, g.themes, g.website, g.email, g.phone, g.contact_public as "contactPublic", g.lat, g.lng, g.code_insee as "codeInsee", c.name as "communeName",
          c.department_code as department, c.region_code as region, g.status,
          (select count(*)::int from offers o where o.organisation_id = g.id and o.status = 'published') as "offersCount",
          ${distance} as "distanceKm"
        from organisations g left join communes c on c.code_insee = g.code_insee
        where ${condition}
        order by ${point ? sql`"distanceKm", g.id` : sql`g.name, g.id`}
        limit ${perPage} offset ${(page - 1) * perPage}`,
  );
  return { total: total?.n ?? 0, items };
}

export async function findPublicOrganisation(db: Db, id: number) {
  const [row] = await rows<OrganisationRow>(
    db,
    sql`select g.id, g.name, g.slug, g.type, g.description, g.themes, g.website, g.email, g.phone, g.contact_public as "contactPublic", g.lat, g.lng, g.code_insee as "codeInsee", c.name as "communeName",
          c.department_code as department, c.region_code as region, g.status,
          (select count(*)::int from offers o where o.organisation_id = g.id and o.status = 'published') as "offersCount", null::float8 as "distanceKm"
        from organisations g left join communes c on c.code_insee = g.code_insee
        where g.id = ${id} and g.kind = 'partner' and g.status <> 'suspended'`,
  );
  return row ?? null;
}

/** Published offers per région (the territories index). */
export async function offerCountsByRegion(db: Db) {
  return rows<{ code: string; name: string; slug: string; offers: number; partners: number }>(
    db,
    sql`select r.code, r.name, r.slug,
          (select count(*)::int from offers o join communes c on c.code_insee = o.code_insee where c.region_code = r.code and o.status = 'published') as offers,
          (select count(*)::int from organisations g join communes c on c.code_insee = g.code_insee where c.region_code = r.code and g.kind = 'partner' and g.status <> 'suspended') as partners
        from regions r order by r.name`,
  );
}

export async function findRegionBySlug(db: Db, slug: string) {
  const [row] = await rows<{ code: string; name: string; slug: string }>(db, sql`select code, name, slug from regions where slug = ${slug}`);
  return row ?? null;
}

export async function findDepartmentByCode(db: Db, code: string) {
  const [row] = await rows<{ code: string; name: string; regionCode: string; regionName: string; regionSlug: string }>(
    db,
    sql`select d.code, d.name, d.region_code as "regionCode", r.name as "regionName", r.slug as "regionSlug"
        from departments d join regions r on r.code = d.region_code where d.code = ${code}`,
  );
  return row ?? null;
}

export async function findCommuneByCode(db: Db, code: string) {
  const [row] = await rows<{
    code: string;
    name: string;
    postcodes: string[];
    lat: number;
    lng: number;
    departmentCode: string;
    departmentName: string;
    regionName: string;
    regionSlug: string;
    epciCode: string | null;
    epciName: string | null;
    eptCode: string | null;
    eptName: string | null;
  }>(
    db,
    sql`select c.code_insee as code, c.name, c.postcodes, c.lat, c.lng, c.department_code as "departmentCode", d.name as "departmentName",
          r.name as "regionName", r.slug as "regionSlug", c.epci_code as "epciCode", e.name as "epciName", c.ept_code as "eptCode", t.name as "eptName"
        from communes c join departments d on d.code = c.department_code join regions r on r.code = c.region_code
          left join epcis e on e.code = c.epci_code left join epcis t on t.code = c.ept_code
        where c.code_insee = ${code}`,
  );
  return row ?? null;
}

/** An intercommunalité with its département(s) and région(s), for its territory page. */
export async function findEpciByCode(db: Db, code: string) {
  const [row] = await rows<{
    code: string;
    name: string;
    type: string;
    population: number;
    communes: number;
    departments: { code: string; name: string }[];
    regions: { slug: string; name: string }[];
  }>(
    db,
    sql`select e.code, e.name, e.type, e.population,
          (select count(*)::int from communes c where (c.epci_code = e.code or c.ept_code = e.code) and c.type = 'COM') as communes,
          (select coalesce(json_agg(json_build_object('code', d.code, 'name', d.name) order by d.code), '[]') from departments d
            where d.code in (select c.department_code from communes c where c.epci_code = e.code or c.ept_code = e.code)) as departments,
          (select coalesce(json_agg(json_build_object('slug', r.slug, 'name', r.name) order by r.name), '[]') from regions r
            where r.code in (select c.region_code from communes c where c.epci_code = e.code or c.ept_code = e.code)) as regions
        from epcis e where e.code = ${code}`,
  );
  return row ?? null;
}

/** The intercommunalités (EPCI and, in the Grand Paris, EPT) with communes in a département, with their published offers. */
export async function epcisOfDepartment(db: Db, departmentCode: string) {
  return rows<{ code: string; name: string; offers: number }>(
    db,
    sql`select e.code, e.name,
          (select count(*)::int from offers o join communes c on c.code_insee = o.code_insee
            where (c.epci_code = e.code or c.ept_code = e.code) and o.status = 'published') as offers
        from epcis e
        where e.code in (select c.epci_code from communes c where c.department_code = ${departmentCode}
                         union select c.ept_code from communes c where c.department_code = ${departmentCode})
        order by e.name`,
  );
}

/** Départements of a région with their published offers. */
export async function departmentsOfRegion(db: Db, regionCode: string) {
  return rows<{ code: string; name: string; offers: number }>(
    db,
    sql`select d.code, d.name,
          (select count(*)::int from offers o join communes c on c.code_insee = o.code_insee where c.department_code = d.code and o.status = 'published') as offers
        from departments d where d.region_code = ${regionCode} order by d.code`,
  );
}

/** Communes of a département (or an intercommunalité) that have published offers, busiest first. */
export async function activeCommunesOfDepartment(db: Db, departmentCode: string, limit = 60, epci?: string) {
  const where = epci ? sql`(c.epci_code = ${epci} or c.ept_code = ${epci})` : sql`c.department_code = ${departmentCode}`;
  return rows<{ code: string; name: string; offers: number }>(
    db,
    sql`select c.code_insee as code, c.name, count(o.id)::int as offers
        from communes c join offers o on o.code_insee = c.code_insee and o.status = 'published'
        where ${where}
        group by c.code_insee, c.name order by offers desc, c.name limit ${limit}`,
  );
}

/** The box around a territory's communes (to fit the map). */
export async function territoryBounds(db: Db, where: { region?: string; department?: string; epci?: string }): Promise<BBox | null> {
  const condition = where.region
    ? sql`region_code = ${where.region}`
    : where.epci
      ? sql`(epci_code = ${where.epci} or ept_code = ${where.epci})`
      : sql`department_code = ${where.department ?? ''}`;
  const [row] = await rows<{ s: number | null; w: number; n: number; e: number }>(
    db,
    sql`select min(lat) as s, min(lng) as w, max(lat) as n, max(lng) as e from communes where ${condition} and lat <> 0`,
  );
  if (!row || row.s === null) return null;
  return { west: Number(row.w), south: Number(row.s), east: Number(row.e), north: Number(row.n) };
}

/** Partner organisations of a territory (located in it). */
export async function partnersOf(db: Db, where: { region?: string; department?: string; epci?: string; commune?: string }, limit = 30) {
  const condition = where.commune
    ? sql`g.code_insee = ${where.commune}`
    : where.epci
      ? sql`(c.epci_code = ${where.epci} or c.ept_code = ${where.epci})`
      : where.department
        ? sql`c.department_code = ${where.department}`
        : sql`c.region_code = ${where.region ?? ''}`;
  return rows<{ id: number; name: string; slug: string; type: string | null; communeName: string | null; offers: number }>(
    db,
    sql`select g.id, g.name, g.slug, g.type, c.name as "communeName",
          (select count(*)::int from offers o where o.organisation_id = g.id and o.status = 'published') as offers
        from organisations g left join communes c on c.code_insee = g.code_insee
        where g.kind = 'partner' and g.status <> 'suspended' and ${condition}
        order by offers desc, g.name limit ${limit}`,
  );
}

/** The ACM of a signed-in member (for "mon accueil"): its place. */
export async function acmPlaces(db: Db, organisationIds: number[]) {
  if (organisationIds.length === 0) return [];
  return rows<{ id: number; name: string; lat: number; lng: number; codeInsee: string | null }>(
    db,
    sql`select id, name, lat, lng, code_insee as "codeInsee" from organisations
        where id = any(${sql.param(organisationIds)}::int[]) and kind = 'acm' and lat is not null and lng is not null order by name`,
  );
}

/** The photos of listed offers (the search documents do not carry them): id → stored key and alt text. */
export async function offerPhotos(db: Db, offerIds: number[]): Promise<Map<number, { photoPath: string; photoAlt: string }>> {
  if (offerIds.length === 0) return new Map();
  const found = await rows<{ id: number; photoPath: string; photoAlt: string | null }>(
    db,
    sql`select id, photo_path as "photoPath", photo_alt as "photoAlt" from offers
        where id = any(${sql.param(offerIds)}::int[]) and photo_path is not null`,
  );
  return new Map(found.map((r) => [r.id, { photoPath: r.photoPath, photoAlt: r.photoAlt ?? '' }]));
}

/** What the API needs to apply the contact rule to an offer: its partner's details and the offer's own address. */
export async function offerContactSource(db: Db, offerId: number) {
  const [row] = await rows<{ id: number; email: string | null; phone: string | null; contactPublic: boolean; offerEmail: string | null }>(
    db,
    sql`select g.id, g.email, g.phone, g.contact_public as "contactPublic", o.contact_email as "offerEmail"
        from offers o join organisations g on g.id = o.organisation_id where o.id = ${offerId}`,
  );
  return row ?? null;
}
