import { asc, eq, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { communes, departments, epcis } from '../../db/schema/index.js';
import { normalize, normalizeCommuneQuery } from '../kernel/text.js';

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

export interface EpciHit {
  code: string;
  name: string;
  type: string;
  population: number;
}

export async function findEpci(db: Db, code: string): Promise<EpciHit | null> {
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
