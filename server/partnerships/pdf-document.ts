import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';

// DejaVu Sans (Bitstream Vera licence, changes in the public domain): an open font covering
// French and typographic signs (’ « » — €, narrow no-break spaces), embedded as a subset.
const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = join(fontDir, 'DejaVuSans.ttf');
const BOLD = join(fontDir, 'DejaVuSans-Bold.ttf');

export const pdfColours = { text: '#1d2433', heading: '#281f66', muted: '#4d5566', danger: '#b3261e' } as const;

interface TaggedPdf {
  doc: PDFKit.PDFDocument;
  /** Left margin and usable width of the page. */
  left: number;
  width: number;
  /** Draws one structure element (H1, H2, P, L…) of the document, in reading order. */
  block: (type: string, draw: () => void) => void;
  /** Draws a list (L), one list item (LI, its body LBody) per function. */
  list: (items: (() => void)[]) => void;
  /** Ends the structure, writes « label — page n sur N » at the foot of every page (as artifacts) and returns the file. */
  finish: (footer: string) => Promise<Buffer>;
}

/**
 * An A4 tagged PDF (title, language fr-FR, structure tree in reading order) with the DejaVu fonts
 * registered as « Body » and « Bold ». Draw with `block`, then `finish`.
 */
export function taggedPdf(info: { title: string; subject: string }): TaggedPdf {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 64, left: 62, right: 62 },
    bufferPages: true,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'fr-FR',
    displayTitle: true,
    info: { Title: info.title, Author: 'Passerelle', Subject: info.subject },
  });
  doc.registerFont('Body', REGULAR);
  doc.registerFont('Bold', BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const left = doc.page.margins.left;
  const block = (type: string, draw: () => void) => {
    root.add(doc.struct(type, {}, draw));
  };
  const list = (items: (() => void)[]) => {
    const element = doc.struct('L');
    root.add(element);
    for (const item of items) {
      const li = doc.struct('LI');
      element.add(li);
      li.add(doc.struct('LBody', {}, item));
      li.end();
    }
    element.end();
  };
  const finish = (footer: string) => {
    root.end();
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.markContent('Artifact', { type: 'Pagination' });
      doc
        .font('Body')
        .fontSize(8.5)
        .fillColor(pdfColours.muted)
        .text(`${footer} — page ${i + 1} sur ${range.count}`, left, doc.page.height - 40, { width, align: 'center', lineBreak: false });
      doc.endMarkedContent();
      doc.page.margins.bottom = bottom;
    }
    doc.end();
    return done;
  };
  return { doc, left, width, block, list, finish };
}
