/** The stable slugs of PRODUCT.md with their French labels (URLs, API, CSV and database use the slugs). */

export interface Option<T extends string = string> {
  value: T;
  label: string;
}

function options<T extends string>(entries: [T, string][]): Option<T>[] {
  return entries.map(([value, label]) => ({ value, label }));
}

export const themes = options([
  ['culture', 'Culture et arts'],
  ['sport', 'Sport'],
  ['environnement', 'Nature et environnement'],
  ['sciences', 'Sciences et numérique'],
  ['citoyennete', 'Citoyenneté'],
  ['sante', 'Santé et bien-être'],
  ['langues', 'Langues et ouverture au monde'],
  ['jeux', 'Jeux et activités manuelles'],
] as const);
export type Theme = (typeof themes)[number]['value'];
/** The three priority themes of the Plan mercredi, shown first. */
export const priorityThemes: Theme[] = ['culture', 'sport', 'environnement'];

export const subthemesByTheme: Record<Theme, Option[]> = {
  culture: options([
    ['lecture-ecriture', 'Livre, lecture, écriture'],
    ['musique-chant', 'Musique et chant'],
    ['danse', 'Danse'],
    ['theatre-marionnettes', 'Théâtre, marionnettes'],
    ['arts-plastiques', 'Arts plastiques, design, photo'],
    ['cinema-image', 'Cinéma et éducation à l’image'],
    ['cirque-arts-de-la-rue', 'Cirque et arts de la rue'],
    ['arts-numeriques', 'Arts numériques'],
    ['patrimoine', 'Patrimoine, mémoire, architecture'],
    ['education-medias', 'Éducation aux médias'],
    ['arts-du-gout', 'Arts du goût'],
  ]),
  sport: options([
    ['sports-collectifs', 'Sports collectifs'],
    ['sports-de-raquette', 'Sports de raquette'],
    ['sports-de-combat', 'Sports de combat'],
    ['gymnastique-expression', 'Gymnastique et expression'],
    ['athletisme', 'Athlétisme'],
    ['activites-aquatiques', 'Activités aquatiques et nautiques'],
    ['pleine-nature', 'Sports de pleine nature'],
    ['motricite', 'Motricité (3-5 ans)'],
    ['sport-adapte', 'Handisport, sport adapté'],
    ['sport-sante', 'Sport santé'],
  ]),
  environnement: options([
    ['biodiversite', 'Biodiversité'],
    ['jardinage', 'Jardinage'],
    ['ferme-pedagogique', 'Ferme pédagogique'],
    ['developpement-durable', 'Développement durable'],
  ]),
  sciences: options([
    ['experiences', 'Expériences scientifiques'],
    ['code-robotique', 'Codage, robotique'],
    ['fabrication-numerique', 'Fabrication numérique (fablab)'],
    ['usages-ecrans', 'Usages des écrans'],
  ]),
  citoyennete: options([
    ['droits-enfant', 'Droits de l’enfant'],
    ['egalite', 'Égalité'],
    ['laicite', 'Laïcité'],
    ['solidarite', 'Solidarité, intergénérationnel'],
    ['prevention', 'Prévention'],
    ['participation', 'Participation'],
  ]),
  sante: options([
    ['alimentation', 'Alimentation'],
    ['bien-etre', 'Bien-être'],
    ['premiers-secours', 'Premiers secours'],
  ]),
  langues: options([
    ['langues-etrangeres', 'Langues étrangères'],
    ['ouverture-monde', 'Ouverture au monde'],
  ]),
  jeux: options([
    ['jeux-societe', 'Jeux de société'],
    ['activites-manuelles', 'Activités manuelles'],
  ]),
};

export const subthemes: (Option & { theme: Theme })[] = Object.entries(subthemesByTheme).flatMap(([theme, list]) =>
  list.map((s) => ({ ...s, theme: theme as Theme })),
);

export const ageBands = options([
  ['3-5', '3-5 ans'],
  ['6-8', '6-8 ans'],
  ['9-11', '9-11 ans'],
  ['12-14', '12-14 ans'],
  ['15-17', '15-17 ans'],
] as const);
type AgeBand = (typeof ageBands)[number]['value'];
export const AGE_MIN = 3;
export const AGE_MAX = 17;

/** Every band an age range overlaps (an offer for 5-7 ans is in 3-5 and 6-8). */
export function ageBandsFor(ageMin: number, ageMax: number): AgeBand[] {
  return ageBands
    .map((b) => b.value)
    .filter((band) => {
      const [low, high] = band.split('-').map(Number) as [number, number];
      return ageMin <= high && ageMax >= low;
    });
}

export const formats = options([
  ['atelier', 'Atelier'],
  ['cycle', 'Cycle de séances'],
  ['seance-decouverte', 'Séance découverte'],
  ['visite', 'Visite'],
  ['spectacle', 'Spectacle'],
  ['projection', 'Projection'],
  ['rencontre', 'Rencontre'],
  ['evenement', 'Événement'],
  ['pret-materiel', 'Prêt de matériel ou d’exposition'],
  ['formation-animateurs', 'Formation des animateurs'],
] as const);

