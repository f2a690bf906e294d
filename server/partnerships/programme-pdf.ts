import { capitalised } from '../kernel/text.js';
import { frenchTime } from '../lib/format.js';
import { pdfColours, taggedPdf } from './pdf-document.js';

interface ProgrammeSession {
  date: string;
  startTime: string;
  endTime: string;
  status: 'planned' | 'held' | 'cancelled';
  originalDate: string | null;
}

interface ProgrammePdfInput {
  title: string;
  reference: string;
  partnerName: string;
  acmName: string;
  place: string;
  ageMin: number | null;
  ageMax: number | null;
  objectives: string[];
  sessions: ProgrammeSession[];
  generatedOn: string;
}

const weekdayDate = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A calendar day written out for families: « mercredi 6 janvier 2027 », « mardi 1er décembre 2026 ». */
export function longDate(iso: string): string {
  return weekdayDate.format(new Date(`${iso}T12:00:00Z`)).replace(/^(\S+) 1 /, '$1 1er ');
}

function ageLine(min: number | null, max: number | null): string | null {
  if (min === null && max === null) return null;
  if (min !== null && max !== null) return min === max ? `Pour les enfants de ${min} ans` : `Pour les enfants de ${min} à ${max} ans`;
  return min !== null ? `Pour les enfants à partir de ${min} ans` : `Pour les enfants jusqu’à ${max} ans`;
}

/** The line of one session in the programme: date, times, and whether it was moved or has taken place. */
export function programmeLine(s: ProgrammeSession): string {
  const moved = s.originalDate && s.originalDate !== s.date ? ` (déplacée : elle était prévue le ${longDate(s.originalDate)})` : '';
  const held = s.status === 'held' ? ' — a eu lieu' : '';
  return `${capitalised(longDate(s.date))}, ${frenchTime(s.startTime)} – ${frenchTime(s.endTime)}${moved}${held}`;
}

/**
 * The programme of the sessions for the children's families, as a tagged PDF: what the activity
 * is, who runs it, where, for which ages, and every session still on the calendar (cancelled
 * ones left out), in plain French.
 */
export function programmePdf(input: ProgrammePdfInput): Promise<Buffer> {
  const { doc, left, width, block, list, finish } = taggedPdf({ title: `Programme des séances — ${input.title}`, subject: 'Plan mercredi' });
  const sessions = input.sessions.filter((s) => s.status !== 'cancelled');
  const paragraph = (text: string, options: { bold?: boolean; size?: number; colour?: string } = {}) =>
    block('P', () =>
      doc
        .font(options.bold ? 'Bold' : 'Body')
        .fontSize(options.size ?? 11)
        .fillColor(options.colour ?? pdfColours.text)
        .text(text, left, undefined, { width }),
    );
  block('H1', () => doc.font('Bold').fontSize(18).fillColor(pdfColours.heading).text('Programme des séances', left, undefined, { width, align: 'center' }));
  doc.moveDown(0.3);
  block('H2', () => doc.font('Bold').fontSize(14).fillColor(pdfColours.text).text(input.title, left, undefined, { width, align: 'center' }));
  doc.moveDown(1);
  paragraph(`Activité proposée par : ${input.partnerName}`);
  paragraph(`Accueil de loisirs : ${input.acmName}`);
  if (input.place.trim()) paragraph(`Lieu : ${input.place.trim()}`);
  const ages = ageLine(input.ageMin, input.ageMax);
  if (ages) paragraph(`${ages}.`);
  if (input.objectives.length) {
    doc.moveDown(0.5);
    paragraph(`Ce que les enfants vont faire : ${input.objectives.join(' ; ')}.`);
  }
  doc.moveDown(1);
  block('H2', () => doc.font('Bold').fontSize(13).fillColor(pdfColours.heading).text('Les séances', left, undefined, { width }));
  doc.moveDown(0.3);
  if (sessions.length === 0) {
    paragraph('Les dates des séances ne sont pas encore fixées : l’accueil de loisirs vous les communiquera.');
  } else {
    paragraph(sessions.length > 1 ? `${sessions.length} séances au programme :` : '1 séance au programme :', { colour: pdfColours.muted, size: 10 });
    doc.moveDown(0.3);
    list(
      sessions.map((s) => () => {
        doc
          .font('Body')
          .fontSize(11)
          .fillColor(pdfColours.text)
          .text(`• ${programmeLine(s)}`, left + 8, undefined, { width: width - 8 });
        doc.moveDown(0.15);
      }),
    );
  }
  doc.moveDown(1);
  paragraph('Les dates peuvent changer : l’accueil de loisirs vous préviendra de tout changement.', { size: 10, colour: pdfColours.muted });
  paragraph(`Programme établi le ${input.generatedOn}.`, { size: 10, colour: pdfColours.muted });
  return finish(`Programme des séances ${input.reference}`);
}
