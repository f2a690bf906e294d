import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { ageBandsFor, labelOf, subthemes as subthemeOptions, themes as themeOptions } from '../server/kernel/taxonomy.js';

/**
 * A need as the search engines index it (kind "need"): open needs of non-suspended ACMs only.
 * Never the ACM's contact details: partners read these documents.
 */
export interface NeedDocument {
  id: number;
  acmId: number;
  title: string;
  description: string;
  themes: string[];
  subthemes: string[];
  themeLabels: string[];
  subthemeLabels: string[];
  ageMin: number;
  ageMax: number;
  ageBands: string[];
  groupSize: number | null;
  slots: string[];
  /** Venue types the ACM accepts (its preference; all three when it has none). */
  venues: string[];
  accessibility: string[];
  budgetEur: number | null;
  startDate: string | null;
  endDate: string | null;
  acmName: string;
  communeName: string | null;
  codeInsee: string | null;
  department: string | null;
  region: string | null;
  lat: number | null;
  lng: number | null;
  /** ISO date-time. */
  createdAt: string;
}

/** What a search returns for display (the labels and description only serve the text search). */
export type StoredNeed = Omit<NeedDocument, 'description' | 'themeLabels' | 'subthemeLabels'>;

const allVenues = ['dans-l-accueil', 'chez-le-partenaire', 'autre-lieu'];

interface NeedRow extends Omit<NeedDocument, 'themeLabels' | 'subthemeLabels' | 'ageBands' | 'venues' | 'createdAt' | 'budgetEur'> {
  venuePreference: string[];
  budgetEur: string | null;
  createdAt: string | Date;
}

/** The current database state of needs as documents: an id asked for and not returned must be removed. */
export async function loadNeedDocuments(db: Db, where: { ids: number[] } | { afterId: number; limit: number }): Promise<NeedDocument[]> {
  const filter = 'ids' in where ? sql`n.id = any(${sql.param(where.ids)}::int[])` : sql`n.id > ${where.afterId}`;
  const limit = 'ids' in where ? sql`` : sql`order by n.id limit ${where.limit}`;
  const found = await rows<NeedRow>(
    db,
    sql`select n.id, n.acm_id as "acmId", n.title, n.description, n.themes, n.subthemes, n.age_min as "ageMin", n.age_max as "ageMax",
          n.group_size as "groupSize", n.slots, n.venue_preference as "venuePreference", n.accessibility_required as accessibility,
          n.budget_eur::text as "budgetEur", n.start_date::text as "startDate", n.end_date::text as "endDate",
          a.name as "acmName", c.name as "communeName", n.code_insee as "codeInsee", c.department_code as department, c.region_code as region,
          coalesce(n.lat, c.lat) as lat, coalesce(n.lng, c.lng) as lng, n.created_at as "createdAt"
        from needs n
        join organisations a on a.id = n.acm_id
        left join communes c on c.code_insee = n.code_insee
        where ${filter} and n.status = 'open' and a.status <> 'suspended'
        ${limit}`,
  );
  return found.map(({ venuePreference, ...row }) => ({
    ...row,
    lat: row.lat === null ? null : Number(row.lat),
    lng: row.lng === null ? null : Number(row.lng),
    budgetEur: row.budgetEur === null ? null : Number(row.budgetEur),
    themeLabels: row.themes.map((t) => labelOf(themeOptions, t)),
    subthemeLabels: row.subthemes.map((s) => labelOf(subthemeOptions, s)),
    ageBands: ageBandsFor(row.ageMin, row.ageMax),
    venues: venuePreference.length ? venuePreference : allVenues,
    createdAt: new Date(row.createdAt).toISOString(),
  }));
}

export async function* allNeedDocuments(db: Db, batchSize = 1000): AsyncGenerator<NeedDocument[]> {
  let afterId = 0;
  for (;;) {
    const batch = await loadNeedDocuments(db, { afterId, limit: batchSize });
    if (batch.length === 0) return;
    yield batch;
    afterId = batch[batch.length - 1]!.id;
  }
}

/** Open needs of some ACMs (an ACM change re-indexes its needs). */
export async function needIdsOfOrganisations(db: Db, organisationIds: number[]): Promise<number[]> {
  if (organisationIds.length === 0) return [];
  const found = await rows<{ id: number }>(db, sql`select id from needs where acm_id = any(${sql.param(organisationIds)}::int[])`);
  return found.map((r) => r.id);
}
