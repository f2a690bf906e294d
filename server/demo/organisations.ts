import { and, asc, eq, inArray, like } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { communes, coordinatorScopes, memberships, organisations, users } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { hashPassword } from '../accounts/passwords.js';
import type { Deps } from '../deps.js';
import { prng } from '../kernel/prng.js';
import { slugify } from '../kernel/text.js';
import { de } from '../lib/format.js';
import type { SeedStep } from './index.js';

/** The password of every demo account (documented in the README). */
export const DEMO_PASSWORD = 'passerelle-demo';

/** The demo accounts, one per role. */
export const demoAccounts = {
  admin: 'admin@demo.passerelle.fr',
  partner: 'partenaire@demo.passerelle.fr',
  acm: 'accueil@demo.passerelle.fr',
  coordinator: 'coordination@demo.passerelle.fr',
} as const;

/** A demo organisation by external id: `demo-org-1`… for partners, `demo-acm-1`… for ACMs. */
export async function demoOrganisation(db: Db, externalId: string) {
  const [row] = await db.select().from(organisations).where(eq(organisations.externalId, externalId)).limit(1);
  if (!row) throw new Error(`demo organisation ${externalId} not found: run the organisations seed step first`);
  return row;
}

/** Demo organisations of a kind (and optionally a département), in a stable order. */
export async function demoOrganisations(db: Db, options: { kind?: 'partner' | 'acm'; department?: '69' | '33' | '93' } = {}) {
  const prefix = options.kind === 'acm' ? 'demo-acm-%' : options.kind === 'partner' ? 'demo-org-%' : 'demo-%';
  const list = await db
    .select({ organisation: organisations, departmentCode: communes.departmentCode })
    .from(organisations)
    .innerJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(and(like(organisations.externalId, prefix), options.department ? eq(communes.departmentCode, options.department) : undefined))
    .orderBy(asc(organisations.id));
  return list.map((row) => row.organisation);
}

/** The members (user ids, owners first) of a demo organisation: seeds acting "as" the organisation use them. */
export async function demoMembers(db: Db, organisationId: number): Promise<{ userId: number; role: 'owner' | 'member'; email: string; name: string }[]> {
  return db
    .select({ userId: users.id, role: memberships.role, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organisationId, organisationId))
    .orderBy(asc(memberships.role), asc(users.id));
}

export async function demoUser(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  if (!row) throw new Error(`demo user ${email} not found`);
  return row;
}

type Department = '69' | '33' | '93';

