import PDFDocument from 'pdfkit';
import { firstOfMonth } from '../lib/format.js';

export interface PdfSignature {
  organisation: string;
  name: string;
  role: string;
  signedAt: Date;
}

export interface ConventionPdfInput {
  text: string;
  hash: string;
  reference: string;
  /** Null for a draft: the PDF says it is not signed. */
  version: number | null;
  signatures: PdfSignature[];
}

/** Characters of the Windows-1252 range above 0x7f that the standard PDF fonts can draw. */
const winAnsiExtras = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const replacements: Record<string, string> = {
  '\u202f': ' ',
  '\u2009': ' ',
  '\u2007': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2010': '-',
  '\u2011': '-',
  '\u2212': '-',
  '≥': '>=',
  '≤': '<=',
  '→': '->',
};

/**
 * The standard PDF fonts (Helvetica) use the WinAnsi encoding, which covers French (accents, œ,
 * guillemets, apostrophe ’, €); anything else is replaced so that no glyph is lost silently.
 */
export function winAnsi(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff) || winAnsiExtras.has(char) || char === '\n') out += char;
    else out += replacements[char] ?? '?';
  }
  return out;
}

const frenchDateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Paris' });

/** The convention as a PDF, laid out from its exact text (headings, bullets), with the signatures after it. */
export function conventionPdf(input: ConventionPdfInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 64, left: 62, right: 62 },
    bufferPages: true,
    info: { Title: `Convention de partenariat ${input.reference}`, Author: 'Passerelle', Subject: 'Plan mercredi' },
    lang: 'fr-FR',
  } as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const lines = winAnsi(input.text).split('\n');
  const [title, ...rest] = lines;
  if (input.version === null) {
    doc.font('Helvetica-Bold').fontSize(10).fillColor('#b3261e').text('PROJET — document non signé', { align: 'right' });
    doc.moveDown(0.5);
  }
  doc
    .font('Helvetica-Bold')
    .fontSize(15)
    .fillColor('#1d2433')
    .text(title ?? '', { align: 'center' });
  doc.moveDown(0.8);
  for (const line of rest) {
    if (!line.trim()) {
      doc.moveDown(0.4);
    } else if (/^Article \d+ — /.test(line)) {
      doc.moveDown(0.3).font('Helvetica-Bold').fontSize(12).fillColor('#281f66').text(line, { width });
      doc.moveDown(0.2);
    } else if (/^\s*• /.test(line)) {
      const indent = line.startsWith('  ') ? 28 : 14;
      doc
        .font('Helvetica')
        .fontSize(10.5)
        .fillColor('#1d2433')
        .text(line.trim(), doc.page.margins.left + indent, undefined, { width: width - indent });
      doc.x = doc.page.margins.left;
    } else {
      doc.font('Helvetica').fontSize(10.5).fillColor('#1d2433').text(line.trim(), { width });
    }
  }
  doc.moveDown(1);
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .fillColor('#281f66')
    .text(input.version ? `Signatures électroniques (version ${input.version})` : 'Signatures', { width });
  doc.font('Helvetica').fontSize(10.5).fillColor('#1d2433');
  if (input.signatures.length === 0) doc.text('Aucune signature : ce projet doit être signé par les deux parties sur Passerelle.', { width });
  for (const s of input.signatures) {
    doc.text(winAnsi(`${s.organisation} — ${s.name}, ${s.role}, signé le ${firstOfMonth(frenchDateTime.format(s.signedAt))} (heure de Paris)`), { width });
  }
  doc.moveDown(0.5);
  doc.fontSize(9).fillColor('#4d5566').text(`Empreinte SHA-256 du texte signé : ${input.hash}`, { width });
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor('#4d5566')
      .text(`${input.reference} — page ${i + 1} sur ${range.count}`, doc.page.margins.left, doc.page.height - 40, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
