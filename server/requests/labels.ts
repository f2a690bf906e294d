import type { requestStatuses } from '../../db/schema/index.js';

export type RequestStatus = (typeof requestStatuses)[number];

export const statusLabels: Record<RequestStatus, string> = {
  sent: 'Envoyée',
  in_discussion: 'En discussion',
  accepted: 'Acceptée',
  declined: 'Déclinée',
  withdrawn: 'Retirée',
  expired: 'Expirée',
};

/** Tag class for each status (the label always says it too: never colour alone). */
export const statusTags: Record<RequestStatus, string> = {
  sent: 'tag-warning',
  in_discussion: 'tag-status',
  accepted: 'tag-success',
  declined: 'tag-danger',
  withdrawn: 'tag-status',
  expired: 'tag-danger',
};

export const openStatuses: RequestStatus[] = ['sent', 'in_discussion'];
/** Status filter of the inboxes (URL slugs in French, like the rest of the site). */
export const statusFilters = [
  { value: 'ouvertes', label: 'En cours (envoyées ou en discussion)', statuses: openStatuses },
  { value: 'envoyee', label: 'Envoyées, sans réponse', statuses: ['sent'] },
  { value: 'en-discussion', label: 'En discussion', statuses: ['in_discussion'] },
  { value: 'acceptee', label: 'Acceptées', statuses: ['accepted'] },
  { value: 'declinee', label: 'Déclinées', statuses: ['declined'] },
  { value: 'retiree', label: 'Retirées', statuses: ['withdrawn'] },
  { value: 'expiree', label: 'Expirées', statuses: ['expired'] },
] as const satisfies readonly { value: string; label: string; statuses: readonly RequestStatus[] }[];

export const declineReasons = [
  { value: 'indisponible', label: 'Pas de disponibilité sur la période ou les créneaux proposés' },
  { value: 'hors-zone', label: 'Accueil trop éloigné de notre zone d’intervention' },
  { value: 'public', label: 'Âges ou effectif en dehors de ce que nous pouvons accueillir' },
  { value: 'complet', label: 'Notre programme est complet pour cette période' },
  { value: 'conditions', label: 'Conditions non réunies (tarif, encadrement, matériel, lieu)' },
  { value: 'offre-terminee', label: 'Cette activité n’est plus proposée' },
  { value: 'autre', label: 'Autre raison (précisée dans le message)' },
] as const;

export function declineReasonLabel(code: string | null | undefined): string {
  return declineReasons.find((r) => r.value === code)?.label ?? code ?? '';
}
