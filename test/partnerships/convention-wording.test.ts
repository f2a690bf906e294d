import { describe, expect, it } from 'vitest';
import { CONVENTION_TITLE, conventionSections } from '../../server/partnerships/convention.js';
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
