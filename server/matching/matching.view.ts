import {
  accessibility,
  labelOf,
  periodicities,
  prices,
  slots as slotOptions,
  subthemes as subthemeOptions,
  themes as themeOptions,
  venues,
} from '../kernel/taxonomy.js';
import { firstOfMonth, formatters } from '../lib/format.js';
import type { AcmCandidate, NeedCandidate, OfferCandidate } from './matching.repository.js';
import type { Need } from './needs.repository.js';
import { needStatusLabels } from './needs.usecases.js';
import type { MatchResult } from './score.js';

/** What templates show: labels computed here, so that views stay simple. */

const ages = (min: number | null, max: number | null) => (min === null ? '' : min === max ? `${min} ans` : `${min}–${max} ans`);
const euros = (value: string | number | null) => formatters.euros(value);
const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "1er mars 2027", "15 mars 2027". */
const dateFr = (value: string) => firstOfMonth(dateFormat.format(new Date(`${value}T00:00:00Z`)));

export function periodLabel(start: string | null, end: string | null): string {
  if (start && end) return `du ${dateFr(start)} au ${dateFr(end)}`;
  if (start) return `à partir du ${dateFr(start)}`;
  if (end) return `jusqu’au ${dateFr(end)}`;
  return '';
}

export function offerPath(offer: { id: number; slug: string }): string {
  return `/offres/${offer.id}-${offer.slug}`;
}

type NeedLike = Pick<
  Need,
  | 'id'
  | 'title'
  | 'themes'
  | 'subthemes'
  | 'ageMin'
  | 'ageMax'
  | 'groupSize'
  | 'slots'
  | 'startDate'
  | 'endDate'
  | 'budgetEur'
  | 'venuePreference'
  | 'maxTravelKm'
  | 'accessibilityRequired'
> &
  Partial<Pick<Need, 'status' | 'periodicity' | 'description'>>;

export function needView(need: NeedLike) {
  const status = need.status ?? 'open';
  return {
    id: need.id,
    path: `/besoins/${need.id}`,
    title: need.title,
    description: need.description ?? '',
    status,
    statusLabel: needStatusLabels[status].label,
    statusTag: needStatusLabels[status].tag,
    themes: need.themes
      .filter((t) => !need.subthemes.some((s) => subthemeOptions.find((o) => o.value === s)?.theme === t))
      .map((t) => labelOf(themeOptions, t)),
    subthemes: need.subthemes.map((s) => labelOf(subthemeOptions, s)),
    ages: ages(need.ageMin, need.ageMax),
    groupSize: need.groupSize,
    slots: need.slots.map((s) => labelOf(slotOptions, s)),
    periodicity: need.periodicity ? labelOf(periodicities, need.periodicity) : '',
    period: periodLabel(need.startDate, need.endDate),
    budget: need.budgetEur === null ? '' : Number(need.budgetEur) === 0 ? 'Activité gratuite' : `${euros(need.budgetEur)} par séance au plus`,
    venues: need.venuePreference.map((v) => labelOf(venues, v)),
    maxTravelKm: need.maxTravelKm,
    accessibility: need.accessibilityRequired.map((a) => labelOf(accessibility, a)),
  };
}

function whyView(match: MatchResult) {
  const line = (c: MatchResult['criteria'][number]) => ({ key: c.key, label: c.label, status: c.status, explanation: c.explanation });
  return {
    score: match.score,
    distanceKm: match.distanceKm === null ? null : Math.round(match.distanceKm),
    met: match.criteria.filter((c) => c.status !== 'not_met').map(line),
    notMet: match.criteria.filter((c) => c.status === 'not_met').map(line),
  };
}

export function offerSuggestionView(offer: OfferCandidate, match: MatchResult) {
  return {
    id: offer.id,
    path: offerPath(offer),
    title: offer.title,
    summary: offer.summary,
    partnerName: offer.partnerName,
    partnerVerified: offer.partnerStatus === 'verified',
    communeName: offer.communeName,
    ages: ages(offer.ageMin, offer.ageMax),
    venue: labelOf(venues, offer.venue),
    price: offer.price === 'payant' && offer.priceEur ? euros(offer.priceEur) : labelOf(prices, offer.price),
    why: whyView(match),
  };
}

/** A need as partners see it in suggestions: the ACM's name and commune only, never its contact details. */
export function needSuggestionView(need: NeedCandidate, offer: OfferCandidate, match: MatchResult) {
  return {
    need: { ...needView(need), acmName: need.acmName, communeName: need.communeName },
    offer: { id: offer.id, title: offer.title, path: offerPath(offer) },
    why: whyView(match),
  };
}

export function acmSuggestionView(acm: AcmCandidate, needs: { need: NeedCandidate; match: MatchResult }[], match: MatchResult) {
  return {
    id: acm.id,
    name: acm.name,
    communeName: acm.communeName,
    ages: ages(acm.ageMin, acm.ageMax),
    needs: needs.map((n) => ({ id: n.need.id, path: `/besoins/${n.need.id}`, title: n.need.title, score: n.match.score })),
    why: whyView(match),
  };
}
