import { describe, expect, it } from 'vitest';
import type { ConventionContext } from '../../server/partnerships/convention.js';
import { missingBeforeSigning } from '../../server/partnerships/readiness.js';

function context(overrides: { acmSiret?: string | null; partnerRna?: string | null; fields?: Record<string, string>; commitments?: [string, string] } = {}) {
  const [acmCommitments, partnerCommitments] = overrides.commitments ?? ['Deux animateurs.', 'Un éducateur diplômé.'];
  return {
    partnership: { id: 7, title: 'Judo', schoolYear: '2026-2027' },
    acm: { id: 1, name: 'Accueil Jean-Zay', siret: overrides.acmSiret === undefined ? '21690123000018' : overrides.acmSiret },
    partner: { id: 2, name: 'Club de judo', siret: null, rna: overrides.partnerRna === undefined ? 'W691234567' : overrides.partnerRna },
    offer: null,
    parties: { acm: { commitments: acmCommitments }, partner: { commitments: partnerCommitments } },
    calendar: { dates: [], skipped: [], unknownSchoolYears: [] },
    sessions: [],
    fields: overrides.fields ?? { acm_representant: 'Mme Claire Martin, adjointe au maire', partner_representant: 'M. Karim Benali, président' },
  } as unknown as ConventionContext;
}

describe('what a convention needs before signing', () => {
  it('needs nothing more when both organisations are identified, represented and committed', () => {
    expect(missingBeforeSigning(context())).toEqual([]);
  });

  it('lists the missing SIRET or RNA with a link to the organisation’s profile', () => {
    const missing = missingBeforeSigning(context({ acmSiret: null, partnerRna: '' }));
    expect(missing).toEqual([
      { side: 'acm', label: 'SIRET de l’Accueil Jean-Zay', path: '/structures/1/modifier' },
      { side: 'partner', label: 'SIRET ou numéro RNA du Club de judo', path: '/structures/2/modifier' },
    ]);
  });

  it('lists the legal representatives not named, with a link to their article', () => {
    const missing = missingBeforeSigning(context({ fields: {} }));
    expect(missing.map((m) => m.path)).toEqual(['/partenariats/7/formalisation#section-organisateur', '/partenariats/7/formalisation#section-partenaire']);
  });

  it('lists a party without commitments, which can also write that it has none', () => {
    expect(missingBeforeSigning(context({ commitments: ['', 'Aucun engagement.'] }))).toEqual([
      { side: 'acm', label: 'Engagements propres de l’Accueil Jean-Zay (ou « aucun engagement »)', path: '/partenariats/7/definition#engagements' },
    ]);
  });
});
