import { describe, expect, it } from 'vitest';
import {
  type Criterion,
  type CriterionKey,
  DEFAULT_MAX_TRAVEL_KM,
  type OfferFacts,
  rankMatches,
  scoreMatch,
  WEIGHTS,
  type Wish,
} from '../../server/matching/score.js';

// Lyon Bellecour, Villeurbanne (≈ 6 km), Vienne (≈ 27 km), Grenoble (≈ 95 km).
const lyon = { lat: 45.7578, lng: 4.832 };
const villeurbanne = { lat: 45.7719, lng: 4.8902 };
const vienne = { lat: 45.5253, lng: 4.8746 };
const grenoble = { lat: 45.1885, lng: 5.7245 };

function wish(values: Partial<Wish> = {}): Wish {
  return {
    themes: ['culture'],
    subthemes: ['theatre-marionnettes'],
    ageMin: 8,
    ageMax: 11,
    groupSize: 12,
    slots: ['mercredi-apres-midi'],
    startDate: '2026-10-01',
    endDate: '2027-03-31',
    budgetEur: 80,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
    location: lyon,
    departmentCode: '69',
    ...values,
  };
}

function offer(values: Partial<OfferFacts> = {}): OfferFacts {
  return {
    themes: ['culture'],
    subthemes: ['theatre-marionnettes'],
    ageMin: 6,
    ageMax: 12,
    venue: 'chez-le-partenaire',
    travelKm: null,
    departmentsServed: [],
    location: villeurbanne,
    base: villeurbanne,
    groupMin: 6,
    groupMax: 15,
    slots: ['mercredi-apres-midi'],
    startDate: null,
    endDate: null,
    price: 'payant',
    priceEur: 60,
    accessibility: [],
    partnerVerified: true,
    responsiveness: null,
    ...values,
  };
}

function criterion(w: Wish, o: OfferFacts, key: CriterionKey): Criterion | undefined {
  return scoreMatch(w, o).criteria.find((c) => c.key === key);
}

