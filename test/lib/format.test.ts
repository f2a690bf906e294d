import { describe, expect, it } from 'vitest';
import { clipped, de, formatters, toName, unbroken, withArticle } from '../../server/lib/format.js';

describe('French formatting', () => {
  it('writes the first day of a month as "1er" and the others as numbers', () => {
    expect(formatters.date('2026-09-01')).toBe('1er septembre 2026');
    expect(formatters.date('2026-09-02')).toBe('2 septembre 2026');
    expect(formatters.date('2026-09-11')).toBe('11 septembre 2026');
  });

  it('writes a moment with the hour as French prose and the sessions do, in Paris time, kept on one line', () => {
    expect(formatters.dateTime(new Date('2026-12-01T13:05:00Z'))).toBe('1er\u00a0décembre 2026 à 14\u00a0h\u00a005');
    expect(formatters.dateTime(new Date('2026-07-14T07:00:00Z'))).toBe('14\u00a0juillet 2026 à 9\u00a0h');
    expect(formatters.dateTime(new Date('2026-03-28T23:30:00Z'))).toBe('29\u00a0mars 2026 à 0\u00a0h\u00a030');
  });

  it('formats ages, euros and plurals', () => {
    expect(formatters.ages(6, 10)).toBe('6–10 ans');
    expect(formatters.ages(8, 8)).toBe('8 ans');
    expect(formatters.euros('75')).toBe('75,00\u00a0€');
    expect(formatters.plural(1, 'offre', 'offres')).toBe('1\u00a0offre');
    expect(formatters.plural(1200, 'offre', 'offres')).toBe('1\u202f200\u00a0offres');
  });

  it('gives a name its noun’s article after a verb or « pour », and leaves other names plain', () => {
    expect(withArticle('Centre de loisirs Jean-Macé')).toBe('le Centre de loisirs Jean-Macé');
    expect(withArticle('Accueil de loisirs Les Pitchouns')).toBe('l’Accueil de loisirs Les Pitchouns');
    expect(withArticle('Compagnie du Castelet')).toBe('la Compagnie du Castelet');
    expect(withArticle('Judo Club de Lyon')).toBe('Judo Club de Lyon');
    expect(withArticle('ALSH Croix-Rousse')).toBe('l’ALSH Croix-Rousse');
  });

  it('writes « à » before a name as French does: with its noun’s article, contracted, or plain', () => {
    expect(toName('Accueil de loisirs Les Pitchouns')).toBe('à l’Accueil de loisirs Les Pitchouns');
    expect(toName('Centre social des Buers')).toBe('au Centre social des Buers');
    expect(toName('Compagnie du Castelet')).toBe('à la Compagnie du Castelet');
    expect(toName('Le Petit Théâtre')).toBe('au Petit Théâtre');
    expect(toName('Les Amis du livre')).toBe('aux Amis du livre');
    expect(toName('Judo Club de Lyon')).toBe('à Judo Club de Lyon');
  });

  it('writes "de" before a name as French does: with its noun’s article, elided, contracted or plain', () => {
    expect(de('Accueil de loisirs Les Pinsons')).toBe('de l’Accueil de loisirs Les Pinsons');
    expect(de('École de musique')).toBe('de l’École de musique');
    expect(de('Compagnie du Castelet')).toBe('de la Compagnie du Castelet');
    expect(de('Club de judo des Pentes')).toBe('du Club de judo des Pentes');
    expect(de('MJC Presqu’île')).toBe('de la MJC Presqu’île');
    expect(de('Émilie Roux')).toBe('d’Émilie Roux');
    expect(de('Judo Club de Lyon')).toBe('de Judo Club de Lyon');
    expect(de('Le Petit Théâtre')).toBe('du Petit Théâtre');
    expect(de('Les Amis du livre')).toBe('des Amis du livre');
    expect(de('La Ruche')).toBe('de La Ruche');
    expect(de('Lecture pour tous')).toBe('de Lecture pour tous');
  });

  it('keeps a number on the line of the unit, hour or « n° » that reads with it', () => {
    expect(unbroken('le mercredi de 14 h à 16 h 30, à 12 km, pour les 8 ans, avenant n° 3, 45 € et 2 heures')).toBe(
      'le mercredi de 14\u00a0h à 16\u00a0h\u00a030, à 12\u00a0km, pour les 8\u00a0ans, avenant n°\u00a03, 45\u00a0€ et 2 heures',
    );
  });

  it('cuts typed words past 40 characters with « … », counting accented letters once', () => {
    expect(clipped('atelier théâtre')).toBe('atelier théâtre');
    expect(clipped('é'.repeat(40))).toBe('é'.repeat(40));
    expect(clipped('é'.repeat(41))).toBe(`${'é'.repeat(39)}…`);
    expect(clipped(`${'a'.repeat(38)} bcd`)).toBe(`${'a'.repeat(38)}…`);
  });

  it('keeps a territory beside its code, Corsica’s included, and leaves other brackets alone', () => {
    expect(unbroken('Rhône (69), Lyon (69003), Corse-du-Sud (2A), Haute-Corse (2B)')).toBe(
      'Rhône\u00a0(69), Lyon\u00a0(69003), Corse-du-Sud\u00a0(2A), Haute-Corse\u00a0(2B)',
    );
    expect(unbroken('Les Pitchouns (accueil) et le groupe (9)')).toBe('Les Pitchouns (accueil) et le groupe (9)');
  });

  it('never starts a line with the « · » between two facts', () => {
    expect(unbroken('Nouveau document (attestation d’assurance) · Judo du mercredi · 3 séances')).toBe(
      'Nouveau document (attestation d’assurance)\u00a0· Judo du mercredi\u00a0· 3 séances',
    );
  });
});
