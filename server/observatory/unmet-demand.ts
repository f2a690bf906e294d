import { sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import { type Db, rows } from '../../db/client.js';
import type { OfferSearch } from '../../search/types.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';

/** One search that found nothing, as logged: a place and criteria, nothing about who searched. */
interface UnmetSearch {
  lat: number | null;
  lng: number | null;
  communeCode: string | null;
  departmentCode: string | null;
  theme: string | null;
  age: number | null;
  radiusKm: number | null;
  source: 'page' | 'api';
}

/** What is logged of a search, or null when it has no place to count it in. */
function unmetSearchOf(search: OfferSearch, source: UnmetSearch['source']): UnmetSearch | null {
  const commune = search.commune?.[0];
  const department = search.department?.length === 1 ? search.department[0]! : null;
  if (!search.near && !commune && !department) return null;
  const band = search.ageBand?.[0];
  return {
    lat: search.near?.lat ?? null,
    lng: search.near?.lng ?? null,
    communeCode: search.near ? null : (commune?.code ?? null),
    departmentCode: search.near ? null : (commune?.department ?? department),
    theme: search.theme?.[0] ?? null,
    age: search.age ?? (band ? Number(band.split('-')[0]) : null),
    radiusKm: search.near ? Math.round(search.near.radiusKm) : null,
    source,
  };
}

const pending = new Set<Promise<unknown>>();

/**
 * Logs a zero-result search without waiting for it: the insert runs after the answer is sent and
 * a failure is only a warning, so the log never slows or breaks a search. The commune is the
 * one nearest the search's centre (a scan of the communes within ±0.3°, done by the database).
 */
export function recordUnmetSearch(deps: Pick<Deps, 'db' | 'clock' | 'log'>, search: OfferSearch, total: number, source: UnmetSearch['source']): void {
  if (total > 0 || search.page > 1) return;
  const entry = unmetSearchOf(search, source);
  if (!entry) return;
  const now = deps.clock.now();
  const write = insertUnmetSearch(deps.db, entry, parisToday(now))
    .catch((error: unknown) => deps.log.warn({ err: error }, 'unmet search not logged'))
    .finally(() => pending.delete(write));
  pending.add(write);
}

/** Resolves once the logs started so far are written (tests, graceful shutdown). */
export async function unmetSearchesWritten(): Promise<void> {
  await Promise.all([...pending]);
}

async function insertUnmetSearch(db: Db, entry: UnmetSearch, day: string): Promise<void> {
  const place =
    entry.lat !== null && entry.lng !== null
      ? sql`(select c.code_insee as commune, c.department_code as department from communes c
            where c.lat between ${entry.lat - 0.3} and ${entry.lat + 0.3} and c.lng between ${entry.lng - 0.45} and ${entry.lng + 0.45}
            order by (c.lat - ${entry.lat})^2 + ((c.lng - ${entry.lng}) * cos(radians(${entry.lat})))^2 limit 1)`
      : sql`(select ${entry.communeCode}::text as commune, ${entry.departmentCode}::text as department)`;
  await db.execute(sql`insert into unmet_searches (commune_code, department_code, theme, age, radius_km, weekday, searched_on, source)
    select p.commune, p.department, ${entry.theme}, ${entry.age}, ${entry.radiusKm}, extract(isodow from ${day}::date), ${day}::date, ${entry.source}
    from ${place} p where p.department is not null`);
}

interface UnmetDemandRow {
  communeCode: string | null;
  communeName: string | null;
  departmentCode: string;
  theme: string | null;
  searches: number;
}

/**
 * Zero-result searches of a territory since a day, counted per commune and theme (a commune of
 * null: the search named only the département). For the coordinator's view and the public page.
 */
export async function unmetDemandByTerritory(
  db: Db,
  where: { region?: string; department?: string; epci?: string; commune?: string },
  since: string,
): Promise<UnmetDemandRow[]> {
  const filter = where.commune
    ? sql`u.commune_code = ${where.commune}`
    : where.epci
      ? sql`u.commune_code in (select code_insee from communes where epci_code = ${where.epci} or ept_code = ${where.epci})`
      : where.department
        ? sql`u.department_code = ${where.department}`
        : sql`u.department_code in (select code from departments where region_code = ${where.region ?? ''})`;
  return rows<UnmetDemandRow>(
    db,
    sql`select u.commune_code as "communeCode", c.name as "communeName", u.department_code as "departmentCode", u.theme,
          count(*)::int as searches
        from unmet_searches u left join communes c on c.code_insee = u.commune_code
        where ${filter} and u.searched_on >= ${since}::date
        group by u.commune_code, c.name, u.department_code, u.theme
        order by searches desc, ${byFrenchName(sql`c.name`)}, u.theme nulls last`,
  );
}
