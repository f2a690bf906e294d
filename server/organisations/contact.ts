import type { CurrentUser } from '../accounts/sessions.repository.js';

/**
 * The one rule for a partner's email and phone, on its page, its offers' pages and the API:
 * shown to signed-in members of verified ACMs (who may contact it), to its own members and to
 * admins; shown to everyone when the partner chose to make them public.
 */
export function canSeePartnerContact(user: CurrentUser | null, partner: { id: number; contactPublic: boolean }): boolean {
  if (partner.contactPublic) return true;
  if (!user) return false;
  if (user.isAdmin) return true;
  return user.memberships.some((m) => m.organisationId === partner.id || (m.kind === 'acm' && m.status === 'verified'));
}

/** The contact details to show, or null when the rule hides them. */
export function partnerContact(
  user: CurrentUser | null,
  partner: { id: number; contactPublic: boolean; email: string | null; phone: string | null },
  offerEmail?: string | null,
): { email: string | null; phone: string | null } | null {
  if (!canSeePartnerContact(user, partner)) return null;
  return { email: offerEmail || partner.email, phone: partner.phone };
}
