import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';

/**
 * Reads a CSV file as Excel (French settings) and LibreOffice do on a double-click, and checks
 * that they would read it right: a UTF-8 byte order mark, ";" between cells, CRLF after every
 * record (line breaks inside quoted cells aside). Returns the records keyed by header.
 */
export function readAsExcel(file: Buffer | string): Record<string, string>[] {
  const bytes = Buffer.isBuffer(file) ? file : Buffer.from(file);
  expect([...bytes.subarray(0, 3)], 'UTF-8 byte order mark').toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const outsideQuotes = text.replace(/"(?:[^"]|"")*"/g, '');
  expect(outsideQuotes.endsWith('\r\n'), 'CRLF after the last record').toBe(true);
  expect(
    outsideQuotes
      .split('\n')
      .slice(0, -1)
      .filter((line) => !line.endsWith('\r')),
    'records ending without CR',
  ).toEqual([]);
  return parse(text, { delimiter: ';', record_delimiter: '\r\n', columns: true, relax_quotes: false });
}