/** Real communes of the three demo départements; `label` is how local names refer to them. */
const places: Record<Department, { name: string; label: string; streets: string[] }[]> = {
  '69': [
    { name: 'Lyon 1er Arrondissement', label: 'Lyon', streets: ['rue de la République', 'montée de la Grande-Côte', 'rue Burdeau'] },
    { name: 'Lyon 3e Arrondissement', label: 'Lyon', streets: ['cours Gambetta', 'rue Paul-Bert', 'avenue Félix-Faure'] },
    { name: 'Lyon 7e Arrondissement', label: 'Lyon', streets: ['rue de Gerland', 'avenue Jean-Jaurès', 'rue de Marseille'] },
    { name: 'Lyon 8e Arrondissement', label: 'Lyon', streets: ['avenue des Frères-Lumière', 'boulevard des États-Unis', 'rue Marius-Berliet'] },
    { name: 'Lyon 9e Arrondissement', label: 'Lyon', streets: ['quai Paul-Sédallian', 'rue de Bourgogne', 'avenue Sidoine-Apollinaire'] },
    { name: 'Villeurbanne', label: 'Villeurbanne', streets: ['cours Émile-Zola', 'rue Francis-de-Pressensé', 'avenue Henri-Barbusse'] },
    { name: 'Vénissieux', label: 'Vénissieux', streets: ['avenue Marcel-Houël', 'boulevard Laurent-Gérin', 'rue Gaston-Monmousseau'] },
    { name: 'Vaulx-en-Velin', label: 'Vaulx-en-Velin', streets: ['avenue Gabriel-Péri', 'rue Émile-Zola', 'chemin du Grand-Bois'] },
    { name: 'Bron', label: 'Bron', streets: ['avenue Franklin-Roosevelt', 'rue Guillermin', 'boulevard Pinel'] },
    { name: 'Caluire-et-Cuire', label: 'Caluire', streets: ['montée des Soldats', 'avenue Général-de-Gaulle'] },
    { name: 'Saint-Priest', label: 'Saint-Priest', streets: ['rue Henri-Maréchal', 'boulevard Édouard-Herriot'] },
    { name: 'Rillieux-la-Pape', label: 'Rillieux-la-Pape', streets: ['avenue de l’Europe', 'rue Ampère'] },
    { name: 'Villefranche-sur-Saône', label: 'Villefranche', streets: ['rue Nationale', 'boulevard Gambetta'] },
    { name: 'Givors', label: 'Givors', streets: ['rue Jean-Ligonnet', 'place Jean-Jaurès'] },
    { name: 'Meyzieu', label: 'Meyzieu', streets: ['rue de la République', 'avenue de Verdun'] },
    { name: 'Décines-Charpieu', label: 'Décines', streets: ['rue Émile-Zola', 'avenue Jean-Jaurès'] },
  ],
  '33': [
    { name: 'Bordeaux', label: 'Bordeaux', streets: ['cours Victor-Hugo', 'rue Sainte-Catherine', 'quai des Chartrons', 'cours de la Marne'] },
    { name: 'Mérignac', label: 'Mérignac', streets: ['avenue de la Marne', 'rue Jean-Giono'] },
    { name: 'Pessac', label: 'Pessac', streets: ['avenue Jean-Jaurès', 'rue de la Poste'] },
    { name: 'Talence', label: 'Talence', streets: ['cours de la Libération', 'rue Peydavant'] },
    { name: 'Bègles', label: 'Bègles', streets: ['rue Calixte-Camelle', 'avenue du Maréchal-Leclerc'] },
    { name: "Villenave-d'Ornon", label: 'Villenave-d’Ornon', streets: ['route de Toulouse', 'avenue Mirieu-de-Labarre'] },
    { name: 'Cenon', label: 'Cenon', streets: ['avenue Jean-Jaurès', 'rue du Maréchal-Foch'] },
    { name: 'Lormont', label: 'Lormont', streets: ['rue Lavergne', 'avenue de la Libération'] },
    { name: 'Floirac', label: 'Floirac', streets: ['avenue Pasteur', 'rue Émile-Combes'] },
    { name: 'Gradignan', label: 'Gradignan', streets: ['cours du Général-de-Gaulle', 'allée de Mandavit'] },
    { name: 'Le Bouscat', label: 'Le Bouscat', streets: ['avenue de la Libération', 'rue Raymond-Lavigne'] },
    { name: 'Libourne', label: 'Libourne', streets: ['rue Gambetta', 'avenue de Verdun'] },
    { name: 'Arcachon', label: 'Arcachon', streets: ['boulevard de la Plage', 'avenue Gambetta'] },
    { name: 'Saint-Médard-en-Jalles', label: 'Saint-Médard', streets: ['avenue Montesquieu', 'rue Aristide-Briand'] },
    { name: 'Eysines', label: 'Eysines', streets: ['avenue du Médoc', 'rue de l’Hôtel-de-Ville'] },
  ],
  '93': [
    { name: 'Saint-Denis', label: 'Saint-Denis', streets: ['rue de la République', 'boulevard Jules-Guesde', 'rue Gabriel-Péri'] },
    { name: 'Montreuil', label: 'Montreuil', streets: ['rue de Paris', 'boulevard Rouget-de-Lisle', 'rue Émile-Zola'] },
    { name: 'Aubervilliers', label: 'Aubervilliers', streets: ['avenue de la République', 'rue du Moutier'] },
    { name: 'Aulnay-sous-Bois', label: 'Aulnay', streets: ['boulevard de Strasbourg', 'rue Jacques-Duclos'] },
    { name: 'Bobigny', label: 'Bobigny', streets: ['avenue Paul-Vaillant-Couturier', 'rue Carnot'] },
    { name: 'Pantin', label: 'Pantin', streets: ['avenue Jean-Lolive', 'rue Hoche'] },
    { name: 'Bondy', label: 'Bondy', streets: ['avenue Gallieni', 'rue Roger-Salengro'] },
    { name: 'Noisy-le-Grand', label: 'Noisy-le-Grand', streets: ['boulevard du Mont-d’Est', 'rue Pierre-Brossolette'] },
    { name: 'Drancy', label: 'Drancy', streets: ['avenue Henri-Barbusse', 'rue Sadi-Carnot'] },
    { name: 'Sevran', label: 'Sevran', streets: ['avenue Dumont', 'rue Gabriel-Péri'] },
    { name: 'Saint-Ouen-sur-Seine', label: 'Saint-Ouen', streets: ['avenue Gabriel-Péri', 'rue des Rosiers'] },
    { name: 'Épinay-sur-Seine', label: 'Épinay', streets: ['rue de Paris', 'avenue de Lattre-de-Tassigny'] },
    { name: 'Clichy-sous-Bois', label: 'Clichy-sous-Bois', streets: ['allée Maurice-Audin', 'boulevard Émile-Zola'] },
    { name: 'Le Blanc-Mesnil', label: 'Le Blanc-Mesnil', streets: ['avenue de la Division-Leclerc', 'rue Jean-Jaurès'] },
    { name: 'Bagnolet', label: 'Bagnolet', streets: ['rue Sadi-Carnot', 'avenue Gambetta'] },
  ],
};

