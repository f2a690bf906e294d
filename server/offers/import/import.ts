import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { and, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { offers, organisations, searchOutbox } from '../../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { slugify } from '../../lib/text.js';
import { availabilityDefaults } from '../offers.usecases.js';
import { Gazetteer } from './gazetteer.js';
import { CSV_COLUMNS, type CsvRecord, OWN_OFFER_KEY, OWN_ORG_KEY, type ParsedRow, parseRecord, REQUIRED_COLUMNS } from './rows.js';

export interface ImportOptions {
  /** New offers are published (CLI and admin imports) rather than sent to moderation. */
  publish: boolean;
  /** Runs everything in a transaction rolled back at the end: exact counts, nothing written. */
  dryRun?: boolean;
  batchSize?: number;
  /** Called with the number of bytes read so far (progress bars). */
  onProgress?: (bytes: number) => void;
  /** Called for every rejected row (rejects file). */
  onReject?: (reject: Reject) => void;
  /** How many errors the result keeps (all are counted and passed to onReject). */
  keepErrors?: number;
}

export interface Reject {
  line: number;
  reason: string;
  record: CsvRecord | null;
}

export interface ImportResult {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: { line: number; reason: string }[];
}

/** The file itself is unusable (no header, missing columns): nothing is imported. */
export class ImportFileError extends Error {}

class DryRunRollback extends Error {}

/** The columns an import sets; everything else (status, photo, departments…) is left as it is. */
const csvControlled = [
  'organisation_id',
  'title',
  'slug',
  'summary',
  'description',
  'themes',
  'subthemes',
  'formats',
  'venue',
  'travel_km',
  'age_min',
  'age_max',
  'group_min',
  'group_max',
  'price',
  'price_eur',
  'accessibility',
  'natures',
  'slots',
  'periodicity',
  'address',
  'postcode',
  'code_insee',
  'lat',
  'lng',
  'contact_email',
];
/** An empty date in the file keeps the stored one (new offers get the current school year). */
const keptWhenEmpty = ['start_date', 'end_date'];

const setClause = Object.fromEntries([
  ...csvControlled.map((column) => [camel(column), sql.raw(`excluded."${column}"`)]),
  ...keptWhenEmpty.map((column) => [camel(column), sql.raw(`coalesce(excluded."${column}", "offers"."${column}")`)]),
  ['updatedAt', sql.raw('excluded."updated_at"')],
]);
/** The slug is derived from the title: it is rewritten with it but is not a change on its own. */
const compared = csvControlled.filter((c) => c !== 'slug');
const changedWhere = sql.raw(
  `(${[...compared.map((c) => `"offers"."${c}"`), ...keptWhenEmpty.map((c) => `"offers"."${c}"`)].join(', ')}) is distinct from (${[
    ...compared.map((c) => `excluded."${c}"`),
    ...keptWhenEmpty.map((c) => `coalesce(excluded."${c}", "offers"."${c}")`),
  ].join(', ')})`,
);

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}

function csvReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'guillemets mal fermés : la ligne ne peut pas être lue';
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `nombre de colonnes incorrect (${(error as CsvError & { columns?: unknown[] }).columns?.length ?? '?'} attendues, ${(error as CsvError & { record?: unknown[] }).record?.length ?? '?'} trouvées)`;
    default:
      return `ligne illisible (${error.code})`;
  }
}

/** First line of a record: its last line minus the line breaks inside it. */
function startLine(lastLine: number, raw: string | undefined): number {
  if (!raw) return lastLine;
  const inner = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
  return lastLine - (inner.match(/\n/g)?.length ?? 0);
}

/**
 * Imports offers from a CSV stream (the contract of PRODUCT.md): streaming parse, batches of
 * 1,000 rows each in one transaction, upsert on external_id that rewrites only rows whose values
 * changed, organisations created or matched by org_external_id, and every bad row reported with
 * its line and reason without stopping the others.
 */
