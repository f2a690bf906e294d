import type { Readable } from 'node:stream';
import { and, inArray, isNull, sql } from 'drizzle-orm';
import { type Db, rows } from '../../../db/client.js';
import { offers, organisations } from '../../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { slugify } from '../../kernel/text.js';
import { Gazetteer } from '../../territories/gazetteer.js';
import { availabilityDefaults } from '../offers.usecases.js';
import { readOfferRecords } from './reader.js';
import { type CsvRecord, OWN_OFFER_KEY, OWN_ORG_KEY, type ParsedRow, parseRecord } from './rows.js';
import { SeenKeys } from './seen-keys.js';

interface ImportOptions {
  /** New offers are published (CLI and admin imports) rather than sent to moderation. */
  publish: boolean;
  /** Runs everything in a transaction rolled back at the end: exact counts, nothing written. */
  dryRun?: boolean;
  batchSize?: number;
  /** Called with the number of bytes read so far (progress bars). */
  onProgress?: (bytes: number) => void;
  /** Called, synchronously, for every rejected row (rejects file): write it out, do not keep it. */
  onReject?: (reject: Reject) => void;
  /** How many errors the result keeps (all are counted and passed to onReject). */
  keepErrors?: number;
}

export interface Reject {
  line: number;
  reason: string;
  record: CsvRecord | null;
}

interface ImportResult {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: { line: number; reason: string }[];
}

export { ImportFileError } from './reader.js';

class DryRunRollback extends Error {}

