import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { loadOfferDocuments } from '../../search/documents.js';
import { subthemes } from '../kernel/taxonomy.js';
import { normalize } from '../kernel/text.js';
import { NotFoundError } from '../lib/errors.js';
import { apiErrors, IdParam } from '../lib/schemas.js';
import { recordUnmetSearch } from '../observatory/unmet-demand.js';
import { partnerContact } from '../organisations/contact.js';
import { loadCommuneCentres } from '../territories/search-place.js';
import type { App } from '../types.js';
import { offerDetail, offerItem, offersResponse, organisationItem } from './catalogue.api.js';
import pagesRoutes from './catalogue.pages.js';
import { parseBBox, parseMapQuery, parseNear, parseOfferSearch } from './catalogue.query.js';
import { findPublicOrganisation, offerContactSource, searchOrganisations } from './catalogue.repository.js';
import {
  MapQuerySchema,
  MapResponse,
  OfferDetailResponse,
  OffersQuery,
  OffersResponse,
  OrganisationDetailResponse,
  OrganisationsQuery,
  OrganisationsResponse,
} from './catalogue.schemas.js';
import directoryPages from './directory.pages.js';

export default async function catalogueRoutes(app: App) {
  const { deps } = app;
  const baseUrl = deps.config.BASE_URL;

  if (deps.config.NODE_ENV === 'production') {
    const engine = deps.search as { warm?: () => Promise<void> };
    app.addHook('onReady', async () => {
      void engine.warm?.().catch((error: unknown) => app.log.warn({ err: error }, 'search warm-up failed'));
      void loadCommuneCentres(deps.db).catch((error: unknown) => app.log.warn({ err: error }, 'communes not read ahead'));
    });
  }

  // Public API: cacheable GETs with an ETag (CORS comes from the security plugin).
  await app.register(async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();
    api.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
      const etag = `W/"${createHash('sha1').update(payload).digest('base64url').slice(0, 27)}"`;
      // Signed-in users may see contact details that visitors do not: their answers stay in their browser.
      reply.header('ETag', etag).header('Cache-Control', request.user ? 'private, no-cache' : 'public, max-age=60');
      if (request.headers['if-none-match'] === etag) {
        reply.code(304);
        return '';
      }
      return payload;
    });

    api.get(
      '/api/v1/offers',
      {
        schema: {
          tags: ['offres'],
          operationId: 'searchOffers',
          summary: 'Rechercher des offres (filtres, facettes, distance)',
          querystring: OffersQuery,
          response: { 200: OffersResponse, ...apiErrors(400, 429, 503) },
        },
      },
      async (request) => {
        const search = await parseOfferSearch(deps, request.query);
        const result = await deps.search.searchOffers(search);
        recordUnmetSearch(deps, search, result.total, 'api');
        return offersResponse(baseUrl, result);
      },
    );

    const offerSchema = {
      tags: ['offres'],
      operationId: 'getOffer',
      summary: 'Une offre publiée',
      params: IdParam,
      response: { 200: OfferDetailResponse, ...apiErrors(400, 404, 429, 503) },
    };
    api.get('/api/v1/offers/:id', { schema: offerSchema }, async (request) => {
      const [offer] = await loadOfferDocuments(deps.db, { ids: [request.params.id] });
      if (!offer) throw new NotFoundError('Offre introuvable.');
      const source = await offerContactSource(deps.db, offer.id);
      return offerDetail(baseUrl, offer, source ? partnerContact(request.user, source, source.offerEmail) : null);
    });

    api.get(
      '/api/v1/map',
      {
        schema: {
          tags: ['offres'],
          operationId: 'mapOffers',
          summary: 'Offres sur la carte (GeoJSON ; regroupées en dessous du zoom 13, 500 éléments au plus)',
          querystring: MapQuerySchema,
          response: { 200: MapResponse, ...apiErrors(400, 429, 503) },
        },
      },
      async (request) => deps.search.mapOffers(await parseMapQuery(deps, request.query)),
    );

    api.get(
      '/api/v1/organisations',
      {
        schema: {
          tags: ['structures'],
          operationId: 'searchOrganisations',
          summary: 'Structures partenaires (mêmes filtres de lieu que les offres)',
          querystring: OrganisationsQuery,
          response: { 200: OrganisationsResponse, ...apiErrors(400, 429, 503) },
        },
      },
      async (request) => {
        const r = request.query;
        const page = r.page ?? 1;
        const perPage = r.per_page ?? 20;
        const result = await searchOrganisations(
          deps.db,
          {
            q: r.q ? normalize(r.q) || undefined : undefined,
            orgType: r.org_type,
            theme: r.theme,
            near: parseNear(r.near, r.radius_km),
            bbox: parseBBox(r.bbox),
            commune: r.commune,
            department: r.department,
            epci: r.epci,
            region: r.region,
          },
          page,
          perPage,
        );
        return { total: result.total, page, per_page: perPage, items: result.items.map((o) => organisationItem(baseUrl, o, request.user)) };
      },
    );

    api.get(
      '/api/v1/organisations/:id',
      {
        schema: {
          tags: ['structures'],
          operationId: 'getOrganisation',
          summary: 'Une structure partenaire et ses offres',
          params: IdParam,
          response: { 200: OrganisationDetailResponse, ...apiErrors(400, 404, 429, 503) },
        },
      },
      async (request) => {
        const organisation = await findPublicOrganisation(deps.db, request.params.id);
        if (!organisation) throw new NotFoundError('Structure introuvable.');
        const offers = await deps.search.searchOffers({ organisationId: organisation.id, sort: 'recent', page: 1, perPage: 100 });
        return {
          ...organisationItem(baseUrl, organisation, request.user),
          description: organisation.description,
          website: organisation.website,
          offers: offers.items.map((hit) => offerItem(baseUrl, hit.document, null)),
        };
      },
    );
  });

  app.get(
    '/offres/suggestions',
    { schema: { hide: true, querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }) } },
    async (request, reply) => {
      const q = request.query.q?.trim() ?? '';
      const typed = normalize(q);
      // Sub-theme labels whose words start with what is typed, then offer titles.
      const labels =
        typed.length >= 2
          ? subthemes
              .filter((s) =>
                normalize(s.label)
                  .split(' ')
                  .some((w) => w.startsWith(typed)),
              )
              .map((s) => s.label)
          : [];
      const titles = typed.length >= 2 ? await deps.search.suggest(q, 8) : [];
      const suggestions = [...new Set([...labels.slice(0, 3), ...titles])].slice(0, 10);
      reply.header('Cache-Control', 'public, max-age=60');
      return reply.fragment('catalogue/suggestions', { suggestions });
    },
  );

  await app.register(pagesRoutes);
  await app.register(directoryPages);
}
