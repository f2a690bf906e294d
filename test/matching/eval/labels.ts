import type { EvalNeed, EvalOffer } from './types.js';

/**
 * The evaluation labels: the offers a careful human (an ACM director or a coordinator reading
 * the catalogue) would suggest for a need. Written from the need and the offer only, without the
 * app's scorer (no import from server/): see README.md for the rules in words.
 */

const DEFAULT_TRIP_KM = 25;

function kilometres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const toRad = (deg: number) => (deg * Math.PI) / 180;
  const sinLat = Math.sin(toRad(b.lat - a.lat) / 2);
  const sinLng = Math.sin(toRad(b.lng - a.lng) / 2);
  const h = sinLat * sinLat + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * sinLng * sinLng;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

const parentOf: Record<string, string> = {};
for (const [theme, subs] of Object.entries({
  culture: [
    'lecture-ecriture',
    'musique-chant',
    'danse',
    'theatre-marionnettes',
    'arts-plastiques',
    'cinema-image',
    'cirque-arts-de-la-rue',
    'arts-numeriques',
    'patrimoine',
    'education-medias',
    'arts-du-gout',
  ],
  sport: [
    'sports-collectifs',
    'sports-de-raquette',
    'sports-de-combat',
    'gymnastique-expression',
    'athletisme',
    'activites-aquatiques',
    'pleine-nature',
    'motricite',
    'sport-adapte',
    'sport-sante',
  ],
  environnement: ['biodiversite', 'jardinage', 'ferme-pedagogique', 'developpement-durable'],
  sciences: ['experiences', 'code-robotique', 'fabrication-numerique', 'usages-ecrans'],
  citoyennete: ['droits-enfant', 'egalite', 'laicite', 'solidarite', 'prevention', 'participation'],
  sante: ['alimentation', 'bien-etre', 'premiers-secours'],
  langues: ['langues-etrangeres', 'ouverture-monde'],
  jeux: ['jeux-societe', 'activites-manuelles'],
})) {
  for (const sub of subs) parentOf[sub] = theme;
}

/** Each rule answers "would a careful human still suggest it?" for one aspect. */
export const rules: { name: string; ok: (need: EvalNeed, offer: EvalOffer) => boolean }[] = [
  {
    // The activity asked for: one of the named activities, or the theme when none is named.
    name: 'topic',
    ok: (need, offer) =>
      need.subthemes.length > 0
        ? need.subthemes.some((s) => offer.subthemes.includes(s))
        : need.themes.length === 0 || need.themes.some((t) => offer.themes.includes(t) || offer.subthemes.some((s) => parentOf[s] === t)),
  },
  {
    // At least half of the group's ages are welcome.
    name: 'ages',
    ok: (need, offer) => {
      let welcome = 0;
      for (let age = need.ageMin; age <= need.ageMax; age++) if (age >= offer.ageMin && age <= offer.ageMax) welcome++;
      return welcome * 2 >= need.ageMax - need.ageMin + 1;
    },
  },
  {
    // The partner can come (its radius or its départements), or the group can go there.
    name: 'reach',
    ok: (need, offer) => {
      if (offer.venue === 'dans-l-accueil') {
        return (offer.travelKm !== null && kilometres(offer.base, need.acm) <= offer.travelKm) || offer.departmentsServed.includes(need.acm.department);
      }
      return kilometres(offer.place ?? offer.base, need.acm) <= (need.maxTravelKm ?? DEFAULT_TRIP_KM);
    },
  },
  {
    // A stated venue preference is respected.
    name: 'venue',
    ok: (need, offer) => need.venuePreference.length === 0 || need.venuePreference.includes(offer.venue),
  },
  {
    // Every disability the group needs to be welcomed is declared by the offer.
    name: 'accessibility',
    ok: (need, offer) => need.accessibilityRequired.every((a) => offer.accessibility.includes(a)),
  },
  {
    // Affordable: free, on quote, unknown amount, or at most 20 % over the budget.
    name: 'budget',
    ok: (need, offer) => need.budgetEur === null || offer.price !== 'payant' || offer.priceEur === null || offer.priceEur <= need.budgetEur * 1.2,
  },
  {
    // Same Wednesday slot; an ACM open all day can take a half-day activity; unknown slots pass.
    name: 'slot',
    ok: (need, offer) =>
      need.slots.length === 0 ||
      offer.slots.length === 0 ||
      offer.slots.some((o) => need.slots.includes(o) || (need.slots.includes('mercredi-journee') && o !== 'mercredi-journee')),
  },
  {
    // Available at some point of the wanted period.
    name: 'period',
    ok: (need, offer) => {
      const start = need.startDate ?? '0000-01-01';
      const end = need.endDate ?? '9999-12-31';
      return (offer.startDate ?? '0000-01-01') <= end && (offer.endDate ?? '9999-12-31') >= start;
    },
  },
  {
    // The group fits, possibly split in two.
    name: 'group',
    ok: (need, offer) => need.groupSize === null || offer.groupMax === null || need.groupSize <= offer.groupMax * 2,
  },
];

export function isRelevant(need: EvalNeed, offer: EvalOffer): boolean {
  return rules.every((rule) => rule.ok(need, offer));
}

export function relevantOffers(need: EvalNeed, catalogue: EvalOffer[]): number[] {
  return catalogue.filter((offer) => isRelevant(need, offer)).map((offer) => offer.id);
}