/** The columns an import sets, with their types; everything else (photo, departments…) is left as it is. */
const csvControlled: [string, string][] = [
  ['organisation_id', 'int'],
  ['title', 'text'],
  ['slug', 'text'],
  ['summary', 'text'],
  ['description', 'text'],
  ['themes', 'text[]'],
  ['subthemes', 'text[]'],
  ['formats', 'text[]'],
  ['venue', 'text'],
  ['travel_km', 'int'],
  ['age_min', 'int'],
  ['age_max', 'int'],
  ['group_min', 'int'],
  ['group_max', 'int'],
  ['price', 'text'],
  ['price_eur', 'numeric'],
  ['accessibility', 'text[]'],
  ['natures', 'text[]'],
  ['slots', 'text[]'],
  ['periodicity', 'text'],
  ['address', 'text'],
  ['postcode', 'text'],
  ['code_insee', 'text'],
  ['lat', 'float8'],
  ['lng', 'float8'],
  ['contact_email', 'text'],
];
/** An empty date in the file keeps the stored one (new offers get the current school year). */
const keptWhenEmpty = ['start_date', 'end_date'];
/** Set on insert only. */
const insertOnly: [string, string][] = [
  ['external_id', 'text'],
  ['status', 'text'],
  ['published_at', 'timestamptz'],
  ['submitted_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];
const allColumns: [string, string][] = [...csvControlled, ...keptWhenEmpty.map((c): [string, string] => [c, 'date']), ...insertOnly];
/** The slug is derived from the title: it is rewritten with it but is not a change on its own. */
const compared = csvControlled.map(([c]) => c).filter((c) => c !== 'slug');

/**
 * One statement per batch, the rows passed as a single JSON parameter (jsonb_to_recordset): far
 * cheaper than thousands of bound values, on both drivers. A row whose values did not change is
 * not rewritten (the WHERE of the DO UPDATE), so it is neither returned nor counted.
 */
const upsertSql = (() => {
  const names = allColumns.map(([c]) => `"${c}"`).join(', ');
  const definition = allColumns.map(([c, type]) => `"${c}" ${type}`).join(', ');
  const set = [
    ...csvControlled.map(([c]) => `"${c}" = excluded."${c}"`),
    ...keptWhenEmpty.map((c) => `"${c}" = coalesce(excluded."${c}", "offers"."${c}")`),
    '"updated_at" = excluded."updated_at"',
  ].join(', ');
  const before = [...compared, ...keptWhenEmpty].map((c) => `"offers"."${c}"`).join(', ');
  const after = [...compared.map((c) => `excluded."${c}"`), ...keptWhenEmpty.map((c) => `coalesce(excluded."${c}", "offers"."${c}")`)].join(', ');
  return {
    head: `insert into "offers" (${names}) select ${names} from jsonb_to_recordset(`,
    tail: `::jsonb) as r(${definition}) on conflict ("external_id") do update set ${set} where (${before}) is distinct from (${after}) returning "id", ("xmax" = 0) as "inserted"`,
  };
})();

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
  const seen = new SeenKeys();
  const bounds = availabilityDefaults(deps);

  const reject = (line: number, reason: string, record: CsvRecord | null) => {
    result.rejected++;
    if (result.errors.length < keepErrors) result.errors.push({ line, reason });
    options.onReject?.({ line, reason, record });
  };

  async function run(outer: Db | null) {
    let batch: { row: ParsedRow; record: CsvRecord }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      if (outer) await writeBatch(outer, current);
      else await deps.db.transaction((tx) => writeBatch(tx, current));
    };
    for await (const { line, record } of readOfferRecords(input, reject, options.onProgress)) {
      const parsed = parseRecord(record, line, gazetteer);
      if ('reasons' in parsed) {
        reject(line, parsed.reasons.join(' ; '), record);
        continue;
      }
      const firstLine = seen.firstLine(parsed.row.externalId, line);
      if (firstLine !== undefined) {
        reject(line, `external_id « ${parsed.row.externalId} » en double dans le fichier (déjà ligne ${firstLine})`, record);
        continue;
      }
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
    const status = options.publish
      ? { status: 'published', published_at: now, submitted_at: null }
      : { status: 'pending', published_at: null, submitted_at: now };
    const payload = valid.map(({ row, organisationId }) => {
      const o = row.offer;
      return {
        organisation_id: organisationId,
        external_id: o.externalId,
        slug: o.slug,
        title: o.title,
        summary: o.summary,
        description: o.description,
        themes: o.themes,
        subthemes: o.subthemes,
        formats: o.formats,
        venue: o.venue,
        travel_km: o.travelKm,
        age_min: o.ageMin,
        age_max: o.ageMax,
        group_min: o.groupMin,
        group_max: o.groupMax,
        price: o.price,
        price_eur: o.priceEur,
        accessibility: o.accessibility,
        natures: o.natures,
        slots: o.slots,
        periodicity: o.periodicity,
        address: o.address,
        postcode: o.postcode,
        code_insee: o.codeInsee,
        lat: o.lat,
        lng: o.lng,
        start_date: o.startDate,
        end_date: o.endDate,
        contact_email: o.contactEmail,
        ...status,
        created_at: now,
        updated_at: now,
      };
    });
    const returned = await rows<{ id: number; inserted: boolean }>(tx, sql`${sql.raw(upsertSql.head)}${JSON.stringify(payload)}${sql.raw(upsertSql.tail)}`);
    const inserted = returned.filter((r) => r.inserted).map((r) => r.id);
    result.imported += inserted.length;
    result.updated += returned.length - inserted.length;
    result.unchanged += valid.length - returned.length;
    if (inserted.length > 0) {
      await rows(
        tx,
        sql`update "offers" set "start_date" = coalesce("start_date", ${bounds.start}::date), "end_date" = coalesce("end_date", ${bounds.end}::date)
            where "id" = any(${`{${inserted.join(',')}}`}::int[]) and ("start_date" is null or "end_date" is null)`,
      );
    }
    if (returned.length > 0) {
      await rows(tx, sql`insert into "search_outbox" ("entity", "entity_id") select 'offer', unnest(${`{${returned.map((r) => r.id).join(',')}}`}::int[])`);
    }
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
        // No outbox row for them: a new partner has no need, and each of its offers gets its own row
        // (re-indexing an organisation's offers would index a whole import twice).
        for (const org of created) orgIds.set(org.externalId!, org.id);
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
