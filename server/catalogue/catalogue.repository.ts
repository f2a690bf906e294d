import { type SQL, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
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
        order by ${point ? sql`"distanceKm", g.id` : sql`${byFrenchName(sql`g.name`)}, g.id`}
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

/** The ACM of a signed-in member (for "mon accueil"): its place. */
export async function acmPlaces(db: Db, organisationIds: number[]) {
  if (organisationIds.length === 0) return [];
  return rows<{ id: number; name: string; lat: number; lng: number; codeInsee: string | null }>(
    db,
    sql`select id, name, lat, lng, code_insee as "codeInsee" from organisations
        where id = any(${sql.param(organisationIds)}::int[]) and kind = 'acm' and lat is not null and lng is not null order by ${byFrenchName(sql`name`)}`,
  );
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