describe('the match score, criterion by criterion', () => {
  it('gives a perfect offer a high score with every applicable criterion met and a French explanation each', () => {
    const result = scoreMatch(wish(), offer());
    expect(result.excluded).toBe(false);
    expect(result.score).toBeGreaterThanOrEqual(95);
    for (const c of result.criteria) {
      expect(c.status, c.key).toBe('met');
      expect(c.explanation).toMatch(/[a-zà-ü]/);
    }
    expect(result.criteria.map((c) => c.key)).not.toContain('responsiveness');
  });

  it('weights sum to 100', () => {
    expect(Object.values(WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('theme: sub-theme shared is met, same theme only is partial, another theme is not met (but does not exclude)', () => {
    expect(criterion(wish(), offer(), 'theme')?.status).toBe('met');
    const sameTheme = criterion(wish(), offer({ subthemes: ['danse'] }), 'theme');
    expect(sameTheme?.status).toBe('partial');
    expect(sameTheme?.explanation).toContain('Théâtre, marionnettes');
    const other = scoreMatch(wish(), offer({ themes: ['sport'], subthemes: ['sports-collectifs'] }));
    expect(other.criteria.find((c) => c.key === 'theme')?.status).toBe('not_met');
    expect(other.excluded).toBe(false);
    expect(other.score).toBeLessThan(scoreMatch(wish(), offer({ subthemes: ['danse'] })).score);
  });

  it('theme: a wish without themes leaves the criterion out', () => {
    expect(criterion(wish({ themes: [], subthemes: [] }), offer(), 'theme')).toBeUndefined();
  });

  it('ages: full coverage is met, partial overlap is partial, no overlap excludes (hard constraint)', () => {
    expect(criterion(wish(), offer(), 'ages')?.status).toBe('met');
    const partial = criterion(wish(), offer({ ageMin: 10, ageMax: 14 }), 'ages');
    expect(partial?.status).toBe('partial');
    expect(partial?.explanation).toContain('10–11 ans');
    const none = scoreMatch(wish(), offer({ ageMin: 12, ageMax: 17 }));
    expect(none.excluded).toBe(true);
    expect(none.criteria.find((c) => c.key === 'ages')).toMatchObject({ status: 'not_met', excludes: true });
    expect(none.criteria.find((c) => c.key === 'ages')?.explanation).toBe('L’offre s’adresse aux 12–17 ans, votre groupe a 8–11 ans.');
  });

  it('travel radius: a partner who comes to the ACM matches when the ACM lies within its radius of the partner’s base', () => {
    const within = criterion(wish(), offer({ venue: 'dans-l-accueil', travelKm: 10, base: villeurbanne, location: villeurbanne }), 'distance');
    expect(within?.status).toBe('met');
    expect(within?.explanation).toContain('rayon de 10 km');
    const outside = scoreMatch(wish(), offer({ venue: 'dans-l-accueil', travelKm: 20, base: vienne, location: vienne }));
    expect(outside.excluded).toBe(true);
    expect(outside.criteria.find((c) => c.key === 'distance')?.explanation).toMatch(/jusqu’à 20 km ; votre accueil est à 2\d km/);
  });

  it('travel radius: a partner who comes to the ACM also matches anywhere in the départements it serves', () => {
    const served = scoreMatch(wish(), offer({ venue: 'dans-l-accueil', travelKm: 5, departmentsServed: ['69'], base: vienne, location: vienne }));
    expect(served.excluded).toBe(false);
    expect(served.criteria.find((c) => c.key === 'distance')?.explanation).toContain('département (69)');
    const otherDepartment = scoreMatch(
      wish(),
      offer({ venue: 'dans-l-accueil', travelKm: null, departmentsServed: ['38'], base: grenoble, location: grenoble }),
    );
    expect(otherDepartment.excluded).toBe(true);
  });

  it('distance: at the partner’s or elsewhere, the group’s trip is compared with its maximum (default, or the one the ACM gave)', () => {
    expect(criterion(wish(), offer({ location: villeurbanne }), 'distance')?.status).toBe('met');
    const far = scoreMatch(wish(), offer({ location: vienne, base: vienne }));
    expect(DEFAULT_MAX_TRAVEL_KM).toBeLessThan(27);
    expect(far.excluded).toBe(true);
    expect(far.criteria.find((c) => c.key === 'distance')?.explanation).toContain(`au-delà de ${DEFAULT_MAX_TRAVEL_KM} km`);
    const accepted = scoreMatch(wish({ maxTravelKm: 40 }), offer({ location: vienne, base: vienne, venue: 'autre-lieu' }));
    expect(accepted.excluded).toBe(false);
    expect(accepted.criteria.find((c) => c.key === 'distance')?.status).toBe('partial');
    expect(scoreMatch(wish(), offer({ location: villeurbanne })).score).toBeGreaterThan(accepted.score);
  });

  it('venue preference ranks but does not exclude', () => {
    const result = scoreMatch(wish({ venuePreference: ['dans-l-accueil'] }), offer());
    expect(result.excluded).toBe(false);
    expect(result.criteria.find((c) => c.key === 'venue')?.status).toBe('not_met');
  });

  it('slots: same slot met; a full-day ACM takes a half-day activity; a full-day activity does not fit a half-day slot', () => {
    expect(criterion(wish(), offer(), 'slots')?.status).toBe('met');
    expect(criterion(wish({ slots: ['mercredi-journee'] }), offer({ slots: ['mercredi-matin'] }), 'slots')?.status).toBe('met');
    expect(criterion(wish({ slots: ['mercredi-matin'] }), offer({ slots: ['mercredi-journee'] }), 'slots')?.status).toBe('not_met');
    expect(criterion(wish(), offer({ slots: [] }), 'slots')?.status).toBe('partial');
  });

  it('period: available over the whole period, part of it, or not at all', () => {
    expect(criterion(wish(), offer(), 'period')?.status).toBe('met');
    expect(criterion(wish(), offer({ startDate: '2027-01-01', endDate: '2027-06-30' }), 'period')?.status).toBe('partial');
    expect(criterion(wish(), offer({ startDate: '2027-05-01', endDate: '2027-06-30' }), 'period')?.status).toBe('not_met');
    expect(criterion(wish({ startDate: null, endDate: null }), offer(), 'period')).toBeUndefined();
  });

  it('group size: fits, must be split, or far too big', () => {
    expect(criterion(wish(), offer(), 'group')?.status).toBe('met');
    expect(criterion(wish({ groupSize: 24 }), offer({ groupMax: 15 }), 'group')?.explanation).toContain('devra être partagé');
    expect(criterion(wish({ groupSize: 40 }), offer({ groupMax: 15 }), 'group')?.status).toBe('not_met');
    expect(criterion(wish({ groupSize: 4 }), offer({ groupMin: 6 }), 'group')?.status).toBe('partial');
  });

  it('price: free is met, within budget met, a little over partial, far over not met', () => {
    expect(criterion(wish(), offer({ price: 'gratuit', priceEur: null }), 'price')?.status).toBe('met');
    expect(criterion(wish(), offer({ priceEur: 80 }), 'price')?.status).toBe('met');
    expect(criterion(wish(), offer({ priceEur: 95 }), 'price')?.status).toBe('partial');
    const over = criterion(wish(), offer({ priceEur: 200 }), 'price');
    expect(over?.status).toBe('not_met');
    expect(over?.explanation).toContain('au-dessus de votre budget');
    // Amounts are written the French way, like everywhere else: 200,00 € (no-break space).
    expect(over?.explanation).toMatch(/^200,00\s€, au-dessus de votre budget \(80,00\s€\)\.$/);
    expect(criterion(wish(), offer({ price: 'sur-devis', priceEur: null }), 'price')?.status).toBe('partial');
  });

  it('accessibility required: every type must be covered, otherwise the offer is excluded (hard constraint)', () => {
    const required = wish({ accessibilityRequired: ['moteur', 'visuel'] });
    expect(scoreMatch(required, offer({ accessibility: ['moteur', 'visuel', 'auditif'] })).excluded).toBe(false);
    const missing = scoreMatch(required, offer({ accessibility: ['moteur'] }));
    expect(missing.excluded).toBe(true);
    expect(missing.criteria.find((c) => c.key === 'accessibility')?.explanation).toBe('N’indique pas d’adaptation au handicap visuel.');
    expect(criterion(wish(), offer(), 'accessibility')).toBeUndefined();
  });

  it('verified partner and responsiveness rank', () => {
    expect(criterion(wish(), offer({ partnerVerified: false }), 'verified')?.status).toBe('not_met');
    expect(scoreMatch(wish(), offer({ partnerVerified: false })).score).toBeLessThan(scoreMatch(wish(), offer()).score);
    expect(criterion(wish(), offer({ responsiveness: { answeredRate: 0.9, medianHours: 20 } }), 'responsiveness')?.status).toBe('met');
    expect(criterion(wish(), offer({ responsiveness: { answeredRate: 0.3, medianHours: null } }), 'responsiveness')?.status).toBe('not_met');
  });

  it('ranking drops excluded offers and those under the threshold, best score first', () => {
    const candidates = [
      { id: 'far', facts: offer({ location: grenoble, base: grenoble }) },
      { id: 'good', facts: offer() },
      { id: 'other-theme', facts: offer({ themes: ['sport'], subthemes: ['athletisme'], priceEur: 200, slots: ['mercredi-matin'] }) },
      { id: 'same-theme', facts: offer({ subthemes: ['musique-chant'] }) },
    ];
    const ranked = rankMatches(wish(), candidates, (c) => c.facts);
    expect(ranked.map((r) => r.item.id)).toEqual(['good', 'same-theme']);
  });
});
