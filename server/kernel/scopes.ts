/** The kinds of territory a coordinator can be appointed to, largest first. */
export const scopeKinds = ['region', 'department', 'epci', 'commune'] as const;
export type ScopeKind = (typeof scopeKinds)[number];
export const scopeLabels: Record<ScopeKind, string> = { region: 'Région', department: 'Département', epci: 'Intercommunalité', commune: 'Commune' };

/** Where an organisation lies: its commune and the territories that contain it. */
interface ScopePlace {
  codeInsee: string | null;
  departmentCode?: string | null;
  regionCode?: string | null;
  /** The commune's EPCI à fiscalité propre and, in the Grand Paris, its établissement public territorial. */
  epciCode?: string | null;
  eptCode?: string | null;
}

/** Whether one of the scopes covers the place. */
export function placeInScopes(place: ScopePlace, scopes: readonly { scope: ScopeKind; code: string }[]): boolean {
  return scopes.some(
    (s) =>
      (s.scope === 'commune' && s.code === place.codeInsee) ||
      (s.scope === 'epci' && (s.code === place.epciCode || s.code === place.eptCode)) ||
      (s.scope === 'department' && s.code === place.departmentCode) ||
      (s.scope === 'region' && s.code === place.regionCode),
  );
}
