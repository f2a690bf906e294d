import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { figuresDirtySince } from '../observatory/figures-dirty.repository.js';
import { communesInScope, type Scope } from '../territories/scopes.js';

export interface CoverageOfferRow {
  themes: string[];
  ageMin: number;
  ageMax: number;
  lat: number;
  lng: number;
  /** Travel radius of an offer that comes to the ACM; null otherwise. */
  travelKm: number | null;
}

/**
 * Published offers (of partners not suspended) whose base lies in a box, with their ages: the
 * candidates of the coverage count. The base falls back to the commune's centre, as in the
 * search documents and the public statistics.
 */
export async function coverageOffers(db: Db, box: { south: number; north: number; west: number; east: number }): Promise<CoverageOfferRow[]> {
  const found = await rows<{ themes: string[]; ageMin: number; ageMax: number; lat: number; lng: number; travelKm: number | null }>(
    db,
    sql`select o.themes, o.age_min as "ageMin", o.age_max as "ageMax", coalesce(o.lat, c.lat) as lat, coalesce(o.lng, c.lng) as lng,
          case when o.venue = 'dans-l-accueil' and o.travel_km > 0 then o.travel_km end as "travelKm"
        from offers o join organisations g on g.id = o.organisation_id left join communes c on c.code_insee = o.code_insee
        where o.status = 'published' and g.status <> 'suspended'
          and coalesce(o.lat, c.lat) between ${box.south} and ${box.north}
          and coalesce(o.lng, c.lng) between ${box.west} and ${box.east}`,
  );
  return found.map((o) => ({
    themes: o.themes,
    ageMin: Number(o.ageMin),
    ageMax: Number(o.ageMax),
    lat: Number(o.lat),
    lng: Number(o.lng),
    travelKm: o.travelKm === null ? null : Number(o.travelKm),
  }));
}

/** For each commune of the scope with an ACM: its first ACM by name (the one a gap proposes to prescribe for). */
export async function firstAcmPerCommune(db: Db, scope: Scope): Promise<Map<string, { id: number; name: string }>> {
  const found = await rows<{ code: string; id: number; name: string }>(
    db,
    sql`select distinct on (a.code_insee) a.code_insee as code, a.id, a.name
        from organisations a join communes c on c.code_insee = a.code_insee
        where a.kind = 'acm' and a.status <> 'suspended' and ${communesInScope(scope)}
        order by a.code_insee, a.name, a.id`,
  );
  return new Map(found.map((r) => [r.code, { id: r.id, name: r.name }]));
}

export async function readCoverage(db: Db, scope: Scope, radiusKm: number) {
  const [row] = await rows<{ figures: unknown; computedAt: Date | string }>(
    db,
    sql`select figures, computed_at as "computedAt" from territory_coverage
        where level = ${scope.kind} and code = ${scope.code} and radius_km = ${radiusKm}`,
  );
  return row ? { figures: row.figures, computedAt: new Date(row.computedAt) } : null;
}

export async function storeCoverage(db: Db, scope: Scope, radiusKm: number, figures: unknown, computedAt: Date) {
  await db.execute(
    sql`insert into territory_coverage (level, code, radius_km, figures, computed_at)
        values (${scope.kind}, ${scope.code}, ${radiusKm}, ${JSON.stringify(figures)}::jsonb, ${computedAt.toISOString()}::timestamptz)
        on conflict (level, code, radius_km) do update set figures = excluded.figures, computed_at = excluded.computed_at`,
  );
}

/** Stored coverages of one radius computed before `before` or at or before the last relevant write (the job refreshes them), oldest first. */
export async function staleCoverage(db: Db, radiusKm: number, before: Date, limit: number): Promise<Scope[]> {
  return rows<Scope>(
    db,
    sql`select level as kind, code from territory_coverage
        where radius_km = ${radiusKm} and (computed_at < ${before.toISOString()}::timestamptz or computed_at <= ${figuresDirtySince})
        order by computed_at limit ${limit}`,
  );
}

/** Forgets the coverages of other radii computed before `before` (a coordinator's one-off choice). */
export async function pruneCoverage(db: Db, keepRadiusKm: number, before: Date) {
  await db.execute(sql`delete from territory_coverage where radius_km <> ${keepRadiusKm} and computed_at < ${before.toISOString()}::timestamptz`);
}
