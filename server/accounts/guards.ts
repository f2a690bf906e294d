import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import type { CurrentUser, MembershipSummary } from './sessions.repository.js';

/** preHandler: visitors are sent to the sign-in page, then back. */
export async function requireUser(request: FastifyRequest, reply: FastifyReply) {
  if (request.user) return;
  if (request.method === 'GET') {
    reply.flash('info', 'Connectez-vous pour accéder à cette page.');
    return reply.redirect(`/connexion?suivant=${encodeURIComponent(request.url)}`);
  }
  throw new ForbiddenError('Votre session a expiré : reconnectez-vous.');
}

export async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
  await requireUser(request, reply);
  if (reply.sent) return;
  if (!request.user?.isAdmin) throw new NotFoundError();
}

/** The signed-in user, for handlers behind requireUser. */
export function currentUser(request: FastifyRequest): CurrentUser {
  if (!request.user) throw new ForbiddenError('Votre session a expiré : reconnectez-vous.');
  return request.user;
}

/**
 * The user's membership of an organisation. Anyone else gets a 404, not a 403, so that the
 * existence of private records does not leak.
 */
export function membershipOf(user: CurrentUser | null, organisationId: number, options: { owner?: boolean } = {}): MembershipSummary {
  const membership = user?.memberships.find((m) => m.organisationId === organisationId);
  if (!membership) throw new NotFoundError();
  if (options.owner && membership.role !== 'owner') throw new ForbiddenError('Seuls les responsables de la structure peuvent faire cela.');
  return membership;
}

export function isMember(user: CurrentUser | null, organisationId: number): boolean {
  return Boolean(user?.memberships.some((m) => m.organisationId === organisationId));
}