interface PartnerTemplate {
  type: string;
  themes: string[];
  /** One name per département ({c}: the commune's label). */
  names: Record<Department, string>;
  description: string;
  association?: boolean;
  federation?: string;
  agrement?: boolean;
}

const partnerTemplates: PartnerTemplate[] = [
  {
    type: 'club-sportif',
    themes: ['sport'],
    names: { '69': 'Judo Club de {c}', '33': 'Judo Club {c}', '93': 'Judo Club de {c}' },
    description:
      'Club affilié à la fédération française de judo : éveil judo dès 4 ans, judo enfants, et séances découverte pour les accueils de loisirs le mercredi après-midi dans notre dojo.',
    association: true,
    federation: 'Fédération française de judo (FFJDA)',
    agrement: true,
  },
  {
    type: 'bibliotheque',
    themes: ['culture'],
    names: { '69': 'Médiathèque Jacques-Prévert', '33': 'Médiathèque Louise-Michel', '93': 'Médiathèque Elsa-Triolet' },
    description:
      'Lectures d’albums, heure du conte, ateliers d’écriture et accueil de groupes sur réservation. Prêt de malles thématiques aux accueils de loisirs de la commune.',
  },
  {
    type: 'theatre-spectacle',
    themes: ['culture'],
    names: { '69': 'Compagnie du Petit Théâtre', '33': 'Compagnie Les Mots Dits', '93': 'Compagnie La Boîte à Jouer' },
    description:
      'Compagnie de théâtre jeune public : ateliers d’improvisation, théâtre d’objets et marionnettes, cycles de pratique aboutissant à une petite représentation devant les familles.',
    association: true,
  },
  {
    type: 'club-sportif',
    themes: ['sport'],
    names: { '69': 'Association sportive de basket de {c}', '33': 'Union sportive {c} basket', '93': '{c} Basket Club' },
    description:
      'Mini-basket pour les 5-11 ans, baby-basket pour les plus petits. Nos éducateurs diplômés interviennent dans les accueils ou reçoivent les groupes au gymnase.',
    association: true,
    federation: 'Fédération française de basketball',
    agrement: true,
  },
  {
    type: 'conservatoire',
    themes: ['culture'],
    names: { '69': 'Conservatoire de musique et de danse de {c}', '33': 'École de musique de {c}', '93': 'Conservatoire à rayonnement communal de {c}' },
    description:
      'Découverte des instruments, chorale d’enfants, éveil musical et initiation à la danse. Nos professeurs proposent des cycles de six à dix séances le mercredi.',
  },
  {
    type: 'cinema',
    themes: ['culture'],
    names: { '69': 'Cinéma Les Alizés', '33': 'Cinéma Jean-Eustache', '93': 'Cinéma L’Écran' },
    description:
      'Cinéma art et essai labellisé jeune public : projections adaptées aux 3-12 ans suivies d’échanges, ateliers d’éducation à l’image et de pré-cinéma.',
  },
  {
    type: 'musee-patrimoine',
    themes: ['culture'],
    names: { '69': 'Musée des Confluences — service des publics', '33': 'Musée d’Aquitaine — service éducatif', '93': 'Musée d’art et d’histoire Paul-Éluard' },
    description:
      'Visites contées, ateliers d’archéologie et de patrimoine, parcours jeux dans les collections. Accueil des groupes le mercredi sur réservation.',
  },
  {
    type: 'mjc',
    themes: ['culture', 'citoyennete', 'jeux'],
    names: { '69': 'MJC Laënnec-Mermoz', '33': 'MJC Centre-Ville {c}', '93': 'MJC Mercure' },
    description:
      'Maison des jeunes et de la culture : ateliers de pratique artistique, jeux coopératifs, projets citoyens et passerelles vers nos activités à l’année.',
    association: true,
    federation: 'Fédération française des MJC',
    agrement: true,
  },
  {
    type: 'centre-social',
    themes: ['citoyennete', 'jeux', 'sante'],
    names: { '69': 'Centre social des Buers', '33': 'Centre social et culturel du Grand Parc', '93': 'Centre social Marcel-Paul' },
    description: 'Centre social de quartier : ateliers parents-enfants, jeux de société, actions de solidarité intergénérationnelle et sorties familiales.',
    association: true,
    federation: 'Fédération des centres sociaux et socioculturels de France',
  },
  {
    type: 'site-nature',
    themes: ['environnement'],
    names: { '69': 'Ferme pédagogique du Vallon', '33': 'Ferme de la Glaneuse', '93': 'Ferme urbaine de la Butte' },
    description:
      'Ferme pédagogique : soins aux animaux, potager, fabrication du pain. Les groupes sont accueillis à la demi-journée ou à la journée, par tous les temps.',
  },
  {
    type: 'association',
    themes: ['environnement', 'sciences'],
    names: { '69': 'Les Petits Débrouillards Rhône', '33': 'Les Petits Débrouillards Gironde', '93': 'Les Petits Débrouillards Seine-Saint-Denis' },
    description:
      'Culture scientifique et technique par l’expérimentation : ateliers sur l’eau, l’air, l’énergie et le climat, adaptés aux accueils de loisirs.',
    association: true,
    agrement: true,
  },
  {
    type: 'association',
    themes: ['environnement'],
    names: { '69': 'Nature en Ville {c}', '33': 'Graine de nature', '93': 'Les Jardins partagés de {c}' },
    description: 'Jardinage au naturel, découverte de la biodiversité urbaine, construction de nichoirs et d’hôtels à insectes avec les enfants.',
    association: true,
  },
  {
    type: 'education-populaire',
    themes: ['citoyennete', 'culture'],
    names: { '69': 'Ligue de l’enseignement du Rhône', '33': 'Ligue de l’enseignement de la Gironde', '93': 'Ligue de l’enseignement de Seine-Saint-Denis' },
    description: 'Fédération d’éducation populaire : lire et faire lire, éducation aux médias, débats philo pour enfants et formation des animateurs.',
    association: true,
    federation: 'La Ligue de l’enseignement',
    agrement: true,
  },
  {
    type: 'club-sportif',
    themes: ['sport'],
    names: { '69': 'Football Club de {c}', '33': 'Stade {c} football', '93': 'Red Star {c} jeunes' },
    description: 'École de football labellisée : séances ludiques pour les 5-10 ans, tournois inter-accueils et sensibilisation au fair-play.',
    association: true,
    federation: 'Fédération française de football',
    agrement: true,
  },
  {
    type: 'club-sportif',
    themes: ['sport'],
    names: { '69': 'Cercle d’escrime de {c}', '33': 'Tennis Club de {c}', '93': 'Club de badminton de {c}' },
    description: 'Initiation encadrée par des entraîneurs diplômés, prêt de tout le matériel, séances découverte et cycles pour les groupes du mercredi.',
    association: true,
    federation: 'Fédération délégataire',
    agrement: true,
  },
  {
    type: 'club-sportif',
    themes: ['sport', 'environnement'],
    names: { '69': 'Club d’escalade Vertical’Rhône', '33': 'Canoë-kayak Club de {c}', '93': 'Club de randonnée et d’orientation de {c}' },
    description:
      'Activités de pleine nature encadrées : initiation, jeux d’orientation, découverte du milieu. Activité réglementée : effectifs et encadrement adaptés.',
    association: true,
    federation: 'Fédération délégataire',
    agrement: true,
  },
  {
    type: 'intervenant',
    themes: ['culture'],
    names: {
      '69': 'Atelier Couleurs — Claire Morel, plasticienne',
      '33': 'Atelier Pinceaux et Papiers — Julien Dufour',
      '93': 'Atelier d’illustration — Samia Benali',
    },
    description: 'Artiste plasticienne intervenante : peinture, collage, gravure et livre d’artiste. Je me déplace dans les accueils avec le matériel.',
  },
  {
    type: 'intervenant',
    themes: ['sciences'],
    names: { '69': 'Code & Robots — Thomas Lefèvre', '33': 'Robot’Lab — Camille Roux', '93': 'Les Codeurs du mercredi — Yanis Haddad' },
    description: 'Initiation au code et à la robotique avec des robots éducatifs et des jeux débranchés, pour les 7-14 ans.',
  },
  {
    type: 'collectivite',
    themes: ['sport', 'culture'],
    names: { '69': 'Service des sports de la Ville de {c}', '33': 'Direction de la culture de {c}', '93': 'Service jeunesse de la Ville de {c}' },
    description:
      'Service municipal : mise à disposition d’équipements, éducateurs territoriaux et programmation culturelle pour les accueils de loisirs de la commune.',
  },
  {
    type: 'institution',
    themes: ['citoyennete', 'sante'],
    names: {
      '69': 'Caisse d’allocations familiales du Rhône',
      '33': 'Caisse d’allocations familiales de la Gironde',
      '93': 'Caisse d’allocations familiales de la Seine-Saint-Denis',
    },
    description: 'Accompagnement des projets des accueils de loisirs, information sur le bonus inclusion handicap et le Plan mercredi.',
  },
  {
    type: 'pole-handicap',
    themes: ['citoyennete', 'sport'],
    names: { '69': 'Pôle ressources handicap du Rhône', '33': 'Pôle ressources handicap Gironde', '93': 'Pôle ressources handicap 93' },
    description:
      'Appui aux accueils pour l’inclusion des enfants en situation de handicap : sensibilisation des équipes, prêt de matériel adapté, ateliers handisport.',
    association: true,
  },
  {
    type: 'ecole',
    themes: ['culture', 'langues'],
    names: { '69': 'École élémentaire Jean-Macé', '33': 'École élémentaire Paul-Bert', '93': 'École élémentaire Jules-Vallès' },
    description:
      'L’école partage sa bibliothèque et sa cour avec l’accueil de loisirs voisin, et monte des projets communs (cellule de veille, exposition de fin d’année).',
  },
  {
    type: 'parents-eleves',
    themes: ['citoyennete'],
    names: { '69': 'Conseil local FCPE {c}', '33': 'Association des parents d’élèves de {c}', '93': 'FCPE {c}' },
    description: 'Les parents d’élèves proposent des ateliers (jeux, cuisine, langues) et relaient les projets des accueils auprès des familles.',
    association: true,
  },
  {
    type: 'entreprise',
    themes: ['sciences', 'environnement'],
    names: { '69': 'Fablab La Fabrique', '33': 'Atelier du vélo Cycles & Recycle', '93': 'Recyclerie La Ressourcerie' },
    description: 'Ateliers de fabrication et de réparation : découpe laser, impression 3D, réemploi des objets. Interventions sur devis.',
  },
  {
    type: 'association',
    themes: ['langues', 'citoyennete'],
    names: { '69': 'Maison de l’Europe et des langues', '33': 'Comité de jumelage de {c}', '93': 'Association Langues du monde' },
    description: 'Ateliers de découverte des langues et des cultures du monde, jeux, chansons et correspondances avec des enfants d’autres pays.',
    association: true,
  },
  {
    type: 'association',
    themes: ['jeux', 'culture'],
    names: { '69': 'Ludothèque La Toupie', '33': 'Ludothèque Le Dé à Coudre', '93': 'Ludothèque Ludomonde' },
    description:
      'Ludothèque associative : jeux de société, jeux symboliques et de construction, prêt de jeux et animation d’après-midi jeux dans les accueils.',
    association: true,
  },
];

