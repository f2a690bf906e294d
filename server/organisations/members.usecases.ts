import type { Db } from '../../db/client.js';
import { findUserByEmail } from '../accounts/accounts.repository.js';
import { membershipOf } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { hashToken, newToken } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import {
  addMembership,
  countOwners,
  deleteInvitation,
  findInvitation,
  findInvitationByHash,
  findMembership,
  findOrganisation,
  insertInvitation,
  lockOrganisation,
  markClaimed,
  markInvitationAccepted,
  type Role,
  removeMember,
  setMemberRole,
  writeAudit,
} from './organisations.repository.js';
import { organisationPath, roleLabels } from './organisations.usecases.js';

const INVITATION_DAYS = 7;
const roles = ['owner', 'member'] as const;

/** Owners manage members; an admin may too. Anyone outside the organisation gets a 404. */
function assertOwner(user: CurrentUser, organisationId: number): void {
  if (user.isAdmin && !user.memberships.some((m) => m.organisationId === organisationId)) return;
  membershipOf(user, organisationId, { owner: true });
}

/** Emails a 7-day invitation link; the token is stored hashed. */
export async function inviteMember(deps: Deps, user: CurrentUser, organisationId: number, body: Record<string, unknown>) {
  assertOwner(user, organisationId);
  const organisation = await findOrganisation(deps.db, organisationId);
  if (!organisation) throw new NotFoundError();
  const form = new FormReader(body);
  const email = form.email('email', { required: true });
  const role = form.oneOf('role', roles, { required: true });
  const message = form.optionalText('message', { max: 1000, multiline: true });
  form.assertValid();
  const existing = await findUserByEmail(deps.db, email!);
  if (existing && (await findMembership(deps.db, organisationId, existing.id))) {
    throw new ValidationError({ email: 'Cette personne est déjà membre de la structure.' });
  }
  const { token, hash } = newToken();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const invitation = await insertInvitation(tx, {
      organisationId,
      email: email!,
      role: role!,
      tokenHash: hash,
      invitedBy: user.id,
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
      createdAt: now,
    });
    await writeAudit(tx, {
      actorId: user.id,
      action: 'organisation.invite',
      entity: 'organisation',
      entityId: organisationId,
      data: { email, role, invitationId: invitation.id },
      at: now,
    });
    await deps.mailer.queue(
      {
        to: email!,
        subject: `${user.name} vous invite à rejoindre « ${organisation.name} » sur Passerelle`,
        template: 'invitation',
        data: {
          inviterName: user.name,
          organisationName: organisation.name,
          role: roleLabels[role!].toLowerCase(),
          message,
          days: INVITATION_DAYS,
          url: `${deps.config.BASE_URL}/invitations/${token}`,
        },
      },
      tx,
    );
  });
  return { email: email! };
}

export async function cancelInvitation(deps: Deps, user: CurrentUser, organisationId: number, invitationId: number): Promise<void> {
  assertOwner(user, organisationId);
  const invitation = await findInvitation(deps.db, organisationId, invitationId);
  if (!invitation) throw new NotFoundError();
  await deleteInvitation(deps.db, organisationId, invitationId);
}

/** The session's roles were read before the lock: an owner demoted meanwhile is an owner no more. */
async function assertStillOwner(tx: Db, user: CurrentUser, organisationId: number): Promise<void> {
  if (user.isAdmin && !user.memberships.some((m) => m.organisationId === organisationId)) return;
  const own = await findMembership(tx, organisationId, user.id);
  if (own?.role !== 'owner') throw new ConflictError('Vous n’êtes plus responsable de cette structure : la modification n’a pas été faite.');
}

