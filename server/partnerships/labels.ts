export const statusLabels = {
  draft: 'Brouillon (reconduction à confirmer)',
  awaiting_confirmation: 'En attente de confirmation',
  active: 'En cours',
  closed: 'Terminé',
} as const;

export const sessionStatusLabels = { planned: 'Prévue', held: 'Réalisée', cancelled: 'Annulée' } as const;
