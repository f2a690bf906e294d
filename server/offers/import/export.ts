import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { offers, organisations } from '../../../db/schema/index.js';
import { CSV_COLUMNS, type CsvColumn, type CsvRecord } from './rows.js';

const PAGE = 2000;

export interface ExportFilter {
  organisationId?: number;
  /** Called once per exported offer (the CLI counts them). */
  onRow?: () => void;
}

const join = (values: string[] | null) => (values ?? []).join('|');
const str = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));

/** Keyset pages of offers with their organisation, lightest first: the export never holds the whole table. */
async function* records(db: Db, filter: ExportFilter): AsyncGenerator<CsvRecord> {
  let lastId = 0;
  for (;;) {
    const conditions: SQL[] = [gt(offers.id, lastId)];
    if (filter.organisationId) conditions.push(eq(offers.organisationId, filter.organisationId));
    const page = await db
      .select({ offer: offers, org: organisations })
      .from(offers)
      .innerJoin(organisations, eq(organisations.id, offers.organisationId))
      .where(and(...conditions))
      .orderBy(asc(offers.id))
      .limit(PAGE);
    for (const { offer: o, org } of page) {
      const record: Record<CsvColumn, string> = {
        external_id: o.externalId ?? `passerelle-offre-${o.id}`,
        org_external_id: org.externalId ?? `passerelle-structure-${org.id}`,
        org_name: org.name,
        org_type: str(org.type),
        org_email: str(org.email),
        org_siret: str(org.siret),
        org_rna: str(org.rna),
        title: o.title,
        summary: o.summary,
        description: o.description,
        themes: join(o.themes),
        subthemes: join(o.subthemes),
        formats: join(o.formats),
        venue: o.venue,
        travel_km: str(o.travelKm),
        age_min: str(o.ageMin),
        age_max: str(o.ageMax),
        group_min: str(o.groupMin),
        group_max: str(o.groupMax),
        price: o.price,
        price_eur: o.priceEur === null ? '' : String(Number(o.priceEur)),
        accessibility: join(o.accessibility),
        natures: join(o.natures),
        slots: join(o.slots),
        periodicity: str(o.periodicity),
        address: o.address,
        postcode: str(o.postcode),
        code_insee: str(o.codeInsee),
        lat: str(o.lat),
        lng: str(o.lng),
        start_date: str(o.startDate),
        end_date: str(o.endDate),
        contact_email: str(o.contactEmail),
      };
      filter.onRow?.();
      yield record;
    }
    if (page.length < PAGE) return;
    lastId = page[page.length - 1]!.offer.id;
  }
}

/**
 * Offers as CSV in the import's columns (PRODUCT.md), so that exporting then importing the file
 * changes nothing. Offers and organisations created in the app get "passerelle-…-<id>" keys.
 */
export function exportOffersCsv(db: Db, filter: ExportFilter = {}): Readable {
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
  const source = Readable.from(records(db, filter));
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
