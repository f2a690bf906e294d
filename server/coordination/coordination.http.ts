import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { currentUser } from '../accounts/guards.js';
import type { Deps } from '../deps.js';
import { openTerritory, scopeFromPath, type Territory } from './coordination.usecases.js';

/** The `:kind/:code` of every coordination route: a région, département, intercommunalité (SIREN) or commune. */
export const territoryParams = {
  kind: Type.String({ pattern: '^(region|departement|intercommunalite|commune)$' }),
  code: Type.String({ pattern: '^([0-9][0-9AB][0-9]{0,3}|[0-9]{9})$' }),
};
export const TerritoryParams = Type.Object(territoryParams);

/** The territory a coordination route names, opened for the signed-in user (404 outside their scopes). */
export function territoryOf(deps: Deps, request: FastifyRequest): Promise<Territory> {
  const params = request.params as { kind: string; code: string };
  return openTerritory(deps, currentUser(request), scopeFromPath(params.kind, params.code));
}
