import {
  accessibility,
  ageBands,
  ageBandsFor,
  formats,
  labelOf,
  natures,
  orgTypes,
  periodicities,
  prices,
  slots,
  subthemes,
  themes,
} from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';
import { statusLabels } from './offers.labels.js';
import type { Offer, Partner } from './offers.repository.js';

export function offerPath(offer: { id: number; slug: string }): string {
  return `/offres/${offer.id}-${offer.slug}`;
}

export function organisationPath(organisation: { id: number; slug: string }): string {
  return `/structures/${organisation.id}-${organisation.slug}`;
}

/** Public URL of a stored file ("offres/12-ab.webp" → "/medias/offres/12-ab.webp"). */
export function mediaUrl(key: string | null | undefined): string | null {
  return key ? `/medias/${key}` : null;
}

export function thumbnailKey(photoKey: string): string {
  return photoKey.replace(/\.(webp|jpg)$/, '-vignette.$1');
}

const labelsOf = (list: { value: string; label: string }[], values: string[] | null | undefined) => (values ?? []).map((v) => labelOf(list, v));

function priceLabel(offer: { price: string; priceEur: string | null }): string {
  if (offer.price === 'payant') return offer.priceEur ? formatters.euros(offer.priceEur) : 'Payant';
  return labelOf(prices, offer.price);
}

/** Short venue wording for cards and lists. */
function venueLabel(offer: { venue: string; travelKm?: number | null; departmentsServed?: string[] | null }): string {
  if (offer.venue === 'dans-l-accueil') {
    if (offer.travelKm) return `Se déplace dans votre accueil (jusqu’à ${offer.travelKm} km)`;
    if (offer.departmentsServed?.length) return `Se déplace dans votre accueil (dép. ${offer.departmentsServed.join(', ')})`;
    return 'Se déplace dans votre accueil';
  }
  return offer.venue === 'chez-le-partenaire' ? 'Accueille le groupe chez lui' : 'Dans un autre lieu';
}

/** The fields an offer card reads: a row of the offers table has them all. */
export type CardSource = Pick<
  Offer,
  | 'id'
  | 'slug'
  | 'title'
  | 'summary'
  | 'themes'
  | 'formats'
  | 'venue'
  | 'travelKm'
  | 'departmentsServed'
  | 'ageMin'
  | 'ageMax'
  | 'price'
  | 'priceEur'
  | 'status'
  | 'photoPath'
  | 'photoAlt'
>;

interface OfferCard {
  id: number;
  url: string;
  title: string;
  summary: string;
  themes: string[];
  ages: string;
  bands: string[];
  formats: string[];
  venue: string;
  price: string;
  status: string;
  statusLabel: string;
  statusTag: string;
  photoUrl: string | null;
  photoAlt: string;
  organisation: { name: string; url: string } | null;
  commune: string | null;
}

/** The model of views/partials/offers/card.eta (any domain listing offers can build it). */
export function offerCard(offer: CardSource, organisation?: { id: number; name: string; slug: string } | null, commune?: string | null): OfferCard {
  return {
    id: offer.id,
    url: offerPath(offer),
    title: offer.title,
    summary: offer.summary,
    themes: labelsOf(themes, offer.themes),
    ages: formatters.ages(offer.ageMin, offer.ageMax),
    bands: ageBandsFor(offer.ageMin, offer.ageMax).map((b) => labelOf(ageBands, b)),
    formats: labelsOf(formats, offer.formats),
    venue: venueLabel(offer),
    price: priceLabel(offer),
    status: offer.status,
    statusLabel: statusLabels[offer.status]?.label ?? offer.status,
    statusTag: statusLabels[offer.status]?.tag ?? 'tag-status',
    photoUrl: offer.photoPath ? mediaUrl(thumbnailKey(offer.photoPath)) : null,
    photoAlt: offer.photoAlt ?? '',
    organisation: organisation ? { name: organisation.name, url: organisationPath(organisation) } : null,
    commune: commune ?? null,
  };
}

function periodText(offer: Offer): string {
  const { startDate, endDate } = offer;
  if (startDate && endDate) return `Du ${formatters.date(startDate)} au ${formatters.date(endDate)}`;
  if (startDate) return `À partir du ${formatters.date(startDate)}`;
  if (endDate) return `Jusqu’au ${formatters.date(endDate)}`;
  return '';
}

function groupText(offer: Offer): string {
  const { groupMin, groupMax } = offer;
  if (groupMin && groupMax) return groupMin === groupMax ? formatters.plural(groupMin, 'enfant', 'enfants') : `De ${groupMin} à ${groupMax} enfants`;
  if (groupMax) return `Jusqu’à ${formatters.plural(groupMax, 'enfant', 'enfants')}`;
  if (groupMin) return `À partir de ${formatters.plural(groupMin, 'enfant', 'enfants')}`;
  return '';
}

