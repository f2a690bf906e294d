import { Type } from '@sinclair/typebox';
import { currentUser, requireUser } from '../accounts/guards.js';
import { formBody, formText, safeNext } from '../lib/schemas.js';
import type { App } from '../types.js';
import { type FavouriteKind, favouritesPage, setFavourite } from './favourites.usecases.js';

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const StarBody = formBody({ favori: formText(1), suivant: formText(500) });

/** Favourites of ACM members: /favoris, and the star buttons of offers and partners. */
export default async function favouritesRoutes(app: App) {
  const { deps } = app;

  app.get('/favoris', { preHandler: requireUser }, async (request, reply) => {
    const { offers, organisations } = await favouritesPage(deps, currentUser(request));
    return reply.page('favourites/index', { title: 'Mes favoris', offers, organisations });
  });

  const segments: [string, FavouriteKind][] = [
    ['offres', 'offer'],
    ['structures', 'organisation'],
  ];
  for (const [segment, kind] of segments) {
    app.post(`/favoris/${segment}/:id`, { preHandler: requireUser, schema: { params: IdParam, body: StarBody } }, async (request, reply) => {
      const on = request.body.favori !== '0';
      const star = await setFavourite(deps, currentUser(request), kind, request.params.id, on);
      if (request.headers['hx-request'] === 'true') return reply.fragment('favourites/toggle', { star });
      reply.flash('success', on ? `« ${star.name} » est dans vos favoris.` : `« ${star.name} » est retiré de vos favoris.`);
      return reply.redirect(safeNext(request.body.suivant, '/favoris'), 303);
    });
  }
}
