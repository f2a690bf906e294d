import type { Static } from '@sinclair/typebox';
import type { AgeRange, BBox, CommuneFilter, EpciFilter, MapQuery, Near, OfferFilters, OfferSearch, Period, SortOrder } from '../../search/types.js';
import type { Deps } from '../deps.js';
import { ParameterError } from '../lib/errors.js';
import { communeCentres, epciMembers, territoryCodes } from './catalogue.repository.js';
import type { MapQuerySchema, OffersQuery, offerFilterProperties } from './catalogue.schemas.js';

type RawFilters = { [K in keyof typeof offerFilterProperties]?: unknown };

export function parseNear(near: string | undefined, radius: number | undefined): Near | undefined {
  if (near === undefined) return undefined;
  const [lat, lng] = near.split(',').map(Number) as [number, number];
  if (!(lat >= -90 && lat <= 90)) throw new ParameterError('near', 'latitude entre -90 et 90 attendue');
  if (!(lng >= -180 && lng <= 180)) throw new ParameterError('near', 'longitude entre -180 et 180 attendue');
  if (radius === undefined) throw new ParameterError('radius_km', 'obligatoire avec near');
  return { lat, lng, radiusKm: radius };
}

export function parseBBox(bbox: string | undefined): BBox | undefined {
  if (bbox === undefined) return undefined;
  const [west, south, east, north] = bbox.split(',').map(Number) as [number, number, number, number];
  if (![west, east].every((v) => v >= -180 && v <= 180)) throw new ParameterError('bbox', 'longitudes entre -180 et 180 attendues');
  if (![south, north].every((v) => v >= -90 && v <= 90)) throw new ParameterError('bbox', 'latitudes entre -90 et 90 attendues');
  if (west >= east || south >= north) throw new ParameterError('bbox', 'ouest < est et sud < nord attendus (ouest,sud,est,nord)');
  return { west, south, east, north };
}

function parseDate(value: string | undefined, parameter: string): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) throw new ParameterError(parameter, `date inexistante (${value})`);
  return value;
}

/** « de 8 à 11 ans »: either end may be left out. */
function parseAgeRange(min: number | undefined, max: number | undefined): AgeRange | undefined {
  if (min === undefined && max === undefined) return undefined;
  const range = { min: min ?? 0, max: max ?? 99 };
  if (range.min > range.max) throw new ParameterError('age_max', 'doit être supérieur ou égal à age_min');
  return range;
}

function parsePeriod(from: string | undefined, to: string | undefined): Period | undefined {
  const start = parseDate(from, 'available_from');
  const end = parseDate(to, 'available_to');
  if (start === undefined && end === undefined) return undefined;
  if (start !== undefined && end !== undefined && start > end) throw new ParameterError('available_to', 'doit suivre available_from');
  return { ...(start ? { from: start } : {}), ...(end ? { to: end } : {}) };
}

/** Schema-valid parameters → engine filters, checking what a schema cannot (places that exist, coherent pairs). */
export async function parseFilters(deps: Deps, raw: RawFilters): Promise<OfferFilters> {
  const r = raw as Static<typeof OffersQuery>;
  const codes = await territoryCodes(deps.db);
  let commune: CommuneFilter[] | undefined;
  if (r.commune?.length) {
    const found = await communeCentres(deps.db, r.commune);
    commune = r.commune.map((code) => {
      const centre = found.get(code);
      if (!centre) throw new ParameterError('commune', `commune inconnue (${code})`);
      return { code, ...centre };
    });
  }
  let comesTo: OfferFilters['comesTo'];
  if (r.comes_to) {
    const centre = (await communeCentres(deps.db, [r.comes_to])).get(r.comes_to);
    if (!centre) throw new ParameterError('comes_to', `commune inconnue (${r.comes_to})`);
    comesTo = { code: r.comes_to, ...centre };
  }
  for (const code of r.department ?? []) if (!codes.departments.has(code)) throw new ParameterError('department', `département inconnu (${code})`);
  for (const code of r.region ?? []) if (!codes.regions.has(code)) throw new ParameterError('region', `région inconnue (${code})`);
  let epci: EpciFilter[] | undefined;
  if (r.epci?.length) {
    const found = await epciMembers(deps.db, r.epci);
    epci = [...new Set(r.epci)].map((code) => {
      const members = found.get(code);
      if (!members) throw new ParameterError('epci', `intercommunalité inconnue (${code})`);
      return members;
    });
  }
  const q = r.q?.trim();
  return {
    ...(q ? { q } : {}),
    theme: r.theme,
    subtheme: r.subtheme,
    age: r.age,
    ageRange: parseAgeRange(r.age_min, r.age_max),
    ageBand: r.age_band,
    format: r.format,
    venue: r.venue,
    price: r.price,
    accessibility: r.accessibility,
    orgType: r.org_type,
    nature: r.nature,
    slot: r.slot,
    period: parsePeriod(r.available_from, r.available_to),
    comesTo,
    near: parseNear(r.near, r.radius_km),
    bbox: parseBBox(r.bbox),
    commune,
    department: r.department,
    epci,
    region: r.region,
  };
}

export async function parseOfferSearch(deps: Deps, raw: Static<typeof OffersQuery>): Promise<OfferSearch> {
  const filters = await parseFilters(deps, raw);
  return { ...compact(filters), sort: (raw.sort ?? 'relevance') as SortOrder, page: raw.page ?? 1, perPage: raw.per_page ?? 20 };
}

export async function parseMapQuery(deps: Deps, raw: Static<typeof MapQuerySchema>): Promise<MapQuery> {
  const filters = await parseFilters(deps, raw);
  const bbox = filters.bbox!;
  const zoom = raw.zoom ?? Math.max(0, Math.min(18, Math.round(Math.log2(360 / Math.max(bbox.east - bbox.west, 1e-6))) + 2));
  return { ...compact(filters), bbox, zoom };
}

/** Drops absent and empty filters, so that equal queries have equal cache keys. */
function compact<T extends object>(filters: T): T {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}
