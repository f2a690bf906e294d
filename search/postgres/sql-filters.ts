import { type SQL, sql } from 'drizzle-orm';
import type { OfferFilters } from '../types.js';
import type { TextQuery } from './tsquery.js';

/** The non-facet filters (text, age, age range, period, nature, places, organisation). */
export function baseConditions(filters: OfferFilters, text: TextQuery | null): SQL[] {
  const where: SQL[] = [];
  if (text) where.push(sql`tsv @@ ${text.tsquery}::tsquery`);
  if (filters.age !== undefined) where.push(sql`age_min <= ${filters.age} and age_max >= ${filters.age}`);
  if (filters.ageRange) where.push(sql`age_min <= ${filters.ageRange.max} and age_max >= ${filters.ageRange.min}`);
  if (filters.period?.from) where.push(sql`(end_date is null or end_date >= ${filters.period.from}::date)`);
  if (filters.period?.to) where.push(sql`(start_date is null or start_date <= ${filters.period.to}::date)`);
  if (filters.nature?.length) where.push(sql`natures && ${sql.param(filters.nature)}::text[]`);
  if (filters.comesTo) {
    const { lat, lng, department } = filters.comesTo;
    const point = sql`ll_to_earth(${lat}::float8, ${lng}::float8)`;
    where.push(
      sql`venue = 'dans-l-accueil' and (${department ?? ''} = any(departments_served)
        or (travel_area @> ${point} and earth_distance(pt, ${point}) <= travel_km * 1000.0))`,
    );
  }
  if (filters.organisationId !== undefined) where.push(sql`organisation_id = ${filters.organisationId}`);
  if (filters.near) {
    const { lat, lng, radiusKm } = filters.near;
    const point = sql`ll_to_earth(${lat}::float8, ${lng}::float8)`;
    const radius = radiusKm * 1000;
    where.push(
      sql`((pt <@ earth_box(${point}, ${radius}::float8) and earth_distance(pt, ${point}) <= ${radius}::float8)
        or (travel_area @> ${point} and earth_distance(pt, ${point}) <= travel_km * 1000.0))`,
    );
  }
  if (filters.bbox) {
    const { west, south, east, north } = filters.bbox;
    where.push(sql`lnglat <@ box(point(${west}::float8, ${south}::float8), point(${east}::float8, ${north}::float8))`);
  }
  if (filters.commune?.length) {
    const alternatives = filters.commune.map((c) => {
      const point = sql`ll_to_earth(${c.lat}::float8, ${c.lng}::float8)`;
      return sql`(code_insee = ${c.code} or ${c.department} = any(departments_served)
        or (travel_area @> ${point} and earth_distance(pt, ${point}) <= travel_km * 1000.0))`;
    });
    where.push(sql`(${sql.join(alternatives, sql` or `)})`);
  }
  if (filters.department?.length) where.push(sql`departments && ${sql.param(filters.department)}::text[]`);
  if (filters.region?.length) where.push(sql`regions && ${sql.param(filters.region)}::text[]`);
  if (filters.epci?.length) {
    const communes = [...new Set(filters.epci.flatMap((e) => e.communes))];
    const departments = [...new Set(filters.epci.flatMap((e) => e.departments))];
    where.push(sql`(code_insee = any(${sql.param(communes)}::text[]) or departments_served && ${sql.param(departments)}::text[])`);
  }
  return where;
}

/** Facet filters as array conditions (index-backed), for the result list. */
export function facetConditions(filters: OfferFilters): SQL[] {
  const where: SQL[] = [];
  const list = (values: string[] | undefined, column: string, scalar = false) => {
    if (!values?.length) return;
    where.push(scalar ? sql`${sql.raw(column)} = any(${sql.param(values)}::text[])` : sql`${sql.raw(column)} && ${sql.param(values)}::text[]`);
  };
  list(filters.theme, 'themes');
  list(filters.subtheme, 'subthemes');
  list(filters.slot, 'slots');
  list(filters.ageBand, 'age_bands');
  list(filters.format, 'formats');
  list(filters.venue, 'venue', true);
  list(filters.price, 'price', true);
  list(filters.accessibility, 'accessibility');
  list(filters.orgType, 'org_type', true);
  return where;
}