interface AcmTemplate {
  name: string;
  commune: string;
  organiser: string;
  ageMin: number;
  ageMax: number;
  capacity: number;
}

const acmsByDepartment: Record<Department, AcmTemplate[]> = {
  '69': [
    { name: 'Accueil de loisirs Les Pitchouns', commune: 'Lyon 8e Arrondissement', organiser: 'Ville de Lyon', ageMin: 3, ageMax: 11, capacity: 96 },
    { name: 'Centre de loisirs Jean-Macé', commune: 'Villeurbanne', organiser: 'Ville de Villeurbanne', ageMin: 6, ageMax: 11, capacity: 80 },
    { name: 'ALSH Croix-Rousse', commune: 'Lyon 1er Arrondissement', organiser: 'Association Léo Lagrange Centre-Est', ageMin: 3, ageMax: 12, capacity: 60 },
    { name: 'Accueil de loisirs Max-Barel', commune: 'Vénissieux', organiser: 'Ville de Vénissieux', ageMin: 4, ageMax: 12, capacity: 120 },
    { name: 'Centre de loisirs du Mas du Taureau', commune: 'Vaulx-en-Velin', organiser: 'Ville de Vaulx-en-Velin', ageMin: 6, ageMax: 14, capacity: 72 },
    { name: 'ALSH Les Écureuils', commune: 'Bron', organiser: 'Centre social Gérard-Philipe', ageMin: 3, ageMax: 10, capacity: 48 },
    {
      name: 'Accueil de loisirs Belleroche',
      commune: 'Villefranche-sur-Saône',
      organiser: 'Communauté d’agglomération Villefranche Beaujolais Saône',
      ageMin: 3,
      ageMax: 11,
      capacity: 64,
    },
    { name: 'Accueil jeunes du Grand Parc', commune: 'Meyzieu', organiser: 'Ville de Meyzieu', ageMin: 11, ageMax: 17, capacity: 24 },
  ],
  '33': [
    { name: 'Accueil de loisirs Les Chartrons', commune: 'Bordeaux', organiser: 'Ville de Bordeaux', ageMin: 3, ageMax: 11, capacity: 90 },
    { name: 'Centre de loisirs Bourran', commune: 'Mérignac', organiser: 'Ville de Mérignac', ageMin: 6, ageMax: 12, capacity: 70 },
    { name: 'ALSH Le Bourgailh', commune: 'Pessac', organiser: 'Association Les Francas de Gironde', ageMin: 3, ageMax: 12, capacity: 56 },
    { name: 'Accueil de loisirs de Thouars', commune: 'Talence', organiser: 'Ville de Talence', ageMin: 4, ageMax: 11, capacity: 50 },
    { name: 'Centre de loisirs Carrière', commune: 'Lormont', organiser: 'Ville de Lormont', ageMin: 3, ageMax: 10, capacity: 45 },
    { name: 'ALSH Les Dauphins', commune: 'Arcachon', organiser: 'Ville d’Arcachon', ageMin: 3, ageMax: 12, capacity: 40 },
    { name: 'Espace jeunes de Libourne', commune: 'Libourne', organiser: 'Ville de Libourne', ageMin: 11, ageMax: 17, capacity: 30 },
  ],
  '93': [
    { name: 'Centre de loisirs Gabriel-Péri', commune: 'Saint-Denis', organiser: 'Ville de Saint-Denis', ageMin: 3, ageMax: 11, capacity: 110 },
    { name: 'Accueil de loisirs Jean-Moulin', commune: 'Montreuil', organiser: 'Ville de Montreuil', ageMin: 6, ageMax: 12, capacity: 85 },
    { name: 'ALSH Firmin-Gémier', commune: 'Aubervilliers', organiser: 'OMJA Aubervilliers', ageMin: 6, ageMax: 14, capacity: 60 },
    { name: 'Centre de loisirs Les Tilleuls', commune: 'Bobigny', organiser: 'Ville de Bobigny', ageMin: 3, ageMax: 10, capacity: 70 },
    { name: 'Accueil de loisirs des Courtillières', commune: 'Pantin', organiser: 'Ville de Pantin', ageMin: 3, ageMax: 11, capacity: 75 },
    { name: 'ALSH Les Petits Loups', commune: 'Noisy-le-Grand', organiser: 'Association Noisy Loisirs', ageMin: 3, ageMax: 8, capacity: 36 },
    { name: 'Accueil de loisirs La Rose-des-Vents', commune: 'Aulnay-sous-Bois', organiser: 'Ville d’Aulnay-sous-Bois', ageMin: 6, ageMax: 12, capacity: 64 },
  ],
};

