import { Type } from '@sinclair/typebox';
import type { App } from '../types.js';
import { communeLabel, searchCommunes } from './territories.repository.js';

export default async function territoriesRoutes(app: App) {
  const { db } = app.deps;

  app.get(
    '/api/v1/communes',
    {
      schema: {
        tags: ['territoires'],
        summary: 'Autocomplétion des communes (nom ou code postal)',
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 100 }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 10 })),
          },
          { additionalProperties: false },
        ),
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
        })),
      };
    },
  );
}
