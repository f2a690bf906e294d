import type { CurrentUser } from '../accounts/sessions.repository.js';

interface NavItem {
  href: string;
  label: string;
}

/** Main navigation, by role: what a visitor, a partner, an ACM, a coordinator and an admin need. */
export function navigationFor(user: CurrentUser | null): NavItem[] {
  const items: NavItem[] = [
    { href: '/offres', label: 'Offres' },
    { href: '/carte', label: 'Carte' },
    { href: '/structures', label: 'Structures' },
    { href: '/territoires', label: 'Territoires' },
  ];
  if (!user) return items;
  const isPartner = user.memberships.some((m) => m.kind === 'partner');
  const isAcm = user.memberships.some((m) => m.kind === 'acm');
  if (isPartner || isAcm) items.push({ href: '/besoins', label: isPartner ? 'Besoins des accueils' : 'Mes besoins' });
  if (isPartner || isAcm) items.push({ href: '/demandes', label: 'Demandes' });
  if (isAcm) items.push({ href: '/favoris', label: 'Favoris' });
  if (isPartner || isAcm || user.coordinatorScopes.length > 0) items.push({ href: '/partenariats', label: 'Partenariats' });
  if (user.coordinatorScopes.length > 0 || user.isAdmin) items.push({ href: '/coordination', label: 'Coordination' });
  items.unshift({ href: '/tableau-de-bord', label: 'Tableau de bord' });
  if (user.isAdmin) items.push({ href: '/admin', label: 'Administration' });
  return items;
}