const firstNames = [
  'Camille',
  'Nadia',
  'Julien',
  'Sophie',
  'Karim',
  'Élodie',
  'Thomas',
  'Fatou',
  'Mathieu',
  'Claire',
  'Yanis',
  'Laure',
  'Hugo',
  'Inès',
  'Olivier',
  'Aïcha',
  'Pierre',
  'Manon',
  'Rachid',
  'Céline',
];
const lastNames = [
  'Martin',
  'Bernard',
  'Dubois',
  'Moreau',
  'Laurent',
  'Benali',
  'Girard',
  'Diallo',
  'Roux',
  'Fontaine',
  'Mercier',
  'Nguyen',
  'Lambert',
  'Chevalier',
  'Traoré',
  'Garnier',
  'Faure',
  'Rousseau',
  'Haddad',
  'Blanc',
];

/** A SIRET with a valid Luhn key from 13 random digits. */
function siret(random: () => number): string {
  const digits = Array.from({ length: 13 }, (_, i) => (i === 0 ? 1 + Math.floor(random() * 8) : Math.floor(random() * 10)));
  for (let key = 0; key <= 9; key++) {
    const candidate = [...digits, key];
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let digit = candidate[13 - i]!;
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    if (sum % 10 === 0) return candidate.join('');
  }
  throw new Error('unreachable');
}

