import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { facetColumns, facetDefs, wordsOf } from '../facets.js';
import { toStored } from '../map-grid.js';
import { SNAPSHOT_COLUMNS, type SnapshotRow } from '../snapshot.js';
import { lexiconWords, sortedLetters } from '../text.js';
import { facetNames, type OfferDocument } from '../types.js';
import type { IndexVersion } from './index-version.js';

const BATCH = 500;
const BIT_COLUMNS = sql.raw(facetColumns.map((c) => c.column).join(', '));
const BIT_COLUMN_TYPES = sql.raw(facetColumns.map((c) => `${c.column} int`).join(', '));
const BIT_COLUMN_UPDATES = sql.raw(facetColumns.map((c) => `${c.column} = excluded.${c.column}`).join(', '));

/** The facet bit-mask columns of a document (search/facets.ts). */
function bitColumns(d: OfferDocument): Record<string, number> {
  const values: Record<(typeof facetNames)[number], (string | null)[]> = {
    theme: d.themes,
    subtheme: d.subthemes,
    age_band: d.ageBands,
    format: d.formats,
    venue: [d.venue],
    price: [d.price],
    accessibility: d.accessibility,
    org_type: [d.orgType],
    slot: d.slots,
  };
  const columns: Record<string, number> = {};
  for (const name of facetNames) {
    const words = wordsOf(name, values[name]);
    facetDefs[name].columns.forEach((column, word) => {
      columns[column] = words[word]!;
    });
  }
  return columns;
}

/** In the change log: a rebuild (every offer may have changed), or a write that changed none. */
export const ALL_OFFERS = 0;
export const NO_OFFER = -1;
/** Versions kept in the change log; an instance further behind reloads its snapshot. */
const CHANGE_LOG_VERSIONS = 10_000;

/**
 * The only writer of `search_offers` (and of the `search_words` lexicon): each write moves the
 * index version by one and logs the offers it changed (`search_offer_changes`), from which the
 * other instances catch their snapshots up.
 */
export class OfferIndexWriter {
  constructor(
    private readonly db: Db,
    private readonly version: IndexVersion,
  ) {}

  /** Writes the documents in batches; returns them as the snapshot keeps them. */
  async upsert(documents: OfferDocument[]): Promise<SnapshotRow[]> {
    const upserts: SnapshotRow[] = [];
    for (let i = 0; i < documents.length; i += BATCH) upserts.push(...(await this.upsertBatch(documents.slice(i, i + BATCH))));
    return upserts;
  }

  async delete(ids: number[]): Promise<void> {
    await rows(this.db, sql`delete from search_offers where id = any(${sql.param(ids)}::int[])`);
  }