export async function changeMemberRole(deps: Deps, user: CurrentUser, organisationId: number, memberId: number, body: Record<string, unknown>): Promise<void> {
  assertOwner(user, organisationId);
  const form = new FormReader(body);
  const role = form.oneOf('role', roles, { required: true });
  form.assertValid();
  await deps.db.transaction(async (tx) => {
    await lockOrganisation(tx, organisationId);
    await assertStillOwner(tx, user, organisationId);
    const membership = await findMembership(tx, organisationId, memberId);
    if (!membership) throw new NotFoundError();
    if (membership.role === 'owner' && role === 'member' && (await countOwners(tx, organisationId)) <= 1) {
      throw new ConflictError('La structure doit garder au moins un·e responsable : nommez-en un·e autre d’abord.');
    }
    await setMemberRole(tx, organisationId, memberId, role as Role);
    await writeAudit(tx, {
      actorId: user.id,
      action: 'organisation.member_role',
      entity: 'organisation',
      entityId: organisationId,
      data: { userId: memberId, role },
      at: deps.clock.now(),
    });
  });
}

/** Owners remove anyone, a member may leave; the last owner stays. */
export async function removeMembership(deps: Deps, user: CurrentUser, organisationId: number, memberId: number): Promise<void> {
  if (memberId !== user.id) assertOwner(user, organisationId);
  else if (!user.isAdmin) membershipOf(user, organisationId);
  await deps.db.transaction(async (tx) => {
    await lockOrganisation(tx, organisationId);
    if (memberId !== user.id) await assertStillOwner(tx, user, organisationId);
    const membership = await findMembership(tx, organisationId, memberId);
    if (!membership) throw new NotFoundError();
    if (membership.role === 'owner' && (await countOwners(tx, organisationId)) <= 1) {
      throw new ConflictError('La structure doit garder au moins un·e responsable : nommez-en un·e autre avant de retirer celui-ci.');
    }
    await removeMember(tx, organisationId, memberId);
    await writeAudit(tx, {
      actorId: user.id,
      action: 'organisation.member_remove',
      entity: 'organisation',
      entityId: organisationId,
      data: { userId: memberId },
      at: deps.clock.now(),
    });
  });
}

class InvitationInvalidError extends AppError {
  constructor() {
    super(400, 'Cette invitation a expiré, a été annulée ou a déjà servi. Demandez-en une nouvelle aux responsables de la structure.', 'invitation_invalid');
  }
}

/** The invitation behind a link, if it is still valid. */
export async function findValidInvitation(deps: Deps, token: string) {
  const found = await findInvitationByHash(deps.db, hashToken(token));
  if (!found || found.invitation.acceptedAt || found.invitation.expiresAt <= deps.clock.now()) return null;
  return found;
}

/** Why a link no longer works, for its page: expired (with the date, and whether a coordinator sent it), used, or unknown. */
export async function invalidInvitationReason(deps: Deps, token: string) {
  const found = await findInvitationByHash(deps.db, hashToken(token));
  if (!found) return { reason: 'unknown' as const, claim: false, expiredAt: null };
  const claim = found.invitation.importId !== null;
  if (found.invitation.acceptedAt) return { reason: 'used' as const, claim, expiredAt: null };
  return { reason: 'expired' as const, claim, expiredAt: found.invitation.expiresAt };
}

/** Any signed-in account may accept: the link was sent to its holder. */
export async function acceptInvitation(deps: Deps, user: CurrentUser, token: string) {
  const found = await findValidInvitation(deps, token);
  if (!found) throw new InvitationInvalidError();
  const { invitation, organisation } = found;
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    if (!(await markInvitationAccepted(tx, invitation.id, now))) throw new InvitationInvalidError();
    await addMembership(tx, organisation.id, user.id, invitation.role);
    if (organisation.unclaimed) await markClaimed(tx, organisation.id, now);
    await writeAudit(tx, {
      actorId: user.id,
      action: 'organisation.join',
      entity: 'organisation',
      entityId: organisation.id,
      data: { invitationId: invitation.id, role: invitation.role, ...(organisation.unclaimed ? { claimed: true } : {}) },
      at: now,
    });
  });
  // A claimed page is still to be completed: its new owner goes to its form.
  return {
    organisation,
    path: organisation.unclaimed ? `/structures/${organisation.id}/modifier` : organisationPath(organisation),
    claimed: organisation.unclaimed,
  };
}
