import { describe, expect, it } from 'vitest';
import { CONVENTION_TITLE, conventionSections, priceDefault } from '../../server/partnerships/convention.js';
import { parseConventionWording } from '../../server/partnerships/convention-wording.js';

describe('the convention wording file', () => {
  it('gives every section its title and every field its label, with hints, options and default clauses', () => {
    expect(CONVENTION_TITLE).toBe('CONVENTION DE PARTENARIAT — PLAN MERCREDI');
    const fields = conventionSections.flatMap((s) => s.fields);
    expect(conventionSections.every((s) => s.title.length > 0)).toBe(true);
    expect(fields.every((f) => f.label.length > 0)).toBe(true);
    expect(fields.find((f) => f.name === 'acm_statut')?.hint).toBe('Commune, EPCI, association…');
    expect(fields.find((f) => f.name === 'reconduction')?.options?.map((o) => o.value)).toEqual(['expresse', 'tacite']);
    const engagements = fields
      .find((f) => f.name === 'eng_part')!
      .default({} as never)
      .split('\n');
    expect(engagements).toHaveLength(4);
    expect(engagements[0]).toBe('Fournir le matériel nécessaire à l’activité, sauf mention contraire.');
    const preamble = fields
      .find((f) => f.name === 'preambule')!
      .default({ acm: { name: 'Accueil de loisirs Les Pitchouns' }, partner: { name: 'Judo Club', description: '' } } as never);
    expect(preamble).toBe(
      'Accueil de loisirs Les Pitchouns (accueil collectif de mineurs) inscrit ses mercredis dans le Plan mercredi et son projet pédagogique.',
    );
  });

  it('pre-fills only what the facts say, and says it as a sentence would', () => {
    const fields = conventionSections.flatMap((s) => s.fields);
    // The organiser's legal status (commune, association…) is not its name.
    expect(fields.find((f) => f.name === 'acm_statut')!.default({ acm: { organiser: 'Ville de Lyon' } } as never)).toBe('');
    const price = (priceDetails: string | null) => priceDefault({ offer: { price: 'payant', priceEur: '60.00', priceDetails } } as never);
    expect(price('Par séance')).toMatch(/^60,00\s€ par séance$/);
    expect(price('TTC, matériel compris')).toMatch(/^60,00\s€ TTC, matériel compris$/);
    expect(price(null)).toMatch(/^60,00\s€$/);
    // A cycle of 12 with one session cancelled: the rhythm and the count agree on 11.
    const wednesdays = ['01-06', '01-13', '01-20', '01-27', '02-03', '02-10', '03-03', '03-10', '03-17', '03-24', '03-31', '04-07'];
    const sessions = wednesdays.map((day, i) => ({ date: `2027-${day}`, startTime: '14:00', endTime: '16:00', status: i === 5 ? 'cancelled' : 'planned' }));
    const calendar = conventionSections.find((s) => s.key === 'calendrier')!;
    const partnership = { periodicity: 'cycle', cycleCount: 12, periodStart: '2027-01-06', periodEnd: '2027-03-31', startTime: '14:00', endTime: '16:00' };
    const lines = calendar.lines({ partnership, sessions, calendar: { dates: [], unknownSchoolYears: [] } } as never, () => '').join('\n');
    expect(lines).toContain('un cycle de 11 séances, un mercredi par semaine');
    expect(lines).toContain('Nombre de séances prévues : 11.');
  });

  it('reads titles, fixed lines, hints, options and multi-line defaults, skipping comments and blank lines', () => {
    const wording = parseConventionWording(
      ['<!-- how to read\nthis file -->', '# Titre', '', '## a · Section A', 'Ligne fixe', '### x · Champ X', '> Aide', '- oui : Oui', '', 'Un', 'Deux'].join(
        '\n',
      ),
      'test.md',
    );
    expect(wording.title).toBe('Titre');
    expect(wording.sections.get('a')).toEqual({ title: 'Section A', lines: ['Ligne fixe'] });
    expect(wording.fields.get('x')).toEqual({ label: 'Champ X', hint: 'Aide', options: [{ value: 'oui', label: 'Oui' }], text: 'Un\nDeux' });
  });

  it('fails naming the file and line of a malformed heading, a repeated key or a missing title', () => {
    expect(() => parseConventionWording('# T\n## a Section', 'c.md')).toThrow('c.md:2: expected "key · Title", got "a Section"');
    expect(() => parseConventionWording('# T\n## a · A\n## a · B', 'c.md')).toThrow('c.md:3: section "a" given twice');
    expect(() => parseConventionWording('# T\n### x · X', 'c.md')).toThrow('c.md:2: a field outside any section');
    expect(() => parseConventionWording('## a · A', 'c.md')).toThrow('c.md: no "# Title" line');
  });
});
