import { Type } from '@sinclair/typebox';
import { apiErrors } from '../lib/schemas.js';
import type { App } from '../types.js';
import { communeLabel, searchCommunes } from './territories.repository.js';
import territoryPages from './territory-pages.routes.js';

const CommunesResponse = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        code_insee: Type.String(),
        name: Type.String(),
        label: Type.String({ description: 'Nom et département, pour l’affichage' }),
        postcodes: Type.Array(Type.String()),
        department: Type.String(),
        region: Type.String(),
        lat: Type.Number(),
        lng: Type.Number(),
        epci: Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()], {
          description: 'L’intercommunalité (EPCI à fiscalité propre, code SIREN), null pour les quelques communes isolées',
        }),
        ept: Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()], {
          description: 'L’établissement public territorial du Grand Paris, sinon null',
        }),
      }),
    ),
  },
  { description: 'Les communes trouvées, les plus peuplées d’abord' },
);

export default async function territoriesRoutes(app: App) {
  const { db } = app.deps;
  await app.register(territoryPages);

  app.get(
    '/api/v1/communes',
    {
      schema: {
        tags: ['territoires'],
        operationId: 'searchCommunes',
        summary: 'Autocomplétion des communes (nom ou code postal)',
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 100 }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CommunesResponse, ...apiErrors(400, 429, 503) },
      },
    },
    async (request, reply) => {
      const hits = await searchCommunes(db, request.query.q, request.query.limit ?? 10);
      reply.header('Cache-Control', 'public, max-age=3600');
      return {
        items: hits.map((c) => ({
          code_insee: c.codeInsee,
          name: c.name,
          label: communeLabel(c),
          postcodes: c.postcodes,
          department: c.departmentCode,
          region: c.regionCode,
          lat: c.lat,
          lng: c.lng,
          epci: c.epciCode && c.epciName ? { code: c.epciCode, name: c.epciName } : null,
          ept: c.eptCode && c.eptName ? { code: c.eptCode, name: c.eptName } : null,
        })),
      };
    },
  );
}