  async rebuild(batches: AsyncIterable<OfferDocument[]>): Promise<{ count: number }> {
    // Upsert everything, then delete what was not rewritten: searches see a full index throughout.
    const [start] = await rows<{ t: string }>(this.db, sql`select clock_timestamp()::text as t`);
    await rows(this.db, sql`delete from search_words`);
    let count = 0;
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += BATCH) await this.upsertBatch(batch.slice(i, i + BATCH));
      count += batch.length;
    }
    await rows(this.db, sql`delete from search_offers where indexed_at < ${start!.t}::timestamptz`);
    await rows(this.db, sql`update search_state set rebuilt_at = now() where kind = 'offer'`);
    await rows(this.db, sql`analyze search_offers`);
    await this.bump([ALL_OFFERS]);
    return { count };
  }

  async count(): Promise<number> {
    const [row] = await rows<{ n: number }>(this.db, sql`select count(*)::int as n from search_offers`);
    return row?.n ?? 0;
  }

  /** Moves the index version by one, logging the offers it changed in the same statement. */
  async bump(changed: number[]): Promise<number> {
    const ids = changed.length > 0 ? changed : [NO_OFFER];
    const [row] = await rows<{ version: string | number }>(
      this.db,
      sql`with next as (
            insert into search_state (kind, version) values ('offer', 1)
            on conflict (kind) do update set version = search_state.version + 1 returning version
          ), logged as (
            insert into search_offer_changes (version, offer_id) select next.version, unnest(${sql.param(ids)}::int[]) from next
          )
          select version from next`,
    );
    const version = Number(row?.version ?? 0);
    this.version.set(version);
    if (version % 100 === 0) {
      await rows(this.db, sql`delete from search_offer_changes where version <= ${version - CHANGE_LOG_VERSIONS}`);
    }
    return version;
  }

  /** Writes the documents; returns them as the snapshot keeps them (lexemes as PostgreSQL stemmed them). */
  private async upsertBatch(documents: OfferDocument[]): Promise<SnapshotRow[]> {
    if (documents.length === 0) return [];
    const payload = documents.map((d) => {
      const comesToYou = d.venue === 'dans-l-accueil';
      return {
        id: d.id,
        organisation_id: d.organisationId,
        title: d.title,
        doc: toStored(d),
        themes: d.themes,
        subthemes: d.subthemes,
        formats: d.formats,
        accessibility: d.accessibility,
        natures: d.natures,
        slots: d.slots,
        age_bands: d.ageBands,
        venue: d.venue,
        price: d.price,
        org_type: d.orgType,
        age_min: d.ageMin,
        age_max: d.ageMax,
        ...bitColumns(d),
        start_date: d.startDate,
        end_date: d.endDate,
        lat: d.lat,
        lng: d.lng,
        travel_km: comesToYou && d.travelKm && d.travelKm > 0 ? d.travelKm : null,
        code_insee: d.codeInsee,
        department: d.department,
        region: d.region,
        departments_served: comesToYou ? d.departmentsServed : [],
        departments: [...new Set([...(d.department ? [d.department] : []), ...(comesToYou ? d.departmentsServed : [])])],
        regions: [...new Set([...(d.region ? [d.region] : []), ...(comesToYou ? d.regionsServed : [])])],
        text_a: d.title,
        text_b: [...d.subthemeLabels, ...d.themeLabels].join(' · '),
        text_c: d.summary,
        text_d: `${d.description} ${d.orgName}`,
        published_at: d.publishedAt,
      };
    });
    const written = await rows<SnapshotRow>(
      this.db,
      sql`insert into search_offers (id, organisation_id, title, doc, themes, subthemes, formats, accessibility, natures, slots, age_bands,
            venue, price, org_type, age_min, age_max, ${BIT_COLUMNS}, start_date, end_date,
            lat, lng, pt, lnglat, travel_km, travel_area, code_insee, department, region, departments_served, departments, regions, tsv, published_at, indexed_at)
          select id, organisation_id, title, doc, themes, subthemes, formats, accessibility, natures, slots, age_bands,
            venue, price, org_type, age_min, age_max, ${BIT_COLUMNS}, start_date, end_date,
            lat, lng,
            case when lat is not null and lng is not null then ll_to_earth(lat, lng) end,
            case when lat is not null and lng is not null then point(lng, lat) end,
            travel_km,
            case when lat is not null and lng is not null and travel_km is not null then earth_box(ll_to_earth(lat, lng), travel_km * 1000.0) end,
            code_insee, department, region, departments_served, departments, regions,
            setweight(to_tsvector('french', immutable_unaccent(text_a)), 'A')
              || setweight(to_tsvector('french', immutable_unaccent(text_b)), 'B')
              || setweight(to_tsvector('french', immutable_unaccent(text_c)), 'C')
              || setweight(to_tsvector('french', immutable_unaccent(text_d)), 'D'),
            published_at, clock_timestamp()
          from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as d(id int, organisation_id int, title text, doc jsonb, themes text[],
            subthemes text[], formats text[], accessibility text[], natures text[], slots text[], age_bands text[], venue text, price text,
            org_type text, age_min int, age_max int, ${BIT_COLUMN_TYPES}, start_date date, end_date date, lat float8, lng float8, travel_km int, code_insee text, department text, region text,
            departments_served text[], departments text[], regions text[], text_a text, text_b text, text_c text, text_d text, published_at timestamptz)
          on conflict (id) do update set organisation_id = excluded.organisation_id, title = excluded.title, doc = excluded.doc,
            themes = excluded.themes, subthemes = excluded.subthemes, formats = excluded.formats, accessibility = excluded.accessibility,
            natures = excluded.natures, slots = excluded.slots, age_bands = excluded.age_bands, venue = excluded.venue, price = excluded.price,
            org_type = excluded.org_type, age_min = excluded.age_min, age_max = excluded.age_max, ${BIT_COLUMN_UPDATES},
            start_date = excluded.start_date, end_date = excluded.end_date, lat = excluded.lat, lng = excluded.lng, pt = excluded.pt,
            lnglat = excluded.lnglat, travel_km = excluded.travel_km, travel_area = excluded.travel_area, code_insee = excluded.code_insee,
            department = excluded.department, region = excluded.region, departments_served = excluded.departments_served,
            departments = excluded.departments, regions = excluded.regions, tsv = excluded.tsv, published_at = excluded.published_at,
            indexed_at = excluded.indexed_at
          returning ${SNAPSHOT_COLUMNS}`,
    );
    const words = new Set<string>();
    for (const d of documents) {
      for (const text of [d.title, d.summary, d.description, d.orgName, ...d.themeLabels, ...d.subthemeLabels]) {
        for (const word of lexiconWords(text)) words.add(word);
      }
    }
    const list = [...words];
    if (list.length > 0) {
      await rows(
        this.db,
        sql`insert into search_words (word, sig) select * from unnest(${sql.param(list)}::text[], ${sql.param(list.map(sortedLetters))}::text[])
            on conflict do nothing`,
      );
    }
    return written;
  }
}
