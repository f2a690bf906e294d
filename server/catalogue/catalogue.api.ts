import { offerPath, organisationPath } from '../../search/map-grid.js';
import type { OfferDocument, OfferHit, OfferSearchResult, StoredOffer } from '../../search/types.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { partnerContact } from '../organisations/contact.js';
import type { OrganisationRow } from './catalogue.repository.js';

const round = (value: number) => Math.round(value * 1000) / 1000;

/** An offer as the public API shows it (PRODUCT.md). */
export function offerItem(baseUrl: string, offer: StoredOffer, distanceKm: number | null) {
  return {
    id: offer.id,
    external_id: offer.externalId,
    url: `${baseUrl}${offerPath(offer)}`,
    title: offer.title,
    summary: offer.summary,
    themes: offer.themes,
    subthemes: offer.subthemes,
    formats: offer.formats,
    venue: offer.venue,
    travel_km: offer.venue === 'dans-l-accueil' ? offer.travelKm : null,
    age_min: offer.ageMin,
    age_max: offer.ageMax,
    price: offer.price,
    organisation: { id: offer.organisationId, name: offer.orgName, type: offer.orgType, url: `${baseUrl}${organisationPath(offer)}` },
    location: { lat: offer.lat, lng: offer.lng, commune: offer.communeName, code_insee: offer.codeInsee, department: offer.department },
    distance_km: distanceKm === null ? null : round(distanceKm),
  };
}

export function offersResponse(baseUrl: string, result: OfferSearchResult) {
  return {
    total: result.total,
    page: result.page,
    per_page: result.perPage,
    items: result.items.map((hit: OfferHit) => offerItem(baseUrl, hit.document, hit.distanceKm)),
    facets: result.facets,
  };
}

export function offerDetail(baseUrl: string, offer: OfferDocument, contact: { email: string | null; phone: string | null } | null = null) {
  return {
    ...offerItem(baseUrl, offer, null),
    description: offer.description,
    age_bands: offer.ageBands,
    accessibility: offer.accessibility,
    natures: offer.natures,
    slots: offer.slots,
    departments_served: offer.venue === 'dans-l-accueil' ? offer.departmentsServed : [],
    published_at: offer.publishedAt,
    contact,
  };
}

export function organisationItem(baseUrl: string, org: OrganisationRow, user: CurrentUser | null) {
  return {
    id: org.id,
    name: org.name,
    type: org.type,
    url: `${baseUrl}/structures/${org.id}-${org.slug}`,
    themes: org.themes,
    verified: org.status === 'verified',
    offers_count: org.offersCount,
    location: { lat: org.lat, lng: org.lng, commune: org.communeName, code_insee: org.codeInsee, department: org.department },
    distance_km: org.distanceKm === null ? null : round(Number(org.distanceKm)),
    contact: partnerContact(user, org),
  };
}
