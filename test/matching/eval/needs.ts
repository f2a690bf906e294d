import type { EvalNeed, EvalPlace } from './types.js';

/** Needs written the way ACM directors state them; ACMs placed in the catalogue's four areas. */

const at = (name: string, commune: string, department: string, lat: number, lng: number): EvalPlace & { name: string } => ({
  name,
  commune,
  department,
  lat,
  lng,
});

const lyon = at('Accueil de loisirs Jean-Macé', 'Lyon', '69', 45.7459, 4.8422);
const villeurbanne = at('Centre de loisirs Les Gratte-Ciel', 'Villeurbanne', '69', 45.7667, 4.8803);
const venissieux = at('ALSH Parilly', 'Vénissieux', '69', 45.7125, 4.8721);
const vaulx = at('Accueil du Mas du Taureau', 'Vaulx-en-Velin', '69', 45.7812, 4.9301);
const givors = at('Centre de loisirs des Plaines', 'Givors', '69', 45.5898, 4.7681);
const villefranche = at('ALSH Béligny', 'Villefranche-sur-Saône', '69', 45.9851, 4.7198);
const lille = at('Accueil de loisirs Wazemmes', 'Lille', '59', 50.6275, 3.0499);
const roubaix = at('Centre social de l’Épeule', 'Roubaix', '59', 50.6901, 3.1702);
const tourcoing = at('ALSH du Virolois', 'Tourcoing', '59', 50.7152, 3.1488);
const armentieres = at('Accueil de loisirs du Bizet', 'Armentières', '59', 50.6899, 2.8801);
const lens = at('Centre de loisirs de la cité 12', 'Lens', '62', 50.4402, 2.8307);
const rennes = at('Accueil de loisirs de Maurepas', 'Rennes', '35', 48.1262, -1.6581);
const bruz = at('ALSH de Bruz', 'Bruz', '35', 48.0249, -1.7462);
const gueret = at('Accueil de loisirs de Guéret', 'Guéret', '23', 46.1705, 1.8712);
const aubusson = at('Centre de loisirs d’Aubusson', 'Aubusson', '23', 45.9561, 2.1692);
const boussac = at('ALSH de Boussac', 'Boussac', '23', 46.3492, 2.2163);

const base = {
  themes: [] as string[],
  subthemes: [] as string[],
  groupSize: null,
  slots: [] as string[],
  startDate: null,
  endDate: null,
  budgetEur: null,
  venuePreference: [] as string[],
  maxTravelKm: null,
  accessibilityRequired: [] as string[],
};

