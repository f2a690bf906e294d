import { firstOfMonth } from '../lib/format.js';
import { taggedPdf } from './pdf-document.js';

export interface PdfSignature {
  organisation: string;
  name: string;
  role: string;
  signedAt: Date;
  /** SHA-256 of the exact text this party signed. */
  hash: string;
}

interface ConventionPdfInput {
  text: string;
  hash: string;
  reference: string;
  /** Null for a draft: the PDF says it is not signed by both parties. */
  version: number | null;
  /** Every signature made on this text so far (one party only while the other has not signed). */
  signatures: PdfSignature[];
  /** « Avenant n° 1 »… for an amendment (its text lists what it changes). */
  label?: string;
  /** The amendments signed after the convention, each on new pages. */
  amendments?: ConventionPdfInput[];
}

const frenchDateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Paris' });

function signatureLine(s: PdfSignature): string {
  return `${s.organisation} — ${s.name}, ${s.role}, a signé le ${firstOfMonth(frenchDateTime.format(s.signedAt))} (heure de Paris).`;
}

/** The wording under the text, honest about what is signed: a draft has no "texte signé". */
function hashLine(input: Pick<ConventionPdfInput, 'version' | 'hash' | 'label'>): string {
  if (input.version === null) return `Empreinte SHA-256 de ce projet (non signé par les deux parties) : ${input.hash}`;
  if (input.label?.startsWith('Avenant'))
    return `Empreinte SHA-256 du texte consolidé signé avec l’${input.label.toLowerCase()} (version ${input.version}) : ${input.hash}`;
  return `Empreinte SHA-256 du texte signé (version ${input.version}) : ${input.hash}`;
}

function signaturesHeading(input: Pick<ConventionPdfInput, 'version' | 'label'>): string {
  if (!input.version) return 'Signatures';
  return input.label?.startsWith('Avenant')
    ? `Signatures électroniques de l’${input.label.toLowerCase()}`
    : `Signatures électroniques (version ${input.version})`;
}

/**
 * The convention as a tagged PDF (title, language fr-FR, headings and paragraphs in reading
 * order, page footers as artifacts), laid out from its exact text, with every signature after it.
 */
export function conventionPdf(input: ConventionPdfInput): Promise<Buffer> {
  const amendments = input.amendments ?? [];
  const last = amendments.at(-1);
  const title = `Convention de partenariat ${input.reference}${input.version === null ? ' (projet)' : last ? ` et ${amendments.length === 1 ? 'son avenant' : `ses ${amendments.length} avenants`}` : ` — version ${input.version}`}`;
  const { doc, left, width, block, finish } = taggedPdf({ title, subject: 'Plan mercredi' });
  const draw = (part: ConventionPdfInput) => {
    const [heading, ...rest] = part.text.split('\n');
    if (part.version === null) {
      block('P', () => doc.font('Bold').fontSize(10).fillColor('#b3261e').text('PROJET — document non signé par les deux parties', { align: 'right' }));
      doc.moveDown(0.5);
    }
    block('H1', () =>
      doc
        .font('Bold')
        .fontSize(15)
        .fillColor('#1d2433')
        .text(heading ?? '', { align: 'center' }),
    );
    doc.moveDown(0.8);
    for (const line of rest) {
      if (!line.trim()) {
        doc.moveDown(0.4);
      } else if (/^Article \d+ — /.test(line)) {
        doc.moveDown(0.3);
        block('H2', () => doc.font('Bold').fontSize(12).fillColor('#281f66').text(line, left, undefined, { width }));
        doc.moveDown(0.2);
      } else if (/^\s*• /.test(line)) {
        const indent = line.startsWith('  ') ? 28 : 14;
        block('P', () =>
          doc
            .font('Body')
            .fontSize(10.5)
            .fillColor('#1d2433')
            .text(line.trim(), left + indent, undefined, { width: width - indent }),
        );
        doc.x = left;
      } else {
        block('P', () => doc.font('Body').fontSize(10.5).fillColor('#1d2433').text(line.trim(), left, undefined, { width }));
      }
    }
    doc.moveDown(1);
    block('H2', () => doc.font('Bold').fontSize(12).fillColor('#281f66').text(signaturesHeading(part), left, undefined, { width }));
    if (part.signatures.length === 0) {
      block('P', () =>
        doc
          .font('Body')
          .fontSize(10.5)
          .fillColor('#1d2433')
          .text('Aucune signature pour l’instant : ce projet doit être signé par les deux parties sur Passerelle.', {
            width,
          }),
      );
    }
    for (const s of part.signatures) {
      block('P', () => {
        doc.font('Body').fontSize(10.5).fillColor('#1d2433').text(signatureLine(s), left, undefined, { width });
        doc.fontSize(8.5).fillColor('#4d5566').text(`Empreinte SHA-256 du texte que cette partie a signé : ${s.hash}`, { width });
      });
      doc.moveDown(0.3);
    }
    doc.moveDown(0.5);
    block('P', () => doc.font('Body').fontSize(9).fillColor('#4d5566').text(hashLine(part), left, undefined, { width }));
  };
  draw(input);
  for (const amendment of amendments) {
    doc.addPage();
    draw(amendment);
  }
  return finish(input.reference);
}