export const venues = options([
  ['dans-l-accueil', 'Dans l’accueil (le partenaire se déplace)'],
  ['chez-le-partenaire', 'Chez le partenaire'],
  ['autre-lieu', 'Autre lieu'],
] as const);
export type Venue = (typeof venues)[number]['value'];

export const orgTypes = options([
  ['association', 'Association'],
  ['club-sportif', 'Club sportif'],
  ['education-populaire', 'Fédération d’éducation populaire'],
  ['mjc', 'MJC'],
  ['centre-social', 'Centre social'],
  ['bibliotheque', 'Bibliothèque, médiathèque'],
  ['musee-patrimoine', 'Musée, archives, patrimoine'],
  ['conservatoire', 'Conservatoire, école de musique'],
  ['cinema', 'Cinéma'],
  ['theatre-spectacle', 'Théâtre, lieu de spectacle'],
  ['ecole', 'École'],
  ['parents-eleves', 'Fédération de parents d’élèves'],
  ['collectivite', 'Collectivité, service municipal'],
  ['institution', 'Institution (CAF, MSA, Département, SDJES)'],
  ['site-nature', 'Site naturel, ferme'],
  ['intervenant', 'Intervenant indépendant'],
  ['entreprise', 'Entreprise'],
  ['pole-handicap', 'Pôle ressources handicap'],
] as const);

export const natures = options([
  ['intervention', 'Intervention dans l’accueil'],
  ['accueil-groupe', 'Accueil du groupe chez le partenaire'],
  ['projet-commun', 'Projet co-construit'],
  ['mise-a-disposition', 'Mise à disposition (locaux, matériel, personnel)'],
  ['pret-ressources', 'Prêt de ressources'],
  ['formation', 'Formation'],
  ['evenement-commun', 'Événement commun'],
  ['accompagnement', 'Accompagnement (cellule de veille, suivi)'],
  ['passerelle-adhesion', 'Passerelle vers l’adhésion'],
] as const);

export const prices = options([
  ['gratuit', 'Gratuit'],
  ['payant', 'Payant'],
  ['sur-devis', 'Sur devis'],
] as const);

export const accessibility = options([
  ['moteur', 'Handicap moteur'],
  ['mental', 'Handicap mental'],
  ['auditif', 'Handicap auditif'],
  ['visuel', 'Handicap visuel'],
] as const);

export const slots = options([
  ['mercredi-matin', 'Mercredi matin'],
  ['mercredi-apres-midi', 'Mercredi après-midi'],
  ['mercredi-journee', 'Mercredi journée'],
] as const);

export const periodicities = options([
  ['ponctuel', 'Ponctuel'],
  ['hebdomadaire', 'Chaque semaine'],
  ['quinzaine', 'Tous les quinze jours'],
  ['mensuel', 'Chaque mois (par exemple le premier mercredi)'],
  ['cycle', 'Cycle de N séances'],
] as const);

/** The seed's reasons to partner, used as objectives in requests and partnerships. */
export const partnershipReasons = options([
  ['nouveaux-projets', 'Développer de nouveaux projets, expérimenter, innover'],
  ['dynamique-locale', 'Contribuer à une dynamique locale'],
  ['bousculer-pratiques', 'Bousculer les pratiques'],
  ['vivre-ensemble', 'Mieux vivre ensemble, favoriser la diversité'],
  ['renforcer-actions', 'Renforcer des actions existantes, démultiplier l’impact'],
  ['faire-reseau', 'Faire réseau, partager, coopérer'],
  ['public-plus-large', 'Toucher un public plus large'],
  ['qualite-educative', 'Améliorer la qualité de la réponse éducative et sociale'],
  ['diversifier-activites', 'Enrichir et diversifier l’offre d’activités'],
  ['accompagner-projet', 'Accompagner un projet'],
  ['inclusion', 'Accueillir davantage d’enfants en situation de handicap'],
] as const);

/** The four axes of the Plan mercredi quality charter. */
export const charterAxes = options([
  ['complementarite', 'Complémentarité et cohérence éducatives (école, familles)'],
  ['inclusion', 'Accueil de tous les publics, inclusion des enfants en situation de handicap'],
  ['ancrage-territorial', 'Mise en valeur de la richesse des territoires'],
  ['activites-variees', 'Activités riches et variées, avec sorties et réalisation finale'],
] as const);

export function labelOf(list: readonly Option[], value: string | null | undefined): string {
  return list.find((o) => o.value === value)?.label ?? value ?? '';
}

export const slugs = {
  theme: themes.map((o) => o.value),
  subtheme: subthemes.map((o) => o.value),
  age_band: ageBands.map((o) => o.value),
  format: formats.map((o) => o.value),
  venue: venues.map((o) => o.value),
  org_type: orgTypes.map((o) => o.value),
  nature: natures.map((o) => o.value),
  price: prices.map((o) => o.value),
  accessibility: accessibility.map((o) => o.value),
  slot: slots.map((o) => o.value),
  periodicity: periodicities.map((o) => o.value),
};
