import { describe, expect, it } from 'vitest';
import { amendmentDiff } from '../../server/partnerships/amendments.js';

const convention = (article: string) => `CONVENTION\n\nEntre les parties\n\nArticle 4 — Calendrier\n${article}\n`;
const shown = (lines: { text: string; changed: boolean }[][]) => lines.map((line) => line.map((m) => (m.changed ? `[${m.text}]` : m.text)).join(''));

describe('the differences an amendment shows', () => {
  it('marks the changed words of a line, keeps unchanged lines plain and marks added or removed lines whole', () => {
    const signed = convention('Nombre de séances : 12 séances\nLieu : gymnase Jean-Jaurès\nHoraires : 14 h à 16 h');
    const proposed = convention('Nombre de séances : 11 séances\nHoraires : 14 h à 16 h\nTransport : car de la ville');
    const [article] = amendmentDiff({ text: signed, dates: [] }, { text: proposed, dates: [] }).articles;
    expect(article?.heading).toBe('Article 4 — Calendrier');
    expect(shown(article!.before)).toEqual(['Nombre de séances : [12] séances', '[Lieu : gymnase Jean-Jaurès]', 'Horaires : 14\u00a0h à 16\u00a0h']);
    expect(shown(article!.after)).toEqual(['Nombre de séances : [11] séances', 'Horaires : 14\u00a0h à 16\u00a0h', '[Transport : car de la ville]']);
  });

  it('keeps a changed number on one line with its unchanged unit', () => {
    const signed = convention('Horaires : de 14 h à 16 h\nDistance : 12 km');
    const proposed = convention('Horaires : de 14 h à 17 h\nDistance : 15 km');
    const [article] = amendmentDiff({ text: signed, dates: [] }, { text: proposed, dates: [] }).articles;
    expect(shown(article!.before)).toEqual(['Horaires : de 14\u00a0h à [16]\u00a0h', 'Distance : [12]\u00a0km']);
    expect(shown(article!.after)).toEqual(['Horaires : de 14\u00a0h à [17]\u00a0h', 'Distance : [15]\u00a0km']);
  });

  it('marks a line rewritten beyond recognition whole rather than word by word, all but the label it keeps', () => {
    const signed = convention('Objectif : faire découvrir le judo aux enfants de la ville\nFrais : non renseigné');
    const proposed = convention('Public : un groupe de douze enfants de 8 à 10 ans\nFrais : entrées du musée offertes par la ville');
    const [article] = amendmentDiff({ text: signed, dates: [] }, { text: proposed, dates: [] }).articles;
    expect(shown(article!.before)).toEqual(['[Objectif : faire découvrir le judo aux enfants de la ville]', 'Frais : [non renseigné]']);
    expect(shown(article!.after)).toEqual(['[Public : un groupe de douze enfants de 8 à 10\u00a0ans]', 'Frais : [entrées du musée offertes par la ville]']);
  });
});