function phone(department: Department, random: () => number): string {
  const [prefix, area] = { '69': ['04', '7'], '33': ['05', '5'], '93': ['01', '4'] }[department];
  const pair = () => String(Math.floor(random() * 100)).padStart(2, '0');
  return `${prefix} ${area}${Math.floor(random() * 10)} ${pair()} ${pair()} ${pair()}`;
}

function domainOf(name: string): string {
  return slugify(name.split(' — ')[0]!, 40);
}

async function loadCommunes(db: Db) {
  const names = Object.values(places).flatMap((list) => list.map((p) => p.name));
  const acmCommunes = Object.values(acmsByDepartment).flatMap((list) => list.map((a) => a.commune));
  const list = await db
    .select()
    .from(communes)
    .where(and(inArray(communes.name, [...new Set([...names, ...acmCommunes])]), inArray(communes.departmentCode, ['69', '33', '93'])));
  return (department: Department, name: string) => {
    const found = list.find((c) => c.name === name && c.departmentCode === department);
    if (!found) throw new Error(`demo commune not found: ${name} (${department})`);
    return found;
  };
}

/**
 * The demo directory: 78 partner organisations and 22 ACMs in the Rhône, the Gironde and the
 * Seine-Saint-Denis, each with an owner account, plus the demo accounts of every role.
 */
