import { asc, eq, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import { type Db, rows } from '../../db/client.js';
import { communes, departments, epcis } from '../../db/schema/index.js';
import type { BBox } from '../../search/types.js';
import { normalize, normalizeCommuneQuery } from '../kernel/text.js';
import { communesInScope, type Scope } from './scopes.js';

export interface CommuneHit {
  codeInsee: string;
  name: string;
  postcodes: string[];
  departmentCode: string;
  regionCode: string;
  lat: number;
  lng: number;
  population: number;
  epciCode: string | null;
  epciName?: string | null;
  eptCode: string | null;
  eptName?: string | null;
}

/** A commune's centre and what names it (its first postcode only: the label shows no other). */
export type CommuneCentre = Pick<CommuneHit, 'name' | 'postcodes' | 'lat' | 'lng'>;

const hitColumns = sql`c.code_insee as "codeInsee", c.name, c.postcodes, c.department_code as "departmentCode", c.region_code as "regionCode", c.lat, c.lng, c.population,
  c.epci_code as "epciCode", e.name as "epciName", c.ept_code as "eptCode", t.name as "eptName"`;
const hitTables = sql`communes c left join epcis e on e.code = c.epci_code left join epcis t on t.code = c.ept_code`;

/** Autocomplete by name (accents, case, "st"/"saint" ignored; typos tolerated) or by postal/INSEE code. */
export async function searchCommunes(db: Db, query: string, limit = 10): Promise<CommuneHit[]> {
  const trimmed = query.trim();
  if (/^\d[\dAB]{1,4}$/i.test(trimmed)) {
    const code = trimmed.toUpperCase();
    return rows<CommuneHit>(
      db,
      sql`select ${hitColumns}
          from ${hitTables}
          where c.code_insee = ${code} or exists (select 1 from unnest(c.postcodes) p where p like ${`${code}%`})
          order by (c.code_insee = ${code} or ${code} = any(c.postcodes)) desc, (c.type = 'ARM') desc, c.population desc
          limit ${limit}`,
    );
  }
  const q = normalizeCommuneQuery(trimmed);
  if (!q) return [];
  return rows<CommuneHit>(
    db,
    sql`select ${hitColumns}
        from ${hitTables}
        where c.search_name like ${`${q}%`} or c.search_name % ${q}
        order by (c.search_name = ${q}) desc, (c.search_name like ${`${q}%`}) desc, similarity(c.search_name, ${q}) desc, c.population desc
        limit ${limit}`,
  );
}

/** Every commune's centre and name, arrondissements left out: what a point is named after (search-place.ts). */
export async function allCommuneCentres(db: Db): Promise<CommuneCentre[]> {
  return rows<CommuneCentre>(db, sql`select name, postcodes[1:1] as postcodes, lat, lng from communes where type <> 'ARM'`);
}

export async function findCommune(db: Db, codeInsee: string) {
  const [row] = await db.select().from(communes).where(eq(communes.codeInsee, codeInsee)).limit(1);
  return row ?? null;
}

export function communeLabel(commune: { name: string; postcodes: string[] }): string {
  return commune.postcodes[0] ? `${commune.name} (${commune.postcodes[0]})` : commune.name;
}

/**
 * Resolves what a person typed in a commune field ("Villeurbanne (69100)", "lyon 8", "69008")
 * to one commune, or says it is unknown or ambiguous.
 */
export async function resolveCommune(db: Db, text: string): Promise<{ commune: CommuneHit } | { error: 'unknown' | 'ambiguous'; candidates: CommuneHit[] }> {
  const match = /^(.*?)\s*\((\d{5})\)\s*$/.exec(text.trim());
  if (match) {
    const [, name, postcode] = match;
    const candidates = await searchCommunes(db, postcode!, 50);
    const wanted = normalizeCommuneQuery(name!);
    const exact = candidates.filter((c) => normalizeCommuneQuery(c.name) === wanted);
    if (exact.length >= 1) return { commune: exact[0]! };
  }
  const candidates = await searchCommunes(db, text, 5);
  if (candidates.length === 0) return { error: 'unknown', candidates };
  const wanted = normalizeCommuneQuery(text);
  const exact = candidates.filter((c) => normalizeCommuneQuery(c.name) === wanted || c.codeInsee === text.trim() || c.postcodes.includes(text.trim()));
  if (exact.length === 1) return { commune: exact[0]! };
  if (candidates.length === 1) return { commune: candidates[0]! };
  return { error: 'ambiguous', candidates };
}

interface EpciHit {
  code: string;
  name: string;
  type: string;
  population: number;
}

async function findEpci(db: Db, code: string): Promise<EpciHit | null> {
  const [row] = await db.select().from(epcis).where(eq(epcis.code, code)).limit(1);
  return row ?? null;
}

/** An intercommunalité by SIREN or by name (accents and case ignored; a unique partial match is enough). */
export async function resolveEpci(db: Db, text: string): Promise<{ epci: EpciHit } | { error: 'unknown' | 'ambiguous'; candidates: EpciHit[] }> {
  const trimmed = text.trim();
  if (/^\d{9}$/.test(trimmed)) {
    const found = await findEpci(db, trimmed);
    return found ? { epci: found } : { error: 'unknown', candidates: [] };
  }
  const candidates = await rows<EpciHit>(
    db,
    sql`select code, name, type, population from epcis
        where search_norm(name) like ${`%${normalize(trimmed).replace(/[\\%_]/g, (c) => `\\${c}`)}%`}
        order by (search_norm(name) = ${normalize(trimmed)}) desc, population desc limit 5`,
  );
  const exact = candidates.filter((e) => normalize(e.name) === normalize(trimmed));
  if (exact.length === 1) return { epci: exact[0]! };
  if (candidates.length === 1) return { epci: candidates[0]! };
  return { error: candidates.length ? 'ambiguous' : 'unknown', candidates };
}

export async function findDepartment(db: Db, code: string) {
  const [row] = await db.select().from(departments).where(eq(departments.code, code)).limit(1);
  return row ?? null;
}

export async function listDepartments(db: Db) {
  return db.select().from(departments).orderBy(asc(departments.code));
}

/** School holiday zone of a commune (from its département); null for Corsica and overseas. */
export async function schoolZoneOf(db: Db, codeInsee: string): Promise<string | null> {
  const [row] = await db
    .select({ zone: departments.schoolZone })
    .from(communes)
    .innerJoin(departments, eq(departments.code, communes.departmentCode))
    .where(eq(communes.codeInsee, codeInsee))
    .limit(1);
  return row?.zone ?? null;
}

/** Published offers per région (the territories index). */
export async function offerCountsByRegion(db: Db) {
  return rows<{ code: string; name: string; slug: string; offers: number; partners: number }>(
    db,
    sql`select r.code, r.name, r.slug,
          (select count(*)::int from offers o join communes c on c.code_insee = o.code_insee where c.region_code = r.code and o.status = 'published') as offers,
          (select count(*)::int from organisations g join communes c on c.code_insee = g.code_insee where c.region_code = r.code and g.kind = 'partner' and g.status <> 'suspended') as partners
        from regions r order by ${byFrenchName(sql`r.name`)}`,
  );
}

export async function findRegionByCode(db: Db, code: string) {
  const [row] = await rows<{ code: string; name: string; slug: string }>(db, sql`select code, name, slug from regions where code = ${code}`);
  return row ?? null;
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
          (select coalesce(json_agg(json_build_object('slug', r.slug, 'name', r.name) order by ${byFrenchName(sql`r.name`)}), '[]') from regions r
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
        order by ${byFrenchName(sql`e.name`)}`,
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
        group by c.code_insee, c.name order by offers desc, ${byFrenchName(sql`c.name`)} limit ${limit}`,
  );
}

/** The box around a territory's communes (to fit the map). */
export async function territoryBounds(db: Db, scope: Scope): Promise<BBox | null> {
  const condition = communesInScope(scope, 'communes');
  const [row] = await rows<{ s: number | null; w: number; n: number; e: number }>(
    db,
    sql`select min(lat) as s, min(lng) as w, max(lat) as n, max(lng) as e from communes where ${condition} and lat <> 0`,
  );
  if (!row || row.s === null) return null;
  return { west: Number(row.w), south: Number(row.s), east: Number(row.e), north: Number(row.n) };
}

/** Partner organisations of a territory (located in it). */
export async function partnersOf(db: Db, scope: Scope, limit = 30) {
  const condition = communesInScope(scope);
  return rows<{ id: number; name: string; slug: string; type: string | null; communeName: string | null; offers: number }>(
    db,
    sql`select g.id, g.name, g.slug, g.type, c.name as "communeName",
          (select count(*)::int from offers o where o.organisation_id = g.id and o.status = 'published') as offers
        from organisations g left join communes c on c.code_insee = g.code_insee
        where g.kind = 'partner' and g.status <> 'suspended' and ${condition}
        order by offers desc, ${byFrenchName(sql`g.name`)} limit ${limit}`,
  );
}
