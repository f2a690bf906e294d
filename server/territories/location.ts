import type { Deps } from '../deps.js';
import { distanceKm } from '../kernel/distance.js';
import { normalizeCommuneQuery } from '../kernel/text.js';
import type { FormReader } from '../lib/validation.js';
import { type CommuneHit, communeLabel, findCommune, resolveCommune } from './territories.repository.js';

/** A place read from the address partial: the commune always, the exact point when it is plausible. */
export interface Location {
  address: string;
  postcode: string | null;
  codeInsee: string;
  lat: number;
  lng: number;
  communeName: string;
  /** "Villeurbanne (69100)": what the commune field shows. */
  communeLabel: string;
  departmentCode: string;
  regionCode: string;
}

interface LocationOptions {
  /** The commune is required (default true). */
  required?: boolean;
  /** The address line is required too (default false). */
  addressRequired?: boolean;
  /** How far the posted point may be from the commune centroid (default 30 km). */
  maxDistanceKm?: number;
}

const locationMessages = {
  unknown: 'Commune introuvable : vérifiez l’orthographe ou saisissez le code postal.',
  ambiguous: 'Plusieurs communes correspondent : précisez le code postal.',
  communeRequired: 'Indiquez la commune.',
};

/** What a page using views/partials/form/address.eta adds to its data (Leaflet and the two scripts). */
export const addressAssets = { map: true, scripts: ['/static/js/commune-autocomplete.js', '/static/js/location-picker.js'] };

/** Field names of the partial: "address" or, with prefix "venue", "venueAddress". */
export function locationFields(prefix = '') {
  const name = (field: string) => (prefix ? `${prefix}${field[0]!.toUpperCase()}${field.slice(1)}` : field);
  return { address: name('address'), commune: name('commune'), codeInsee: name('codeInsee'), lat: name('lat'), lng: name('lng') };
}

/** Values that fill the partial from a stored record (edit forms). */
export function locationValues(
  record: { address?: string | null; codeInsee?: string | null; lat?: number | null; lng?: number | null; postcode?: string | null },
  commune: { name: string; postcodes: string[] } | null,
  prefix = '',
): Record<string, string> {
  const fields = locationFields(prefix);
  const postcode = record.postcode && commune?.postcodes.includes(record.postcode) ? record.postcode : commune?.postcodes[0];
  return {
    [fields.address]: record.address ?? '',
    [fields.commune]: commune ? (postcode ? `${commune.name} (${postcode})` : commune.name) : '',
    [fields.codeInsee]: record.codeInsee ?? '',
    [fields.lat]: record.lat === null || record.lat === undefined ? '' : String(record.lat),
    [fields.lng]: record.lng === null || record.lng === undefined ? '' : String(record.lng),
  };
}

function coordinate(raw: string, limit: number): number | null {
  const value = raw.replace(',', '.');
  if (!/^-?\d{1,3}(\.\d{1,12})?$/.test(value)) return null;
  const number = Number(value);
  return Number.isFinite(number) && Math.abs(number) <= limit ? number : null;
}

/**
 * "Plusieurs communes…" only when several communes really bear that name (or start with it);
 * fuzzy neighbours of a misspelt name are offered as suggestions of an unknown commune.
 */
function communeError(text: string, candidates: CommuneHit[]): string {
  const typed = normalizeCommuneQuery(text.replace(/\(\s*\d{5}\s*\)\s*$/, ''));
  const list = (hits: CommuneHit[]) =>
    hits
      .slice(0, 4)
      .map((c) => communeLabel(c))
      .join(', ');
  const named = candidates.filter((c) => normalizeCommuneQuery(c.name).startsWith(typed));
  if (named.length > 1) return `${locationMessages.ambiguous.slice(0, -1)} (${list(named)}).`;
  if (candidates.length) return `${locationMessages.unknown} Vouliez-vous dire : ${list(candidates)} ?`;
  return locationMessages.unknown;
}

/** The code posted by the autocomplete is trusted only if the commune text still names that commune. */
function textMatches(text: string, commune: { name: string; postcodes: string[]; codeInsee: string }): boolean {
  if (!text) return true;
  const typed = normalizeCommuneQuery(text.replace(/\(\s*\d{5}\s*\)\s*$/, ''));
  return typed === normalizeCommuneQuery(commune.name) || text.trim() === commune.codeInsee || commune.postcodes.includes(text.trim());
}

/**
 * Reads the address partial's fields (address, commune text, hidden codeInsee/lat/lng) into a
 * location, with French messages on the form: the commune comes from the posted code when it is
 * consistent with the text, else from the text itself; the posted point is kept only if it is a
 * valid coordinate within ~30 km of the commune, else the commune centroid is used.
 * Returns null when nothing was entered (optional location) or when the commune is wrong.
 */
export async function readLocation(deps: Pick<Deps, 'db'>, form: FormReader, prefix = '', options: LocationOptions = {}): Promise<Location | null> {
  const fields = locationFields(prefix);
  const required = options.required ?? true;
  const address = form.text(fields.address, { required: options.addressRequired ?? false, max: 200 });
  const text = form.text(fields.commune, { max: 120 });
  const postedCode = form.raw(fields.codeInsee).toUpperCase();

  let commune: CommuneHit | null = null;
  if (/^\d[\dAB]\d{3}$/.test(postedCode)) {
    const row = await findCommune(deps.db, postedCode);
    if (row && textMatches(text, row)) commune = row;
  }
  if (!commune) {
    if (!text) {
      if (required || address) form.fail(fields.commune, locationMessages.communeRequired);
      return null;
    }
    if (form.errors[fields.commune]) return null;
    const resolved = await resolveCommune(deps.db, text);
    if ('error' in resolved) {
      form.fail(fields.commune, communeError(text, resolved.candidates));
      return null;
    }
    commune = resolved.commune;
  }

  const centroid = { lat: commune.lat, lng: commune.lng };
  const lat = coordinate(form.raw(fields.lat), 90);
  const lng = coordinate(form.raw(fields.lng), 180);
  const point = lat !== null && lng !== null && distanceKm(centroid.lat, centroid.lng, lat, lng) <= (options.maxDistanceKm ?? 30) ? { lat, lng } : centroid;

  const typedPostcode = /\((\d{5})\)\s*$/.exec(text)?.[1] ?? (/^\d{5}$/.test(text.trim()) ? text.trim() : null);
  const postcode = typedPostcode && commune.postcodes.includes(typedPostcode) ? typedPostcode : (commune.postcodes[0] ?? null);
  return {
    address,
    postcode,
    codeInsee: commune.codeInsee,
    lat: point.lat,
    lng: point.lng,
    communeName: commune.name,
    communeLabel: postcode ? `${commune.name} (${postcode})` : communeLabel(commune),
    departmentCode: commune.departmentCode,
    regionCode: commune.regionCode,
  };
}