export async function seedOrganisations(deps: Pick<Deps, 'db' | 'clock'>): Promise<void> {
  const { db } = deps;
  const random = prng(20_260_401);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const jitter = () => (random() - 0.5) * 0.012;
  const communeOf = await loadCommunes(db);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = deps.clock.now();
  const createdAt = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000);

  await db.transaction(async (tx) => {
    async function user(email: string, name: string, extra: { isAdmin?: boolean; jobTitle?: string } = {}) {
      const [row] = await tx
        .insert(users)
        .values({
          email,
          name,
          passwordHash,
          emailVerifiedAt: now,
          isAdmin: extra.isAdmin ?? false,
          jobTitle: extra.jobTitle ?? null,
          createdAt: createdAt(120),
        })
        .returning({ id: users.id });
      return row!.id;
    }
    let personIndex = 0;
    const emails = new Set<string>();
    /** A new person: first and last names combined so that no pair repeats in the demo. */
    function person() {
      const block = Math.floor(personIndex / firstNames.length);
      const first = firstNames[personIndex % firstNames.length]!;
      const last = lastNames[(personIndex * 7 + block * 3 + 3) % lastNames.length]!;
      personIndex++;
      let email = `${slugify(first)}.${slugify(last)}@demo.passerelle.fr`;
      if (emails.has(email)) email = email.replace('@', `${personIndex}@`);
      emails.add(email);
      return { name: `${first} ${last}`, email };
    }
    async function newMember(jobTitle: string) {
      const someone = person();
      return user(someone.email, someone.name, { jobTitle });
    }

    await user(demoAccounts.admin, 'Équipe Passerelle', { isAdmin: true, jobTitle: 'Administratrice de la plateforme' });
    const partnerOwner = await user(demoAccounts.partner, 'Karim Benali', { jobTitle: 'Responsable jeunesse du club' });
    const acmOwner = await user(demoAccounts.acm, 'Nadia Moreau', { jobTitle: 'Directrice d’accueil de loisirs' });
    const coordinator = await user(demoAccounts.coordinator, 'Olivier Fontaine', { jobTitle: 'Coordinateur Plan mercredi, SDJES du Rhône' });
    await tx.insert(coordinatorScopes).values({ userId: coordinator, scope: 'department', code: '69', label: 'Rhône (69)' });

    const partnerIds: number[] = [];
    let partnerNumber = 0;
    const departments: Department[] = ['69', '33', '93'];
    for (const department of departments) {
      const placeList = places[department];
      for (const [index, template] of partnerTemplates.entries()) {
        partnerNumber++;
        const place = placeList[(index * 5 + departments.indexOf(department)) % placeList.length]!;
        const commune = communeOf(department, place.name);
        const name = template.names[department].replace('de {c}', de(place.label)).replace('{c}', place.label);
        const isAssociation = template.association ?? false;
        // Most are verified; every seventh is waiting for an admin, to show the verification flow.
        const status = partnerNumber % 7 === 3 ? 'unverified' : 'verified';
        const domain = domainOf(name);
        const [row] = await tx
          .insert(organisations)
          .values({
            kind: 'partner',
            name,
            slug: slugify(name),
            type: template.type,
            description: template.description,
            siret: isAssociation || partnerNumber % 3 !== 0 ? siret(random) : null,
            rna: isAssociation
              ? `W${department === '69' ? '69' : department === '33' ? '33' : '93'}${String(Math.floor(random() * 1e7)).padStart(7, '0')}`
              : null,
            address: `${1 + Math.floor(random() * 120)} ${pick(place.streets)}`,
            postcode: commune.postcodes[0] ?? null,
            codeInsee: commune.codeInsee,
            lat: Number((commune.lat + jitter()).toFixed(6)),
            lng: Number((commune.lng + jitter()).toFixed(6)),
            website: partnerNumber % 4 === 0 ? null : `https://www.${domain}.fr`,
            email: `contact@${domain}.fr`,
            phone: phone(department, random),
            themes: template.themes,
            federation: template.federation ?? null,
            agrementNumber: template.agrement
              ? `${department}-JEP-${2010 + Math.floor(random() * 14)}-${String(1 + Math.floor(random() * 300)).padStart(3, '0')}`
              : null,
            status,
            externalId: `demo-org-${partnerNumber}`,
            createdAt: createdAt(30 + Math.floor(random() * 300)),
            updatedAt: createdAt(Math.floor(random() * 30)),
          })
          .returning({ id: organisations.id });
        partnerIds.push(row!.id);
        // The demo partner account owns the first club of the Lyon area.
        const ownerId = partnerNumber === 1 ? partnerOwner : await newMember('Responsable des partenariats');
        await tx.insert(memberships).values({ organisationId: row!.id, userId: ownerId, role: 'owner', createdAt: createdAt(100) });
      }
    }

    // A few more members: a second member for the demo partner, and co-owners here and there.
    await tx.insert(memberships).values({ organisationId: partnerIds[0]!, userId: await newMember('Éducateur sportif'), role: 'member' });
    await tx.insert(memberships).values({ organisationId: partnerIds[1]!, userId: await newMember('Bibliothécaire jeunesse'), role: 'member' });

    let acmNumber = 0;
    for (const department of departments) {
      for (const template of acmsByDepartment[department]) {
        acmNumber++;
        const commune = communeOf(department, template.commune);
        const place = places[department].find((p) => p.name === template.commune);
        const domain = slugify(template.organiser, 30);
        const [row] = await tx
          .insert(organisations)
          .values({
            kind: 'acm',
            name: template.name,
            slug: slugify(template.name),
            description: `Accueil de loisirs du mercredi organisé par ${template.organiser}. Nous cherchons des partenaires pour enrichir nos projets d’activités tout au long de l’année scolaire.`,
            organiser: template.organiser,
            // Its own generator, so that the rest of the demo stays as it was: a SIRET lets the demo conventions be signed.
            siret: siret(prng(7_000 + acmNumber)),
            tamNumber: `0${department}${String(1000 + Math.floor(random() * 8999))}CL${String(Math.floor(random() * 999999)).padStart(6, '0')}`,
            address: `${1 + Math.floor(random() * 80)} ${place ? pick(place.streets) : 'rue de l’École'}`,
            postcode: commune.postcodes[0] ?? null,
            codeInsee: commune.codeInsee,
            lat: Number((commune.lat + jitter()).toFixed(6)),
            lng: Number((commune.lng + jitter()).toFixed(6)),
            email: `alsh.${slugify(template.name, 30).replace(/-/g, '')}@${domain}.fr`,
            phone: phone(department, random),
            capacity: template.capacity,
            ageMin: template.ageMin,
            ageMax: template.ageMax,
            pedt: acmNumber % 5 !== 0,
            planMercrediLabel: acmNumber % 3 !== 0,
            inclusion: acmNumber % 2 === 0,
            status: acmNumber % 8 === 5 ? 'unverified' : 'verified',
            externalId: `demo-acm-${acmNumber}`,
            createdAt: createdAt(30 + Math.floor(random() * 300)),
            updatedAt: createdAt(Math.floor(random() * 30)),
          })
          .returning({ id: organisations.id });
        // The demo ACM account directs the first two accueils of the Rhône.
        const ownerId = acmNumber <= 2 ? acmOwner : await newMember('Directeur·rice d’accueil de loisirs');
        await tx.insert(memberships).values({ organisationId: row!.id, userId: ownerId, role: 'owner', createdAt: createdAt(100) });
        if (acmNumber === 1) await tx.insert(memberships).values({ organisationId: row!.id, userId: await newMember('Directrice adjointe'), role: 'member' });
      }
    }
    await enqueueSearchSync(tx, 'organisation', partnerIds);
  });
}

export const organisationsSeed: SeedStep = { name: 'organisations', run: (deps) => seedOrganisations(deps) };
