import type { Deps } from '../deps.js';
import { schoolYearOf } from '../kernel/school-year.js';
import {
  AGE_MAX,
  AGE_MIN,
  accessibility,
  ageBandsFor,
  formats,
  natures,
  periodicities,
  prices,
  priorityThemes,
  slots,
  slugs,
  subthemesByTheme,
  themes,
  venues,
} from '../kernel/taxonomy.js';
import { FormReader, parseAmount } from '../lib/validation.js';
import { addressAssets } from '../territories/location.js';
import { canonical, LIMITS, withParentThemes } from './offers.form.js';
import { rejectionReasons, statusLabels } from './offers.labels.js';
import type { Offer, Partner } from './offers.repository.js';
import { type CardSource, mediaUrl, offerCard, organisationPath } from './offers.view.js';

/** The card shown next to the editor, built from whatever the form holds (no validation). */
export function previewCard(body: Record<string, unknown>, partner: Partner, offer: Offer | null) {
  const form = new FormReader(body);
  const int = (name: string, fallback: number) => {
    const value = Number(form.raw(name));
    return Number.isInteger(value) && value >= AGE_MIN && value <= AGE_MAX ? value : fallback;
  };
  const ageMin = int('ageMin', AGE_MIN);
  const ageMax = Math.max(ageMin, int('ageMax', AGE_MAX));
  const venue = (slugs.venue.find((v) => v === form.raw('venue')) ?? 'dans-l-accueil') as Offer['venue'];
  const price = (slugs.price.find((v) => v === form.raw('price')) ?? 'gratuit') as Offer['price'];
  const travel = Number(form.raw('travelKm'));
  const source: CardSource = {
    id: offer?.id ?? 0,
    slug: offer?.slug ?? 'apercu',
    title: form.raw('title').replace(/\s+/g, ' ').slice(0, LIMITS.title) || 'Titre de votre offre',
    summary: form.raw('summary').replace(/\s+/g, ' ').slice(0, LIMITS.summary),
    themes: withParentThemes(form.list('themes'), form.list('subthemes')),
    formats: canonical(form.list('formats'), slugs.format),
    venue,
    travelKm: Number.isInteger(travel) && travel > 0 ? travel : null,
    departmentsServed: [],
    ageMin,
    ageMax,
    price,
    priceEur: parseAmount(form.raw('priceEur')),
    status: offer?.status ?? 'draft',
    photoPath: offer?.photoPath ?? null,
    photoAlt: offer?.photoAlt ?? null,
  };
  return offerCard(source, partner);
}

const themeGroups = themes.map((theme) => ({ ...theme, priority: priorityThemes.includes(theme.value), subthemes: subthemesByTheme[theme.value] }));

/** Everything views/pages/offers/editor.eta needs. */
export function editorData(
  deps: Pick<Deps, 'clock'>,
  partner: Partner,
  offer: Offer | null,
  values: Record<string, unknown>,
  errors: Record<string, string> = {},
) {
  const ageMin = Number(values.ageMin);
  const ageMax = Number(values.ageMax);
  const bands = Number.isInteger(ageMin) && Number.isInteger(ageMax) && ageMin <= ageMax && ageMin >= AGE_MIN ? ageBandsFor(ageMin, ageMax) : [];
  const schoolYear = schoolYearOf(deps.clock.now());
  return {
    title: offer ? `Modifier l’offre « ${offer.title.slice(0, 60)} »` : 'Nouvelle offre',
    partner,
    partnerUrl: organisationPath(partner),
    offer,
    status: offer ? statusLabels[offer.status] : statusLabels.draft,
    rejectionLabel: offer?.rejectionCode ? (rejectionReasons.find((r) => r.value === offer.rejectionCode)?.label ?? '') : '',
    action: offer ? `/offres/${offer.id}/modifier` : `/structures/${partner.id}/offres`,
    values,
    errors,
    bands,
    schoolYear,
    limits: LIMITS,
    card: previewCard(values, partner, offer),
    photoUrl: offer?.photoPath ? mediaUrl(offer.photoPath) : null,
    options: { themeGroups, formats, accessibility, slots, periodicities, venues, prices, natures },
    ...addressAssets,
    scripts: [...addressAssets.scripts, '/static/js/offer-editor.js'],
  };
}
