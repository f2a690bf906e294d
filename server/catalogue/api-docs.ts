import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

/** OpenAPI description of the public API at /api/docs (registered before the routes; HTML routes are left out). */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        servers: [{ url: app.deps.config.BASE_URL }],
        // A public read API: no authentication on any operation.
        security: [],
        info: {
          title: 'Passerelle — API publique',
          description:
            'Lecture libre des offres et des structures partenaires du Plan mercredi. Paramètres répétables : OU au sein d’un paramètre, ET entre paramètres. Un paramètre invalide renvoie 400 avec son nom.',
          version: '1.0.0',
        },
        tags: [
          { name: 'offres', description: 'Recherche, filtres, facettes et carte' },
          { name: 'structures', description: 'Partenaires' },
          { name: 'territoires', description: 'Communes' },
        ],
      },
      // Shared schemas (ApiError) keep their $id as their component name.
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      transform: ({ schema, url, route }) => {
        const hidden = !url.startsWith('/api/v1/') || (route.method as string) === 'HEAD';
        return { schema: hidden ? { ...schema, hide: true } : schema, url };
      },
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: false } });
  },
  { name: 'api-docs', dependencies: ['deps'] },
);
