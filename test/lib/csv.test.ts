import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvFilename, csvLines, csvStream, detectDelimiter, neutraliseCell, openCsv, readCell, restoreCell } from '../../server/lib/csv.js';
import { readAsExcel } from '../helpers/csv.js';

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const hostile = ['＝1+1', '=HYPERLINK("http://evil.example","clic")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)', '\tonglet', '\rretour', "'=déjà", "''+deux"];

describe('CSV writer', () => {
  it('writes what Excel fr-FR opens right: BOM, semicolons, CRLF, RFC 4180 quotes', async () => {
    const file = await text(
      csvStream(
        [{ key: 'title', header: 'titre' }, 'note'],
        [
          { title: 'Atelier d’opposition ; judo', note: 'Ligne 1\nLigne 2, « guillemets » et "citation"' },
          { title: 'Éveil', note: null },
        ],
      ),
    );
    expect(file.toString('utf8')).toBe('\uFEFFtitre;note\r\n"Atelier d’opposition ; judo";"Ligne 1\nLigne 2, « guillemets » et ""citation"""\r\nÉveil;\r\n');
    expect(readAsExcel(file)).toEqual([
      { titre: 'Atelier d’opposition ; judo', note: 'Ligne 1\nLigne 2, « guillemets » et "citation"' },
      { titre: 'Éveil', note: '' },
    ]);
  });

  it('quotes a cell holding a bare line break, which would otherwise end the record', async () => {
    const file = await text(csvStream(['a', 'b'], [{ a: 'Ligne 1\nLigne 2', b: 'x\ry' }]));
    expect(file.toString('utf8')).toBe('\uFEFFa;b\r\n"Ligne 1\nLigne 2";"x\ry"\r\n');
  });

  it('writes the header alone when there is nothing to export', async () => {
    expect((await text(csvStream(['a', 'b'], []))).toString('utf8')).toBe('\uFEFFa;b\r\n');
  });

  it('neutralises every cell a spreadsheet would run as a formula, and the import gets it back', async () => {
    const file = await text(
      csvStream(
        ['value'],
        hostile.map((value) => ({ value })),
      ),
    );
    const cells = readAsExcel(file).map((r) => r.value!);
    for (const cell of cells) expect(cell.startsWith("'")).toBe(true);
    expect(cells.map(restoreCell)).toEqual(hostile);
    expect(cells.map((cell) => readCell(Buffer.from(cell).toString('latin1')))).toEqual(hostile);
  });

  it('leaves plain numbers and ordinary text alone', () => {
    for (const value of ['-1.55', '+33', '-0,5', '12', "l'atelier", 'Judo', '', '2026-09-02']) {
      expect(neutraliseCell(value)).toBe(value);
      expect(restoreCell(value)).toBe(value);
    }
  });

  it('writes rejects line by line in the same dialect', () => {
    const lines = csvLines(['line', 'reason']);
    expect(lines.header + lines.line({ line: 3, reason: '=1+1; faux' })).toBe('\uFEFFline;reason\r\n3;"\'=1+1; faux"\r\n');
  });

  it('names a download with the day in Paris', () => {
    expect(csvFilename('offres', new Date('2026-12-31T23:30:00Z'))).toBe('offres-2027-01-01.csv');
    expect(csvFilename('offres', new Date('2026-07-01T21:59:00Z'))).toBe('offres-2026-07-01.csv');
  });
});

describe('CSV reader', () => {
  it('detects the delimiter from the header line, quotes aside', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"x;y;z",b,c')).toBe(',');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('seule')).toBe(',');
  });

  it('drops the byte order mark and reads a header split over several chunks', async () => {
    const bytes = Buffer.from('\uFEFFa;b\r\n1;é\r\n');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const csv = await openCsv(Readable.from(chunks));
    expect(csv.delimiter).toBe(';');
    const records: unknown[] = [];
    for await (const record of csv.parse({ columns: true })) records.push(record);
    expect(records).toEqual([{ a: '1', b: 'é' }]);
  });

  it('says a file of nothing but a byte order mark and blank lines is empty', async () => {
    expect((await openCsv(Readable.from([Buffer.alloc(0)]))).empty).toBe(true);
    expect((await openCsv(Readable.from([Buffer.from('\uFEFF\r\n\n')]))).empty).toBe(true);
    expect((await openCsv(Readable.from([Buffer.from('a')]))).empty).toBe(false);
  });

  it('marks a cell that is not UTF-8 instead of decoding it to replacement characters', () => {
    const latin = Buffer.from('Activit\xe9 sportive', 'latin1').toString('latin1');
    expect(readCell(latin)).toBe('\u0000Activité sportive');
    expect(readCell(Buffer.from('Activité').toString('latin1'))).toBe('Activité');
  });
});