type NeedInput = Omit<EvalNeed, 'id' | keyof typeof base> & Partial<Pick<EvalNeed, keyof typeof base>>;
const list: NeedInput[] = [
  {
    title: 'Un atelier théâtre pour les 8-11 ans le mercredi après-midi',
    acm: lyon,
    subthemes: ['theatre-marionnettes'],
    ageMin: 8,
    ageMax: 11,
    groupSize: 14,
    slots: ['mercredi-apres-midi'],
    budgetEur: 80,
  },
  {
    title: 'Découvrir un sport collectif, intervenant dans nos locaux',
    acm: villeurbanne,
    subthemes: ['sports-collectifs'],
    ageMin: 6,
    ageMax: 10,
    groupSize: 24,
    venuePreference: ['dans-l-accueil'],
  },
  { title: 'Éveil musical pour les petits', acm: venissieux, subthemes: ['musique-chant'], ageMin: 3, ageMax: 5, groupSize: 12 },
  {
    title: 'Sorties nature et biodiversité au printemps',
    acm: vaulx,
    themes: ['environnement'],
    ageMin: 6,
    ageMax: 11,
    groupSize: 16,
    slots: ['mercredi-apres-midi'],
    budgetEur: 60,
    startDate: '2027-03-01',
    endDate: '2027-06-30',
  },
  {
    title: 'Un cycle de danse avec un enfant en fauteuil dans le groupe',
    acm: lyon,
    subthemes: ['danse'],
    ageMin: 7,
    ageMax: 10,
    groupSize: 12,
    accessibilityRequired: ['moteur'],
  },
  { title: 'Jardin potager à l’accueil, petit budget', acm: givors, subthemes: ['jardinage'], ageMin: 5, ageMax: 9, budgetEur: 40 },
  {
    title: 'Initiation judo ou escrime pour les grands',
    acm: villefranche,
    subthemes: ['sports-de-combat'],
    ageMin: 9,
    ageMax: 12,
    groupSize: 16,
    maxTravelKm: 30,
  },
  { title: 'Atelier cinéma d’animation', acm: villeurbanne, subthemes: ['cinema-image'], ageMin: 9, ageMax: 12, slots: ['mercredi-apres-midi'], groupSize: 10 },
  {
    title: 'Robotique et codage, gratuit si possible',
    acm: venissieux,
    subthemes: ['code-robotique', 'fabrication-numerique'],
    ageMin: 8,
    ageMax: 12,
    budgetEur: 0,
  },
  {
    title: 'Théâtre, danse ou cirque dans l’accueil pour les 6-8 ans',
    acm: lyon,
    subthemes: ['theatre-marionnettes', 'danse', 'cirque-arts-de-la-rue'],
    ageMin: 6,
    ageMax: 8,
    groupSize: 16,
    slots: ['mercredi-journee'],
    budgetEur: 100,
    venuePreference: ['dans-l-accueil'],
  },
  {
    title: 'Motricité pour les maternelles',
    acm: vaulx,
    subthemes: ['motricite', 'gymnastique-expression'],
    ageMin: 3,
    ageMax: 5,
    groupSize: 10,
    maxTravelKm: 30,
  },
  {
    title: 'Lecture et contes, enfants malentendants accueillis',
    acm: villeurbanne,
    subthemes: ['lecture-ecriture'],
    ageMin: 5,
    ageMax: 8,
    accessibilityRequired: ['auditif'],
  },
  { title: 'Arts plastiques autour du recyclage', acm: lille, subthemes: ['arts-plastiques', 'developpement-durable'], ageMin: 6, ageMax: 10, groupSize: 15 },
  { title: 'Sport pour tous le mercredi matin', acm: roubaix, themes: ['sport'], ageMin: 8, ageMax: 11, groupSize: 20, slots: ['mercredi-matin'] },
  { title: 'Visite d’une ferme pédagogique', acm: tourcoing, subthemes: ['ferme-pedagogique'], ageMin: 4, ageMax: 7, maxTravelKm: 40 },
  { title: 'Chorale ou percussions au centre', acm: lille, subthemes: ['musique-chant'], ageMin: 7, ageMax: 11, venuePreference: ['dans-l-accueil'] },
  {
    title: 'Expériences scientifiques pour curieux',
    acm: armentieres,
    themes: ['sciences'],
    ageMin: 8,
    ageMax: 11,
    groupSize: 12,
    budgetEur: 50,
    slots: ['mercredi-apres-midi'],
  },
  { title: 'Théâtre et marionnettes à Lens', acm: lens, subthemes: ['theatre-marionnettes'], ageMin: 6, ageMax: 9, maxTravelKm: 35 },
  {
    title: 'Sports de raquette, un créneau le mercredi après-midi',
    acm: roubaix,
    subthemes: ['sports-de-raquette'],
    ageMin: 9,
    ageMax: 13,
    slots: ['mercredi-apres-midi'],
  },
  {
    title: 'Cirque et jonglerie pour un petit groupe',
    acm: tourcoing,
    subthemes: ['cirque-arts-de-la-rue', 'gymnastique-expression'],
    ageMin: 6,
    ageMax: 10,
    groupSize: 8,
  },
  {
    title: 'Activités nature pour un groupe avec un handicap mental',
    acm: lille,
    themes: ['environnement'],
    ageMin: 6,
    ageMax: 12,
    accessibilityRequired: ['mental'],
  },
  {
    title: 'Cuisine et alimentation, sur une période courte',
    acm: roubaix,
    themes: ['sante'],
    ageMin: 6,
    ageMax: 11,
    startDate: '2026-11-01',
    endDate: '2026-12-20',
  },
  { title: 'Football ou basket près de Rennes', acm: rennes, subthemes: ['sports-collectifs'], ageMin: 7, ageMax: 11, groupSize: 20 },
  { title: 'Atelier d’écriture et BD', acm: rennes, subthemes: ['lecture-ecriture'], ageMin: 9, ageMax: 12, budgetEur: 120 },
  { title: 'Pleine nature : orientation, escalade', acm: bruz, subthemes: ['pleine-nature'], ageMin: 8, ageMax: 12, maxTravelKm: 30 },
  { title: 'Éveil culturel pour les 3-6 ans', acm: rennes, themes: ['culture'], ageMin: 3, ageMax: 6, slots: ['mercredi-matin'], groupSize: 12 },
  {
    title: 'Jardinage et développement durable',
    acm: bruz,
    themes: ['environnement'],
    ageMin: 6,
    ageMax: 10,
    budgetEur: 50,
    venuePreference: ['dans-l-accueil'],
  },
  { title: 'Un intervenant sportif qui se déplace en Creuse', acm: gueret, themes: ['sport'], ageMin: 6, ageMax: 11, venuePreference: ['dans-l-accueil'] },
  { title: 'Découverte du patrimoine et des arts', acm: aubusson, themes: ['culture'], ageMin: 7, ageMax: 12, maxTravelKm: 40 },
  { title: 'Nature et ferme, même loin', acm: boussac, themes: ['environnement'], ageMin: 5, ageMax: 10, maxTravelKm: 50 },
  {
    title: 'Danse pour les grands du mercredi journée',
    acm: gueret,
    subthemes: ['danse', 'gymnastique-expression'],
    ageMin: 8,
    ageMax: 12,
    slots: ['mercredi-journee'],
    maxTravelKm: 40,
  },
  { title: 'Jeux de société et bricolage', acm: villeurbanne, themes: ['jeux'], ageMin: 6, ageMax: 11 },
  {
    title: 'Aisance aquatique avant l’été',
    acm: venissieux,
    subthemes: ['activites-aquatiques'],
    ageMin: 6,
    ageMax: 9,
    startDate: '2027-04-01',
    endDate: '2027-06-30',
    groupSize: 12,
  },
  { title: 'Un projet citoyenneté : droits et égalité', acm: lille, themes: ['citoyennete'], ageMin: 8, ageMax: 12 },
  {
    title: 'Atelier photo et arts plastiques, enfants malvoyants',
    acm: lyon,
    subthemes: ['arts-plastiques'],
    ageMin: 7,
    ageMax: 11,
    accessibilityRequired: ['visuel'],
  },
  { title: 'Bien-être, yoga ou cuisine', acm: tourcoing, themes: ['sante'], ageMin: 5, ageMax: 9 },
];

export const evalNeeds: EvalNeed[] = list.map((need, index) => ({ ...base, ...need, id: index + 1 }));
