import { type Static, Type } from '@sinclair/typebox';
import type { Deps } from '../deps.js';
import { marksFor, starView } from '../favourites/favourites.usecases.js';
import { labelOf, orgTypes, slugs, themes } from '../kernel/taxonomy.js';
import { normalize, separator } from '../kernel/text.js';
import { placeErrors } from '../territories/search-place.js';
import { resolveCommune } from '../territories/territories.repository.js';
import type { App } from '../types.js';
import { parseBBox } from './catalogue.query.js';
import { type OrganisationFilters, searchOrganisations } from './catalogue.repository.js';
import { queryString } from './catalogue.view.js';

const RADII = [5, 10, 20, 30, 50, 100];
const PER_PAGE = 20;
const many = Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 40 })]));
const DirectoryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  lieu: Type.Optional(Type.String({ maxLength: 100 })),
  radius_km: Type.Optional(Type.String({ maxLength: 5 })),
  theme: many,
  org_type: many,
  page: Type.Optional(Type.String({ maxLength: 6 })),
  bbox: Type.Optional(Type.String({ maxLength: 100 })),
});
type Query = Static<typeof DirectoryQuery>;

const list = (value: string | string[] | undefined, allowed: readonly string[]) => [value ?? []].flat().filter((v) => allowed.includes(v));

/** The directory's form → the organisation filters (a typed commune and a radius, themes, types). Bad values are dropped with a message. */
async function readDirectoryForm(deps: Deps, query: Query) {
  const radius = RADII.includes(Number(query.radius_km)) ? Number(query.radius_km) : 20;
  const filters: OrganisationFilters = {
    q: query.q?.trim() ? normalize(query.q) || undefined : undefined,
    theme: list(query.theme, slugs.theme),
    orgType: list(query.org_type, slugs.org_type),
  };
  let error: string | null = null;
  let placeLabel: string | null = null;
  if (query.lieu?.trim()) {
    const found = await resolveCommune(deps.db, query.lieu);
    if ('commune' in found) {
      filters.near = { lat: found.commune.lat, lng: found.commune.lng, radiusKm: radius };
      placeLabel = found.commune.name;
    } else {
      error = placeErrors[found.error];
    }
  }
  const page = Math.min(1000, Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1));
  return { filters, radius, error, placeLabel, page };
}

/** /structures: the directory of partner organisations, with the place and radius of the offer search, and a map. */
export default async function directoryPages(app: App) {
  const { deps } = app;

  app.get('/structures', { schema: { hide: true, querystring: DirectoryQuery } }, async (request, reply) => {
    const form = await readDirectoryForm(deps, request.query);
    const result = await searchOrganisations(deps.db, form.filters, form.page, PER_PAGE);
    const marks = await marksFor(
      deps,
      request.user,
      [],
      result.items.map((o) => o.id),
    );
    const { page: _page, ...withoutPage } = request.query;
    const pages = Math.max(1, Math.ceil(result.total / PER_PAGE));
    const mapQuery = queryString({
      q: request.query.q,
      theme: form.filters.theme,
      org_type: form.filters.orgType,
      ...(form.filters.near ? { near: `${form.filters.near.lat},${form.filters.near.lng}`, radius_km: String(form.radius) } : {}),
    });
    reply.header('Cache-Control', 'private, no-cache');
    return reply.page('catalogue/directory', {
      title: 'Annuaire des structures partenaires',
      form,
      values: request.query,
      selected: { theme: form.filters.theme ?? [], org_type: form.filters.orgType ?? [] },
      themeOptions: themes,
      typeOptions: orgTypes,
      radii: RADII,
      total: result.total,
      page: form.page,
      pages,
      pageHref: (page: number) => `/structures?${queryString({ ...withoutPage, ...(page > 1 ? { page: String(page) } : {}) })}`,
      items: result.items.map((o) => ({
        id: o.id,
        name: o.name,
        url: `/structures/${o.id}-${o.slug}`,
        type: o.type ? labelOf(orgTypes, o.type) : '',
        commune: o.communeName,
        verified: o.status === 'verified',
        themes: o.themes.map((t) => labelOf(themes, t)),
        offers: o.offersCount,
        distance: o.distanceKm === null ? null : Math.round(Number(o.distanceKm) * 10) / 10,
        lat: o.lat,
        lng: o.lng,
        star: marks ? starView('organisation', o.id, o.name, marks.favouritePartners.has(o.id)) : null,
        contacted: Boolean(marks?.contactedPartners.has(o.id)),
      })),
      mapQuery,
      acmMember: Boolean(marks),
      map: true,
      scripts: ['/static/js/map.js'],
    });
  });

  // The directory's map: the partners in view, as the GeoJSON map.js draws (no clustering needed at this size).
  app.get('/structures/carte.geojson', { schema: { hide: true, querystring: DirectoryQuery } }, async (request, reply) => {
    const form = await readDirectoryForm(deps, request.query);
    let bbox: OrganisationFilters['bbox'];
    try {
      bbox = parseBBox(request.query.bbox);
    } catch {
      bbox = undefined;
    }
    const result = await searchOrganisations(deps.db, { ...form.filters, bbox }, 1, 500);
    reply.header('Cache-Control', 'private, max-age=60').type('application/geo+json');
    return {
      type: 'FeatureCollection',
      features: result.items
        .filter((o) => o.lat !== null && o.lng !== null)
        .map((o) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [o.lng, o.lat] },
          properties: {
            cluster: false,
            count: 1,
            kind: 'organisation',
            id: o.id,
            title: o.name,
            path: `/structures/${o.id}-${o.slug}`,
            organisation: [o.type ? labelOf(orgTypes, o.type) : '', o.communeName].filter(Boolean).join(separator),
          },
        })),
    };
  });
}