export async function importOffers(deps: Pick<Deps, 'db' | 'clock'>, input: Readable, options: ImportOptions): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 1000;
  const keepErrors = options.keepErrors ?? 1000;
  const result: ImportResult = { imported: 0, updated: 0, unchanged: 0, rejected: 0, errors: [] };
  const gazetteer = await Gazetteer.load(deps.db);
  const orgIds = new Map<string, number>();
  const seen = new Map<string, number>();
  const bounds = availabilityDefaults(deps);

  const reject = (line: number, reason: string, record: CsvRecord | null) => {
    result.rejected++;
    if (result.errors.length < keepErrors) result.errors.push({ line, reason });
    options.onReject?.({ line, reason, record });
  };

  let bytes = 0;
  if (options.onProgress) {
    input.on('data', (chunk: Buffer | string) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      options.onProgress?.(bytes);
    });
  }

  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => {
        const columns = header.map((h) => h.trim().toLowerCase());
        const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
        if (missing.length) throw new ImportFileError(`Colonnes manquantes dans l’en-tête : ${missing.join(', ')}.`);
        return columns.map((c) => ((CSV_COLUMNS as readonly string[]).includes(c) ? c : false));
      },
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      raw: true,
    }),
  );
  input.on('error', (error) => parser.destroy(error));
  const skippedLines = new Set<number>();
  parser.on('skip', (error: CsvError & { lines?: number; raw?: string }) => {
    const line = startLine(error.lines ?? 0, error.raw);
    if (skippedLines.has(line)) return;
    skippedLines.add(line);
    reject(line, csvReason(error), null);
  });

  async function run(outer: Db | null) {
    let batch: { row: ParsedRow; record: CsvRecord }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      if (outer) await writeBatch(outer, current);
      else await deps.db.transaction((tx) => writeBatch(tx, current));
    };
    for await (const { record, info, raw } of parser as AsyncIterable<{ record: CsvRecord; info: { lines: number }; raw: string }>) {
      const line = startLine(info.lines, raw);
      const parsed = parseRecord(record, line, gazetteer);
      if ('reasons' in parsed) {
        reject(line, parsed.reasons.join(' ; '), record);
        continue;
      }
      const firstLine = seen.get(parsed.row.externalId);
      if (firstLine !== undefined) {
        reject(line, `external_id « ${parsed.row.externalId} » en double dans le fichier (déjà ligne ${firstLine})`, record);
        continue;
      }
      seen.set(parsed.row.externalId, line);
      batch.push({ row: parsed.row, record });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  }

  async function writeBatch(tx: Db, items: { row: ParsedRow; record: CsvRecord }[]) {
    const now = deps.clock.now();
    const valid = await resolveOrganisations(tx, items, now);
    if (valid.length === 0) return;
    await adoptOwnOffers(tx, valid);
    const status = options.publish ? { status: 'published' as const, publishedAt: now } : { status: 'pending' as const, submittedAt: now };
    const returned = await tx
      .insert(offers)
      .values(valid.map(({ row, organisationId }) => ({ ...row.offer, organisationId, ...status, createdAt: now, updatedAt: now })))
      .onConflictDoUpdate({ target: offers.externalId, set: setClause, setWhere: changedWhere })
      .returning({ id: offers.id, inserted: sql<boolean>`(xmax = 0)` });
    const inserted = returned.filter((r) => r.inserted).map((r) => r.id);
    result.imported += inserted.length;
    result.updated += returned.length - inserted.length;
    result.unchanged += valid.length - returned.length;
    if (inserted.length > 0) {
      await tx
        .update(offers)
        .set({ startDate: bounds.start })
        .where(and(inArray(offers.id, inserted), isNull(offers.startDate)));
      await tx
        .update(offers)
        .set({ endDate: bounds.end })
        .where(and(inArray(offers.id, inserted), isNull(offers.endDate)));
    }
    if (returned.length > 0) await tx.insert(searchOutbox).values(returned.map((r) => ({ entity: 'offer' as const, entityId: r.id })));
  }

  /** Finds or creates the batch's organisations; rows whose organisation cannot be created are rejected. */
  async function resolveOrganisations(tx: Db, items: { row: ParsedRow; record: CsvRecord }[], now: Date) {
    const wanted = [...new Set(items.map((i) => i.row.org.externalId).filter((key) => !orgIds.has(key)))];
    const refused = new Map<string, string>();
    if (wanted.length > 0) {
      const ownIds = wanted
        .map((key) => OWN_ORG_KEY.exec(key)?.[1])
        .filter((id): id is string => Boolean(id))
        .map(Number);
      const found = await tx
        .select({ id: organisations.id, kind: organisations.kind, externalId: organisations.externalId })
        .from(organisations)
        .where(
          ownIds.length ? sql`${inArray(organisations.externalId, wanted)} or ${inArray(organisations.id, ownIds)}` : inArray(organisations.externalId, wanted),
        );
      for (const org of found) {
        const key = org.externalId && wanted.includes(org.externalId) ? org.externalId : `passerelle-structure-${org.id}`;
        if (org.kind !== 'partner') refused.set(key, `la structure « ${key} » est un accueil (ACM), pas un partenaire`);
        else orgIds.set(key, org.id);
      }
      const toCreate = new Map<string, ParsedRow>();
      for (const { row } of items) {
        const key = row.org.externalId;
        if (orgIds.has(key) || refused.has(key) || toCreate.has(key)) continue;
        if (OWN_ORG_KEY.test(key)) refused.set(key, `structure inconnue : « ${key} »`);
        else if (!row.org.name) refused.set(key, `structure « ${key} » inconnue : org_name est nécessaire pour la créer`);
        else toCreate.set(key, row);
      }
      if (toCreate.size > 0) {
        const created = await tx
          .insert(organisations)
          .values(
            [...toCreate.values()].map((row) => ({
              kind: 'partner' as const,
              name: row.org.name,
              slug: slugify(row.org.name),
              type: row.org.type ?? 'association',
              email: row.org.email,
              siret: row.org.siret,
              rna: row.org.rna,
              externalId: row.org.externalId,
              status: 'unverified' as const,
              address: row.offer.venue === 'dans-l-accueil' ? '' : (row.offer.address ?? ''),
              postcode: row.offer.postcode,
              codeInsee: row.offer.codeInsee,
              lat: row.offer.lat,
              lng: row.offer.lng,
              createdAt: now,
              updatedAt: now,
            })),
          )
          .returning({ id: organisations.id, externalId: organisations.externalId });
        for (const org of created) orgIds.set(org.externalId!, org.id);
        await tx.insert(searchOutbox).values(created.map((org) => ({ entity: 'organisation' as const, entityId: org.id })));
      }
    }
    const valid: { row: ParsedRow; organisationId: number }[] = [];
    for (const { row, record } of items) {
      const organisationId = orgIds.get(row.org.externalId);
      if (organisationId === undefined) reject(row.line, refused.get(row.org.externalId) ?? `structure inconnue : « ${row.org.externalId} »`, record);
      else valid.push({ row, organisationId });
    }
    return valid;
  }

  /** Offers created in the app are exported as "passerelle-offre-<id>": that key becomes theirs. */
  async function adoptOwnOffers(tx: Db, valid: { row: ParsedRow }[]) {
    const ids = valid.map(({ row }) => OWN_OFFER_KEY.exec(row.externalId)?.[1]).filter((id): id is string => Boolean(id));
    if (ids.length === 0) return;
    await tx
      .update(offers)
      .set({ externalId: sql`'passerelle-offre-' || ${offers.id}` })
      .where(and(inArray(offers.id, ids.map(Number)), isNull(offers.externalId)));
  }

  try {
    if (options.dryRun) {
      await deps.db.transaction(async (tx) => {
        await run(tx);
        throw new DryRunRollback();
      });
    } else {
      await run(null);
    }
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  result.errors.sort((a, b) => a.line - b.line);
  return result;
}
