import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { type Options, type Parser, parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { parisToday } from '../kernel/paris-time.js';
import { stripControlChars } from './validation.js';

/**
 * The CSV dialect of every file the app writes: what Excel (fr-FR) and LibreOffice open right by
 * double-click. A byte order mark says UTF-8 (without it Excel reads Windows-1252 and mangles
 * accents), the semicolon is the list separator of French Windows (a comma puts everything in
 * one column), CRLF ends records, and fields are quoted as RFC 4180 says (when they hold the
 * delimiter, a quote or a line break).
 */
const CSV_DELIMITER = ';';
// quote_record_delimiter: a lone LF or CR is quoted too (RFC 4180), not only the CRLF delimiter.
const dialect = { delimiter: CSV_DELIMITER, record_delimiter: 'windows', quote_record_delimiter: true, quote: '"', escape: '"' } as const;

/** A column of an export: the key of the record and the header written for it. */
type CsvColumnSpec = string | { key: string; header: string };
type CsvValue = string | number | null | undefined;

/**
 * Cells a spreadsheet would run as a formula (OWASP "CSV injection"): they start with = + - @, a
 * tab or a carriage return (or the full-width = + - @ that Apple Numbers reads as those). Apostrophes before them are part of the pattern, so that an exported
 * value that already starts with an apostrophe gets one more and restoreCell gives it back whole.
 */
const formulaStart = /^'*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const neutralised = /^'+[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** A plain number (a negative longitude, "+33") is data for every spreadsheet, never a formula. */
const plainNumber = /^[+-]?\d+([.,]\d+)?$/;

/** Prefixes a cell that a spreadsheet would evaluate with an apostrophe (shown as text). */
export function neutraliseCell(value: string): string {
  return formulaStart.test(value) && !plainNumber.test(value) ? `'${value}` : value;
}

/** The inverse of neutraliseCell, for imports: exporting then importing a file changes nothing. */
export function restoreCell(value: string): string {
  return neutralised.test(value) ? value.slice(1) : value;
}

function cellText(value: CsvValue): string {
  return value === null || value === undefined ? '' : neutraliseCell(String(value));
}

function normalise(columns: CsvColumnSpec[]) {
  return columns.map((c) => (typeof c === 'string' ? { key: c, header: c } : c));
}

function rowOf(columns: { key: string }[], record: Record<string, CsvValue>): string[] {
  return columns.map((c) => cellText(record[c.key]));
}

/**
 * A CSV stream in the app's dialect: write records (objects keyed by column), read bytes. The
 * header is written even when there are no records; every cell is neutralised.
 */
function csvWriter(columns: CsvColumnSpec[]) {
  const specs = normalise(columns);
  const stream = stringify({ ...dialect, bom: true, header: true, columns: specs.map((c) => c.header) });
  const row = (record: Record<string, CsvValue>) => rowOf(specs, record);
  return {
    stream,
    row,
    /** Writes one record; resolves once the stream can take more (backpressure). */
    write: async (record: Record<string, CsvValue>) => {
      if (!stream.write(row(record))) await new Promise((resolve) => stream.once('drain', resolve));
    },
  };
}

/** Records from a (possibly async) source as a CSV byte stream: a download or a file. */
export function csvStream(columns: CsvColumnSpec[], records: Iterable<Record<string, CsvValue>> | AsyncIterable<Record<string, CsvValue>>): Readable {
  const writer = csvWriter(columns);
  async function* rows() {
    for await (const record of records) yield writer.row(record);
  }
  const source = Readable.from(rows());
  source.on('error', (error) => writer.stream.destroy(error));
  return source.pipe(writer.stream);
}

/**
 * The same dialect, synchronously, for files written line by line (a rejects file next to a
 * command's input): the header with its byte order mark, then one string per record.
 */
export function csvLines(columns: CsvColumnSpec[]) {
  const specs = normalise(columns);
  return {
    header: `\uFEFF${stringifySync([specs.map((c) => c.header)], dialect)}`,
    line: (record: Record<string, CsvValue>) => stringifySync([rowOf(specs, record)], dialect),
  };
}

/** "offres-2026-12-04.csv": a download's name with the day it was made, in Paris. */
export function csvFilename(base: string, date: Date): string {
  return `${base}-${parisToday(date)}.csv`;
}

/** Content-Type and Content-Disposition of a CSV download. */
export function csvDownloadHeaders(filename: string): Record<string, string> {
  const ascii = filename.replace(/[^\w.-]+/g, '-');
  return {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'cache-control': 'no-store',
  };
}

// ——— Reading ———

type CsvDelimiter = ',' | ';' | '\t';
const candidates: CsvDelimiter[] = [';', ',', '\t'];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A header line longer than this is not a header: the detection looks no further. */
const HEAD_LIMIT = 64 * 1024;

/** The delimiter of a header line: the candidate that occurs most outside quotes (comma on a tie). */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  for (const candidate of candidates) if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  return best;
}

/** Marks a cell that is not valid UTF-8 (control characters never survive readCell otherwise). */
export const INVALID_UTF8 = '\u0000';
/** Far above any real record, it bounds the memory an unclosed quote can take. */
export const MAX_RECORD_CHARS = 1_000_000;
const windows1252 = new TextDecoder('windows-1252');

/**
 * A cell as the parser reads it: bytes, one per character (latin1, so that invalid UTF-8 can be
 * told). Valid UTF-8 gives its text, un-neutralised (restoreCell) and without control characters
 * (a NUL would make PostgreSQL refuse a whole batch). Anything else gives INVALID_UTF8 followed
 * by the bytes read as Windows-1252 (what such files usually are), to be refused with the line.
 */
export function readCell(bytes: string): string {
  const buffer = Buffer.from(bytes, 'latin1');
  if (!isUtf8(buffer)) return INVALID_UTF8 + stripControlChars(windows1252.decode(buffer));
  return stripControlChars(restoreCell(buffer.toString('utf8')));
}

interface CsvInput {
  delimiter: CsvDelimiter;
  /** Nothing but a byte order mark or blank lines. */
  empty: boolean;
  /** Parses the whole input (header included) with these options added to the dialect's. */
  parse: (options: Options) => Parser;
}

/**
 * Opens a CSV input: reads up to the end of its first line to find the delimiter, drops a UTF-8
 * byte order mark, then parses the whole content (bytes counted through onBytes as they are read,
 * for progress bars). Both the app's files (BOM, ";", CRLF) and plain comma files are read.
 */
export async function openCsv(input: Readable, onBytes?: (bytes: number) => void): Promise<CsvInput> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let bytes = 0;
  const next = async (): Promise<Buffer | null> => {
    const { value, done } = await iterator.next();
    if (done) return null;
    const chunk = typeof value === 'string' ? Buffer.from(value) : value;
    bytes += chunk.length;
    onBytes?.(bytes);
    return chunk;
  };
  // Up to the end of the first line that is not blank (or HEAD_LIMIT, or the end of the input).
  let start = Buffer.alloc(0);
  let ended = false;
  let bomChecked = false;
  const headerLine = () => {
    const text = start.toString('latin1');
    const firstText = text.search(/\S/);
    if (firstText === -1) return null;
    const end = text.indexOf('\n', firstText);
    return end === -1 ? null : text.slice(firstText, end);
  };
  while (start.length < HEAD_LIMIT && headerLine() === null) {
    const chunk = await next();
    if (!chunk) {
      ended = true;
      break;
    }
    start = Buffer.concat([start, chunk]);
    if (!bomChecked && start.length >= BOM.length) {
      bomChecked = true;
      if (start.subarray(0, BOM.length).equals(BOM)) start = start.subarray(BOM.length);
    }
  }
  const delimiter = detectDelimiter(headerLine() ?? start.toString('latin1').trim().slice(0, HEAD_LIMIT));
  async function* body() {
    if (start.length) yield start;
    if (ended) return;
    for (let chunk = await next(); chunk; chunk = await next()) yield chunk;
  }
  return {
    delimiter,
    empty: ended && start.toString('latin1').trim() === '',
    parse: (options) => {
      const parser = parse({ max_record_size: MAX_RECORD_CHARS, ...options, delimiter, bom: false, encoding: 'latin1', cast: readCell });
      const source = Readable.from(body(), { objectMode: false });
      source.on('error', (error) => parser.destroy(error));
      return source.pipe(parser);
    },
  };
}
