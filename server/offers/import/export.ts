import type { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../../db/client.js';
import { csvStream } from '../../lib/csv.js';
import { statusLabels } from '../offers.labels.js';
import type { OfferStatus } from '../offers.repository.js';
import { CSV_COLUMNS, type CsvColumn, type CsvRecord } from './rows.js';

const PAGE = 5000;

interface ExportFilter {
  organisationId?: number;
  /** Only offers in this status (the admin exports what its overview counts). */
  status?: OfferStatus;
  /** Called once per exported offer (the CLI counts them). */
  onRow?: () => void;
}

const join = (values: string[] | null) => (values ?? []).join('|');
const str = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));

interface ExportRow {
  id: number;
  external_id: string | null;
  org_id: number;
  org_external_id: string | null;
  org_name: string;
  org_type: string | null;
  org_email: string | null;
  org_siret: string | null;
  org_rna: string | null;
  title: string;
  summary: string;
  description: string;
  themes: string[];
  subthemes: string[];
  formats: string[];
  venue: string;
  travel_km: number | null;
  age_min: number;
  age_max: number;
  group_min: number | null;
  group_max: number | null;
  price: string;
  price_eur: string | null;
  accessibility: string[];
  natures: string[];
  slots: string[];
  periodicity: string | null;
  address: string;
  postcode: string | null;
  code_insee: string | null;
  lat: number | null;
  lng: number | null;
  start_date: string | null;
  end_date: string | null;
  contact_email: string | null;
  status: OfferStatus;
}

/** The import's columns, then the offer's status as people read it (the import ignores it). */
const EXPORT_COLUMNS = [...CSV_COLUMNS, 'status'] as const;

/** Keyset pages of offers with their organisation (raw SQL: no per-row mapping), never the whole table at once. */
async function* records(db: Db, filter: ExportFilter): AsyncGenerator<CsvRecord & { status: string }> {
  let lastId = 0;
  for (;;) {
    const page = await rows<ExportRow>(
      db,
      sql`select o.id, o.external_id, g.id as org_id, g.external_id as org_external_id, g.name as org_name, g.type as org_type, g.email as org_email,
                 g.siret as org_siret, g.rna as org_rna, o.title, o.summary, o.description, o.themes, o.subthemes, o.formats, o.venue, o.travel_km,
                 o.age_min, o.age_max, o.group_min, o.group_max, o.price, o.price_eur::text as price_eur, o.accessibility, o.natures, o.slots,
                 o.periodicity, o.address, o.postcode, o.code_insee, o.lat, o.lng, o.start_date::text as start_date, o.end_date::text as end_date,
                 o.contact_email, o.status
          from offers o join organisations g on g.id = o.organisation_id
          where o.id > ${lastId} ${filter.organisationId ? sql`and o.organisation_id = ${filter.organisationId}` : sql``}
                ${filter.status ? sql`and o.status = ${filter.status}` : sql``}
          order by o.id
          limit ${PAGE}`,
    );
    for (const o of page) {
      const record: Record<CsvColumn, string> = {
        external_id: o.external_id ?? `passerelle-offre-${o.id}`,
        org_external_id: o.org_external_id ?? `passerelle-structure-${o.org_id}`,
        org_name: o.org_name,
        org_type: str(o.org_type),
        org_email: str(o.org_email),
        org_siret: str(o.org_siret),
        org_rna: str(o.org_rna),
        title: o.title,
        summary: o.summary,
        description: o.description,
        themes: join(o.themes),
        subthemes: join(o.subthemes),
        formats: join(o.formats),
        venue: o.venue,
        travel_km: str(o.travel_km),
        age_min: str(o.age_min),
        age_max: str(o.age_max),
        group_min: str(o.group_min),
        group_max: str(o.group_max),
        price: o.price,
        price_eur: o.price_eur === null ? '' : String(Number(o.price_eur)),
        accessibility: join(o.accessibility),
        natures: join(o.natures),
        slots: join(o.slots),
        periodicity: str(o.periodicity),
        address: o.address,
        postcode: str(o.postcode),
        code_insee: str(o.code_insee),
        lat: str(o.lat),
        lng: str(o.lng),
        start_date: str(o.start_date),
        end_date: str(o.end_date),
        contact_email: str(o.contact_email),
      };
      filter.onRow?.();
      yield { ...record, status: statusLabels[o.status]?.label ?? o.status };
    }
    if (page.length < PAGE) return;
    lastId = page[page.length - 1]!.id;
  }
}

/**
 * Offers as CSV in the import's columns (PRODUCT.md) plus their status, so that exporting then
 * importing the file changes nothing. Offers and organisations created in the app get
 * "passerelle-…-<id>" keys.
 */
export function exportOffersCsv(db: Db, filter: ExportFilter = {}): Readable {
  return csvStream([...EXPORT_COLUMNS], records(db, filter));
}
