import { type SQL, sql } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import { type Db, rows } from '../../db/client.js';
import { communesInScope } from '../territories/scopes.js';
import type { CoverageOffer } from './coverage.js';
import { figuresDirtySince } from './figures-dirty.repository.js';

type TerritoryLevel = 'region' | 'department' | 'epci' | 'commune';
export interface TerritoryRef {
  level: TerritoryLevel;
  code: string;
}

/** The communes of a territory, as a condition on the alias `c` of communes. */
function inTerritory(t: TerritoryRef): SQL {
  return communesInScope({ kind: t.level, code: t.code });
}

const publishedOffer = sql`o.status = 'published' and g.status <> 'suspended'`;

/** Published offers (of partners not suspended) located in the territory: in all and per theme. */
export async function offersPerTheme(db: Db, t: TerritoryRef) {
  const [total] = await rows<{ offers: number }>(
    db,
    sql`select count(*)::int as offers from offers o join organisations g on g.id = o.organisation_id
        join communes c on c.code_insee = o.code_insee where ${publishedOffer} and ${inTerritory(t)}`,
  );
  const perTheme = await rows<{ theme: string; offers: number }>(
    db,
    sql`select t.theme, count(*)::int as offers
        from offers o join organisations g on g.id = o.organisation_id join communes c on c.code_insee = o.code_insee
        cross join lateral unnest(o.themes) as t(theme)
        where ${publishedOffer} and ${inTerritory(t)} group by t.theme`,
  );
  return { total: total?.offers ?? 0, perTheme: new Map(perTheme.map((r) => [r.theme, r.offers])) };
}

export interface AcmCommune {
  code: string;
  name: string;
  lat: number;
  lng: number;
  acms: number;
}

/** Communes of the territory with at least one ACM (not suspended), with their centre. */
export async function acmCommunes(db: Db, t: TerritoryRef): Promise<AcmCommune[]> {
  const found = await rows<AcmCommune>(
    db,
    sql`select c.code_insee as code, c.name, c.lat, c.lng, count(*)::int as acms
        from organisations a join communes c on c.code_insee = a.code_insee
        where a.kind = 'acm' and a.status <> 'suspended' and ${inTerritory(t)}
        group by c.code_insee, c.name, c.lat, c.lng order by c.name, c.code_insee`,
  );
  return found.map((c) => ({ ...c, lat: Number(c.lat), lng: Number(c.lng) }));
}

/**
 * Published offers whose base lies in a box (the communes' box widened by the farthest an offer
 * can reach): the candidates of the coverage count. The base falls back to the commune's centre,
 * as in the search documents.
 */
export async function offersAround(db: Db, box: { south: number; north: number; west: number; east: number }): Promise<CoverageOffer[]> {
  const found = await rows<{ themes: string[]; lat: number; lng: number; travelKm: number | null }>(
    db,
    sql`select o.themes, coalesce(o.lat, c.lat) as lat, coalesce(o.lng, c.lng) as lng,
          case when o.venue = 'dans-l-accueil' and o.travel_km > 0 then o.travel_km end as "travelKm"
        from offers o join organisations g on g.id = o.organisation_id left join communes c on c.code_insee = o.code_insee
        where ${publishedOffer}
          and coalesce(o.lat, c.lat) between ${box.south} and ${box.north}
          and coalesce(o.lng, c.lng) between ${box.west} and ${box.east}`,
  );
  return found.map((o) => ({ themes: o.themes, lat: Number(o.lat), lng: Number(o.lng), travelKm: o.travelKm === null ? null : Number(o.travelKm) }));
}

/** The longest travel radius of a published offer that comes to the ACM (km). */
export async function longestTravel(db: Db): Promise<number> {
  const [row] = await rows<{ km: number | null }>(
    db,
    sql`select max(travel_km)::int as km from offers where status = 'published' and venue = 'dans-l-accueil'`,
  );
  return row?.km ?? 0;
}

export async function readStatistics(db: Db, t: TerritoryRef) {
  const [row] = await rows<{ figures: unknown; computedAt: Date | string }>(
    db,
    sql`select figures, computed_at as "computedAt" from territory_statistics where level = ${t.level} and code = ${t.code}`,
  );
  return row ? { figures: row.figures, computedAt: new Date(row.computedAt) } : null;
}

export async function storeStatistics(db: Db, t: TerritoryRef, figures: unknown, computedAt: Date) {
  await db.execute(
    sql`insert into territory_statistics (level, code, figures, computed_at) values (${t.level}, ${t.code}, ${JSON.stringify(figures)}::jsonb, ${computedAt.toISOString()}::timestamptz)
        on conflict (level, code) do update set figures = excluded.figures, computed_at = excluded.computed_at`,
  );
}

/** Territories whose stored figures were computed before `before` or at or before the last relevant write (the job refreshes them). */
export async function staleStatistics(db: Db, before: Date, limit: number): Promise<TerritoryRef[]> {
  return rows<TerritoryRef>(
    db,
    sql`select level, code from territory_statistics
        where computed_at < ${before.toISOString()}::timestamptz or computed_at <= ${figuresDirtySince} order by computed_at limit ${limit}`,
  );
}

/** Régions and départements, for the territory choice of the embed builder. */
export async function territoryChoices(db: Db) {
  const regions = await rows<{ code: string; name: string }>(db, sql`select code, name from regions order by ${byFrenchName(sql`name`)}`);
  const departments = await rows<{ code: string; name: string }>(db, sql`select code, name from departments order by code`);
  return { regions, departments };
}
