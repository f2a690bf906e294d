import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { placeInScopes } from '../kernel/scopes.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import { findOrganisationDetails, findPartnership, type Partnership, type Side } from './partnerships.repository.js';

export interface Access {
  partnership: Partnership;
  user: CurrentUser;
  /** The parties the user belongs to (both when a user is a member of the two organisations). */
  sides: Side[];
  /** coordinator: the one who prescribed it, or a coordinator of the ACM's territory. */
  role: 'party' | 'admin' | 'coordinator';
  /** Parties edit their partnership until it is closed; admins and coordinators only read. */
  canEdit: boolean;
}

/**
 * Who sees a partnership: members of its two organisations, admins, the coordinator who
 * prescribed it and the coordinators of the ACM's territory (read-only). Anyone else gets a 404,
 * so that its existence does not leak.
 */
export async function accessPartnership(deps: Deps, id: number, user: CurrentUser | null): Promise<Access> {
  if (!user) throw new NotFoundError();
  const partnership = await findPartnership(deps.db, id);
  if (!partnership) throw new NotFoundError();
  const sides: Side[] = [];
  if (user.memberships.some((m) => m.organisationId === partnership.acmId)) sides.push('acm');
  if (user.memberships.some((m) => m.organisationId === partnership.partnerId)) sides.push('partner');
  if (sides.length) return { partnership, user, sides, role: 'party', canEdit: partnership.status !== 'closed' };
  if (user.isAdmin) return { partnership, user, sides, role: 'admin', canEdit: false };
  if (partnership.prescribedBy === user.id) return { partnership, user, sides, role: 'coordinator', canEdit: false };
  if (user.coordinatorScopes.length) {
    const acm = await findOrganisationDetails(deps.db, partnership.acmId);
    if (acm && placeInScopes(acm, user.coordinatorScopes)) return { partnership, user, sides, role: 'coordinator', canEdit: false };
  }
  throw new NotFoundError();
}

/** The party the user acts for: the one named in the form, or their only one. */
export function actingSide(access: Access, requested?: string | null): Side {
  if (access.role !== 'party') throw new ForbiddenError('Vous consultez ce partenariat en lecture seule.');
  if (access.partnership.status === 'closed') throw new ForbiddenError('Ce partenariat est terminé : il ne peut plus être modifié.');
  if (requested === 'acm' || requested === 'partner') {
    if (!access.sides.includes(requested)) throw new ForbiddenError('Vous ne faites pas partie de cette structure.');
    return requested;
  }
  return access.sides[0]!;
}

/** For changes any party may make. */
export function requireEditor(access: Access): void {
  actingSide(access);
}

export function organisationIdOf(partnership: Partnership, side: Side): number {
  return side === 'acm' ? partnership.acmId : partnership.partnerId;
}

export const sideLabels: Record<Side, string> = { acm: 'Accueil', partner: 'Partenaire' };
