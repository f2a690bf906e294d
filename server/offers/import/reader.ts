import type { Readable } from 'node:stream';
import type { CsvError } from 'csv-parse';
import { INVALID_UTF8, MAX_RECORD_CHARS, openCsv } from '../../lib/csv.js';
import { CSV_COLUMNS, type CsvRecord, REQUIRED_COLUMNS } from './rows.js';

/** The file itself is unusable (empty, no header, missing columns): nothing is imported. */
export class ImportFileError extends Error {}

/** Called, synchronously, for every line that cannot become a record (rejects file, report). */
type BadLineSink = (line: number, reason: string, record: CsvRecord | null) => void;

interface ReadLine {
  line: number;
  record: CsvRecord;
}

export const INVALID_ENCODING = 'encodage invalide (UTF-8 attendu)';

/** The columns a CSV contract reads: header names (after mapHeader), the required ones, those that may hold line breaks. */
export interface CsvSpec {
  columns: readonly string[];
  required: readonly string[];
  multiline: readonly string[];
  /** Turns a header cell (trimmed, lower-cased) into a column name: aliases of a contract. */
  mapHeader?: (header: string) => string;
}

/** Only the description may hold line breaks: one elsewhere means a quote left open swallowed lines. */
const offerSpec: CsvSpec = { columns: CSV_COLUMNS, required: REQUIRED_COLUMNS, multiline: ['description'] };

function csvReason(code: string | undefined, first: number, last: number, counts: string): string {
  const one = first === last;
  switch (code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return one ? 'guillemets mal fermés : la ligne ne peut pas être lue' : `guillemets mal fermés : les lignes ${first} à ${last} ne peuvent pas être lues`;
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return one
        ? `nombre de colonnes incorrect (${counts})`
        : `nombre de colonnes incorrect (${counts}) : un guillemet mal fermé a réuni les lignes ${first} à ${last}`;
    case 'CSV_MAX_RECORD_SIZE':
      // The parser stops there: say so rather than let the rest of the file vanish.
      return `plus de ${MAX_RECORD_CHARS.toLocaleString('fr-FR')} caractères à partir de cette ligne (guillemet jamais refermé ?) : la suite du fichier n’a pas été lue`;
    default:
      return one ? `ligne illisible (${code})` : `lignes ${first} à ${last} illisibles (${code})`;
  }
}

function unclosedReason(first: number, last: number): string {
  return first === last
    ? 'guillemet ouvert jamais refermé : la ligne ne peut pas être lue'
    : `guillemet ouvert ligne ${first} jamais refermé : les lignes ${first} à ${last} (fin du fichier) n’ont pas pu être lues`;
}

/** The lines of a record: its last line minus the line breaks inside it, then its last line. */
function linesOf(lastLine: number, raw: string | undefined): [number, number] {
  if (!raw) return [lastLine, lastLine];
  const inner = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
  return [lastLine - (inner.match(/\n/g)?.length ?? 0), lastLine];
}

/** A cell with a whole row of the file inside it: the quote before it was never closed where it should. */
function swallowedRow(record: Record<string, string | undefined>, delimiter: string, spec: CsvSpec): string | null {
  for (const [column, value] of Object.entries(record)) {
    if (!value?.includes('\n')) continue;
    if (!spec.multiline.includes(column)) return column;
    const rowLike = value.split('\n').some((line) => line.split(delimiter).length > spec.columns.length / 2);
    if (rowLike) return column;
  }
  return null;
}

/**
 * Reads the offers of a CSV file (PRODUCT.md's columns; ";" or "," detected from the header, BOM
 * or not) as records with their first line number. Lines that cannot be records are passed to
 * onBad with their reason as they are met — never kept, so that a file of junk streams in
 * bounded memory: broken quoting (with every line it took), a wrong number of columns, invalid
 * UTF-8, a cell that swallowed a row. The file is refused as a whole (ImportFileError) when it is
 * empty or its header lacks a required column.
 */
export function readOfferRecords(input: Readable, onBad: BadLineSink, onBytes?: (bytes: number) => void): AsyncGenerator<ReadLine> {
  return readCsvRecords(input, offerSpec, onBad as GenericBadLineSink, onBytes) as AsyncGenerator<ReadLine>;
}

type GenericRecord = Record<string, string | undefined>;
type GenericBadLineSink = (line: number, reason: string, record: GenericRecord | null) => void;

/** The same reading for any CSV contract (its columns, required and multiline ones): see readOfferRecords. */
export async function* readCsvRecords(
  input: Readable,
  spec: CsvSpec,
  onBad: GenericBadLineSink,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<{ line: number; record: GenericRecord }> {
  const mapHeader = spec.mapHeader ?? ((h: string) => h);
  const csv = await openCsv(input, onBytes);
  if (csv.empty) throw new ImportFileError('Le fichier est vide : il doit commencer par la ligne d’en-tête des colonnes.');
  const parser = csv.parse({
    columns: (header: string[]) => {
      if (header.some((h) => h.startsWith(INVALID_UTF8))) throw new ImportFileError(`Ligne d’en-tête illisible : ${INVALID_ENCODING}.`);
      const columns = header.map((h) => mapHeader(h.trim().toLowerCase()));
      const missing = spec.required.filter((c) => !columns.includes(c));
      if (missing.length) throw new ImportFileError(`Colonnes manquantes dans l’en-tête : ${missing.join(', ')}.`);
      return columns.map((c) => (spec.columns.includes(c) ? c : false));
    },
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    raw: true,
  });
  // A skipped record is reported once the next event shows where it ended: the parser may report
  // a bad quote, then the columns of the same record.
  let pending: { code: string | undefined; first: number; last: number; counts: string } | null = null;
  const report = () => {
    if (!pending) return;
    const { code, first, last, counts } = pending;
    pending = null;
    if (code === 'CSV_QUOTE_NOT_CLOSED') onBad(first, unclosedReason(first, last), null);
    else onBad(first, csvReason(code, first, last, counts), null);
  };
  parser.on('skip', (error: CsvError & { lines?: number; raw?: string; columns?: unknown[]; record?: unknown[] }) => {
    const [first, last] = linesOf(error.lines ?? 0, error.raw);
    if (pending && first <= pending.last) {
      pending.last = Math.max(last, pending.last);
      return;
    }
    report();
    pending = { code: error.code, first, last, counts: `${error.columns?.length ?? '?'} attendues, ${error.record?.length ?? '?'} trouvées` };
  });

  for await (const { record, info, raw } of parser as AsyncIterable<{ record: GenericRecord; info: { lines: number }; raw: string }>) {
    const [first, last] = linesOf(info.lines, raw);
    if (Object.values(record).some((v) => v?.startsWith(INVALID_UTF8))) {
      const readable = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v?.replace(INVALID_UTF8, '')]));
      onBad(first, INVALID_ENCODING, readable);
      continue;
    }
    const column = swallowedRow(record, csv.delimiter, spec);
    if (column) {
      onBad(first, `guillemet mal fermé : les lignes ${first} à ${last} ont été lues comme une seule (colonne ${column})`, record);
      continue;
    }
    yield { line: first, record };
  }
  report();
}