/** Everything the offer page shows, as label → text, in the order a director reads it. */
export function offerFacts(offer: Offer, commune: { name: string; postcodes: string[] } | null) {
  const sessions = offer.sessionsCount ? formatters.plural(offer.sessionsCount, 'séance', 'séances') : '';
  const periodicity =
    offer.periodicity === 'cycle' && offer.sessionsCount
      ? `Cycle de ${sessions}`
      : [offer.periodicity ? labelOf(periodicities, offer.periodicity) : '', sessions].filter(Boolean).join(', ');
  let where = '';
  if (offer.venue === 'dans-l-accueil') {
    const parts = [];
    if (offer.travelKm) parts.push(`dans un rayon de ${offer.travelKm} km autour ${commune ? formatters.de(commune.name) : 'de sa base'}`);
    if (offer.departmentsServed.length)
      parts.push(`dans ${offer.departmentsServed.length > 1 ? 'les départements' : 'le département'} ${offer.departmentsServed.join(', ')}`);
    where = `Le partenaire vient dans votre accueil${parts.length ? ` ${parts.join(', ou ')}` : ''}.`;
  } else {
    const place = [offer.address, commune ? `${offer.postcode ?? commune.postcodes[0] ?? ''} ${commune.name}`.trim() : ''].filter(Boolean).join(', ');
    where = `${offer.venue === 'chez-le-partenaire' ? 'Chez le partenaire' : 'Autre lieu'}${place ? ` : ${place}` : ''}.`;
  }
  const price = [priceLabel(offer), offer.priceDetails].filter(Boolean).join(' — ');
  return [
    { label: 'Thèmes', value: labelsOf(themes, offer.themes).join(', ') },
    { label: 'Sous-thèmes', value: labelsOf(subthemes, offer.subthemes).join(', ') },
    { label: 'Âges', value: `${formatters.ages(offer.ageMin, offer.ageMax)} (tranches ${ageBandsFor(offer.ageMin, offer.ageMax).join(', ')})` },
    { label: 'Taille du groupe', value: groupText(offer) },
    {
      label: 'Encadrement demandé à l’accueil',
      value:
        offer.adultsRequired === null ? '' : offer.adultsRequired === 0 ? 'Aucun adulte requis' : formatters.plural(offer.adultsRequired, 'adulte', 'adultes'),
    },
    { label: 'Formats', value: labelsOf(formats, offer.formats).join(', ') },
    { label: 'Créneaux', value: labelsOf(slots, offer.slots).join(', ') },
    { label: 'Périodicité', value: periodicity },
    { label: 'Période', value: periodText(offer) },
    { label: 'Tarif', value: price },
    { label: 'Accessibilité', value: offer.accessibility.length ? labelsOf(accessibility, offer.accessibility).join(', ') : 'Non précisée' },
    { label: 'Natures de partenariat', value: labelsOf(natures, offer.natures).join(', ') },
    { label: 'Activité à encadrement réglementé', value: offer.regulated ? 'Oui (encadrement par un intervenant qualifié)' : 'Non' },
    { label: 'Lieu', value: where },
  ].filter((fact) => fact.value);
}

/** schema.org description of the offer (the layout prints it with "<" escaped). */
export function offerJsonLd(offer: Offer, partner: Partner, commune: { name: string; postcodes: string[] } | null, baseUrl: string) {
  const url = `${baseUrl}${offerPath(offer)}`;
  return {
    '@context': 'https://schema.org',
    '@type': 'Service',
    name: offer.title,
    description: offer.summary || offer.description.slice(0, 300),
    url,
    serviceType: labelsOf(themes, offer.themes).join(', '),
    ...(offer.photoPath ? { image: `${baseUrl}${mediaUrl(offer.photoPath)}` } : {}),
    provider: {
      '@type': 'Organization',
      name: partner.name,
      url: `${baseUrl}${organisationPath(partner)}`,
      ...(partner.type ? { description: labelOf(orgTypes, partner.type) } : {}),
      ...(commune
        ? { address: { '@type': 'PostalAddress', addressLocality: commune.name, postalCode: partner.postcode ?? commune.postcodes[0], addressCountry: 'FR' } }
        : {}),
    },
    audience: { '@type': 'PeopleAudience', suggestedMinAge: offer.ageMin, suggestedMaxAge: offer.ageMax },
    ...(offer.lat !== null && offer.lng !== null
      ? {
          areaServed:
            offer.venue === 'dans-l-accueil' && offer.travelKm
              ? {
                  '@type': 'GeoCircle',
                  geoMidpoint: { '@type': 'GeoCoordinates', latitude: offer.lat, longitude: offer.lng },
                  geoRadius: offer.travelKm * 1000,
                }
              : { '@type': 'Place', geo: { '@type': 'GeoCoordinates', latitude: offer.lat, longitude: offer.lng } },
        }
      : {}),
    offers: {
      '@type': 'Offer',
      url,
      priceCurrency: 'EUR',
      ...(offer.price === 'gratuit' ? { price: 0 } : offer.priceEur ? { price: Number(offer.priceEur) } : {}),
      ...(offer.startDate ? { availabilityStarts: offer.startDate } : {}),
      ...(offer.endDate ? { availabilityEnds: offer.endDate } : {}),
    },
  };
}
