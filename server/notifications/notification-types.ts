export type EmailMode = 'immediate' | 'digest' | 'off';

export const emailModes: { value: EmailMode; label: string }[] = [
  { value: 'immediate', label: 'Un e-mail à chaque fois' },
  { value: 'digest', label: 'Un résumé quotidien' },
  { value: 'off', label: 'Pas d’e-mail' },
];

interface NotificationType {
  /** Stable identifier stored in notifications.type and notification_preferences.type. */
  type: string;
  /** French label shown on the preferences page and in emails ("Nouvelles demandes reçues"). */
  label: string;
  /** Who receives it, in a few words, for the preferences page. */
  description: string;
  defaultMode: EmailMode;
  /** Groups the preferences page (Demandes, Partenariats, Recherche…). */
  group: string;
}

/**
 * Every kind of event that can notify a user, in one place. Other domains add theirs with
 * registerNotificationType() (in their routes plugin) so that they appear on the preferences
 * page with a French label; notify() also accepts an unregistered type (label from its family).
 */
export const notificationTypes: NotificationType[] = [];

export function registerNotificationType(entry: NotificationType): void {
  const index = notificationTypes.findIndex((t) => t.type === entry.type);
  if (index >= 0) notificationTypes.splice(index, 1, entry);
  else notificationTypes.push(entry);
}

const builtIn: NotificationType[] = [
  {
    type: 'request_received',
    group: 'Demandes de partenariat',
    label: 'Nouvelle demande reçue',
    description: 'Un accueil vous propose un partenariat.',
    defaultMode: 'immediate',
  },
  {
    type: 'message_received',
    group: 'Demandes de partenariat',
    label: 'Nouveau message dans une demande',
    description: 'L’autre structure vous a écrit.',
    defaultMode: 'immediate',
  },
  {
    type: 'request_status',
    group: 'Demandes de partenariat',
    label: 'Demande acceptée, déclinée ou retirée',
    description: 'Le statut d’une de vos demandes a changé.',
    defaultMode: 'immediate',
  },
  {
    type: 'request_reminder',
    group: 'Demandes de partenariat',
    label: 'Rappel : demande sans réponse',
    description: 'Une demande reçue attend votre réponse depuis la moitié du délai.',
    defaultMode: 'immediate',
  },
  {
    type: 'request_expired',
    group: 'Demandes de partenariat',
    label: 'Demande expirée',
    description: 'Une demande est restée sans réponse jusqu’au bout du délai.',
    defaultMode: 'immediate',
  },
  {
    type: 'partnership_update',
    group: 'Partenariats',
    label: 'Vie des partenariats',
    description: 'Convention à relire ou signer, changement dans un partenariat, bilan à remplir.',
    defaultMode: 'immediate',
  },
  {
    type: 'partnership_prescribed',
    group: 'Partenariats',
    label: 'Partenariat proposé par un coordinateur',
    description: 'Un coordinateur de territoire a prescrit un partenariat à votre structure.',
    defaultMode: 'immediate',
  },
  {
    type: 'session_reminder',
    group: 'Partenariats',
    label: 'Rappel de séance',
    description: 'Une séance d’un partenariat approche.',
    defaultMode: 'immediate',
  },
  {
    type: 'need_match',
    group: 'Recherche',
    label: 'Besoin ou offre correspondant à votre profil',
    description: 'Un besoin d’accueil ou une offre correspond à ce que vous proposez ou cherchez.',
    defaultMode: 'digest',
  },
  {
    type: 'saved_search_alert',
    group: 'Recherche',
    label: 'Alerte de recherche',
    description: 'De nouvelles offres correspondent à une recherche enregistrée.',
    defaultMode: 'digest',
  },
];
builtIn.forEach(registerNotificationType);

/** Families of types other domains may add without registering them. */
const familyLabels: [prefix: string, label: string, group: string][] = [
  ['partnership_', 'Vie des partenariats', 'Partenariats'],
  ['session_', 'Séances des partenariats', 'Partenariats'],
  ['need_', 'Besoins des accueils', 'Recherche'],
  ['request_', 'Demandes de partenariat', 'Demandes de partenariat'],
];

/** The registered entry, or one built from the type's family for types nobody registered. */
export function typeInfo(type: string): NotificationType {
  const registered = notificationTypes.find((t) => t.type === type);
  if (registered) return registered;
  const family = familyLabels.find(([prefix]) => type.startsWith(prefix));
  return { type, label: family?.[1] ?? 'Autres notifications', group: family?.[2] ?? 'Autres', description: '', defaultMode: 'immediate' };
}

/** Pseudo-type of the daily digest email, for its own unsubscribe link. */
export const DIGEST_TYPE = 'digest';

export const TYPE_PATTERN = /^[a-z][a-z0-9_]{1,49}$/;
