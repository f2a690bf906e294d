import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { ageBandsFor, labelOf, subthemes as subthemeOptions, themes as themeOptions } from '../server/kernel/taxonomy.js';
import type { OfferDocument } from './types.js';

/** A document as the query reads it, before the labels, age bands and ISO date are derived. */
type OfferRow = Omit<OfferDocument, 'themeLabels' | 'subthemeLabels' | 'ageBands' | 'publishedAt'> & { publishedAt: string | Date | null };

/**
 * The current database state of offers as search documents. Only what the public may see is
 * returned (published offer of a non-suspended partner): an id asked for and not returned must be
 * removed from the index. The location falls back to the commune's centre.
 */
export async function loadOfferDocuments(db: Db, where: { ids: number[] } | { afterId: number; limit: number }): Promise<OfferDocument[]> {
  const filter = 'ids' in where ? sql`o.id = any(${sql.param(where.ids)}::int[])` : sql`o.id > ${where.afterId}`;
  const limit = 'ids' in where ? sql`` : sql`order by o.id limit ${where.limit}`;
  const found = await rows<OfferRow>(
    db,
    sql`select o.id, o.organisation_id as "organisationId", o.external_id as "externalId", o.slug, o.title, o.summary, o.description,
          o.themes, o.subthemes, o.formats, o.venue, o.travel_km as "travelKm", o.departments_served as "departmentsServed",
          coalesce((select array_agg(distinct d.region_code) from departments d where d.code = any(o.departments_served)), '{}') as "regionsServed",
          o.age_min as "ageMin", o.age_max as "ageMax", o.price, o.accessibility, o.natures, o.slots,
          o.start_date::text as "startDate", o.end_date::text as "endDate",
          g.name as "orgName", g.type as "orgType", g.slug as "orgSlug",
          coalesce(o.lat, c.lat) as lat, coalesce(o.lng, c.lng) as lng, o.code_insee as "codeInsee", c.name as "communeName",
          c.department_code as department, c.region_code as region, o.published_at as "publishedAt",
          o.photo_path as "photoPath", case when o.photo_path is null then null else coalesce(o.photo_alt, '') end as "photoAlt"
        from offers o
        join organisations g on g.id = o.organisation_id
        left join communes c on c.code_insee = o.code_insee
        where ${filter} and o.status = 'published' and g.status <> 'suspended'
        ${limit}`,
  );
  return found.map(toDocument);
}

function toDocument(row: OfferRow): OfferDocument {
  const publishedAt = row.publishedAt === null ? null : new Date(row.publishedAt).toISOString();
  return {
    ...row,
    lat: row.lat === null ? null : Number(row.lat),
    lng: row.lng === null ? null : Number(row.lng),
    themeLabels: row.themes.map((t) => labelOf(themeOptions, t)),
    subthemeLabels: row.subthemes.map((s) => labelOf(subthemeOptions, s)),
    ageBands: ageBandsFor(row.ageMin, row.ageMax),
    publishedAt,
  };
}

/** All published offers, in batches (full rebuilds). */
export async function* allOfferDocuments(db: Db, batchSize = 1000): AsyncGenerator<OfferDocument[]> {
  let afterId = 0;
  for (;;) {
    const batch = await loadOfferDocuments(db, { afterId, limit: batchSize });
    if (batch.length === 0) return;
    yield batch;
    afterId = batch[batch.length - 1]!.id;
  }
}

/** The ids of the organisations' offers, a page at a time: an organisation may have a million. */
export async function* offerIdsOfOrganisations(db: Db, organisationIds: number[], pageSize: number): AsyncGenerator<number[]> {
  if (organisationIds.length === 0) return;
  let afterId = 0;
  for (;;) {
    const page = await rows<{ id: number }>(
      db,
      sql`select id from offers where organisation_id = any(${sql.param(organisationIds)}::int[]) and id > ${afterId} order by id limit ${pageSize}`,
    );
    if (page.length === 0) return;
    yield page.map((r) => r.id);
    afterId = page[page.length - 1]!.id;
  }
}
