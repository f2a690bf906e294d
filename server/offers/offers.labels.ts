import type { Option } from '../kernel/taxonomy.js';
import type { OfferStatus } from './offers.repository.js';

/** Status labels as partners read them, with the tag style of each. */
export const statusLabels: Record<string, { label: string; tag: string; hint: string }> = {
  draft: { label: 'Brouillon', tag: 'tag-status', hint: 'Visible par les membres de votre structure seulement.' },
  pending: { label: 'En attente de validation', tag: 'tag-warning', hint: 'L’équipe Passerelle vérifie l’offre avant sa publication.' },
  published: { label: 'Publiée', tag: 'tag-success', hint: 'Visible par tous dans l’annuaire.' },
  paused: { label: 'En pause', tag: 'tag-status', hint: 'Masquée de l’annuaire jusqu’à sa reprise.' },
  archived: { label: 'Archivée', tag: 'tag-status', hint: 'Retirée de l’annuaire ; vous pouvez la dupliquer pour la reproposer.' },
  rejected: { label: 'Refusée', tag: 'tag-danger', hint: 'Modifiez-la selon le motif indiqué, puis soumettez-la à nouveau.' },
};

/** The admin's exports by status, as their links and file names say. */
export const statusExports: { status: OfferStatus; label: string }[] = [
  { status: 'published', label: 'Offres publiées' },
  { status: 'pending', label: 'Offres en attente de validation' },
  { status: 'paused', label: 'Offres en pause' },
  { status: 'rejected', label: 'Offres refusées' },
  { status: 'draft', label: 'Brouillons' },
  { status: 'archived', label: 'Offres archivées' },
];

/** Coded reasons an admin gives when refusing or taking down an offer. */
export const rejectionReasons: Option[] = [
  { value: 'informations-incompletes', label: 'Informations incomplètes ou imprécises' },
  { value: 'hors-cadre', label: 'Hors du cadre des accueils de loisirs et du Plan mercredi' },
  { value: 'demarche-commerciale', label: 'Démarche commerciale sans lien avec une activité pour les enfants' },
  { value: 'contenu-inapproprie', label: 'Contenu inapproprié' },
  { value: 'doublon', label: 'Doublon d’une offre existante' },
  { value: 'structure-non-verifiable', label: 'Structure impossible à vérifier' },
  { value: 'autre', label: 'Autre motif (précisé ci-dessous)' },
];

/** What a user can report about an offer. */
export const reportReasons: Option[] = [
  { value: 'informations-inexactes', label: 'Informations inexactes ou trompeuses' },
  { value: 'offre-inexistante', label: 'L’offre n’existe plus ou la structure ne répond pas' },
  { value: 'contenu-inapproprie', label: 'Contenu inapproprié ou offensant' },
  { value: 'securite-enfants', label: 'Risque pour la sécurité des enfants' },
  { value: 'publicite', label: 'Publicité ou démarche commerciale abusive' },
  { value: 'autre', label: 'Autre' },
];
