import type { BBox, MapFeature, OfferDocument, StoredOffer } from './types.js';

/** At this zoom and beyond, offers are sent one by one (if there are no more than MAX_FEATURES). */
export const POINTS_ZOOM = 13;
export const MAX_FEATURES = 500;
const TARGET_CELLS = 400;

/**
 * The clustering grid for a map view: square cells of about 64 px at this zoom, never more than
 * about 400 cells over the box (a huge box at a high zoom gets bigger cells), sizes rounded to a
 * power of two and the box snapped to the grid, so that nearby views share cells (and caches).
 */
export function gridFor(bbox: BBox, zoom: number): { cell: number; bbox: BBox } {
  const lngSpan = Math.max(bbox.east - bbox.west, 1e-6);
  const latSpan = Math.max(bbox.north - bbox.south, 1e-6);
  const zoomCell = 360 / 2 ** zoom / 4;
  const capCell = Math.sqrt((lngSpan * latSpan) / TARGET_CELLS);
  const cell = 2 ** Math.ceil(Math.log2(Math.max(zoomCell, capCell)));
  return {
    cell,
    bbox: {
      west: Math.max(-180, Math.floor(bbox.west / cell) * cell),
      south: Math.max(-90, Math.floor(bbox.south / cell) * cell),
      east: Math.min(180, Math.ceil(bbox.east / cell) * cell),
      north: Math.min(90, Math.ceil(bbox.north / cell) * cell),
    },
  };
}

/** The fields kept for display (the description and labels only serve the text search). */
export function toStored(document: OfferDocument): StoredOffer {
  const { description: _d, themeLabels: _t, subthemeLabels: _s, regionsServed: _r, ...stored } = document;
  return stored;
}

export function offerPath(offer: { id: number; slug: string }): string {
  return `/offres/${offer.id}-${offer.slug}`;
}

export function organisationPath(offer: { organisationId: number; orgSlug: string }): string {
  return `/structures/${offer.organisationId}-${offer.orgSlug}`;
}

/** A single offer on the map (both engines send the same properties). */
export function pointFeature(doc: StoredOffer): MapFeature {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [doc.lng ?? 0, doc.lat ?? 0] },
    properties: {
      cluster: false,
      count: 1,
      id: doc.id,
      title: doc.title,
      path: offerPath(doc),
      organisation: doc.orgName,
      venue: doc.venue,
      travel_km: doc.venue === 'dans-l-accueil' ? doc.travelKm : null,
      theme: doc.themes?.[0] ?? null,
    },
  };
}
