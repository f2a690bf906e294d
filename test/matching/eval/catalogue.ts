import { prng } from './prng.js';
import type { EvalOffer, EvalPlace } from './types.js';

/**
 * A fixed synthetic catalogue of offers in four areas (Lyon, Lille métropole, Rennes, Creuse),
 * generated with a seeded PRNG so it does not depend on the demo seed. Attributes follow rough
 * real-life proportions: many culture and sport offers, partners who come to the ACM with a
 * travel radius, a third of free offers, accessibility declared by about half of the partners.
 */

export const CATALOGUE_SEED = 20260902;

export const areas: { name: string; share: number; communes: EvalPlace[] }[] = [
  {
    name: 'Lyon',
    share: 380,
    communes: [
      { commune: 'Lyon', department: '69', lat: 45.75418, lng: 4.84289 },
      { commune: 'Villeurbanne', department: '69', lat: 45.77188, lng: 4.88983 },
      { commune: 'Vénissieux', department: '69', lat: 45.70117, lng: 4.88053 },
      { commune: 'Bron', department: '69', lat: 45.73549, lng: 4.91162 },
      { commune: 'Caluire-et-Cuire', department: '69', lat: 45.79861, lng: 4.84941 },
      { commune: 'Vaulx-en-Velin', department: '69', lat: 45.77755, lng: 4.92497 },
      { commune: 'Oullins-Pierre-Bénite', department: '69', lat: 45.71403, lng: 4.8009 },
      { commune: 'Saint-Priest', department: '69', lat: 45.70136, lng: 4.94743 },
      { commune: 'Givors', department: '69', lat: 45.58449, lng: 4.75609 },
      { commune: 'Villefranche-sur-Saône', department: '69', lat: 45.9837, lng: 4.72596 },
    ],
  },
  {
    name: 'Lille',
    share: 280,
    communes: [
      { commune: 'Lille', department: '59', lat: 50.63108, lng: 3.04702 },
      { commune: 'Roubaix', department: '59', lat: 50.68872, lng: 3.18425 },
      { commune: 'Tourcoing', department: '59', lat: 50.72104, lng: 3.15771 },
      { commune: 'Villeneuve-d’Ascq', department: '59', lat: 50.63623, lng: 3.16188 },
      { commune: 'Armentières', department: '59', lat: 50.69254, lng: 2.87869 },
      { commune: 'Lens', department: '62', lat: 50.43954, lng: 2.8191 },
    ],
  },
  {
    name: 'Rennes',
    share: 200,
    communes: [
      { commune: 'Rennes', department: '35', lat: 48.11593, lng: -1.68844 },
      { commune: 'Bruz', department: '35', lat: 48.02403, lng: -1.74693 },
      { commune: 'Cesson-Sévigné', department: '35', lat: 48.1211, lng: -1.6033 },
      { commune: 'Saint-Jacques-de-la-Lande', department: '35', lat: 48.0855, lng: -1.7182 },
    ],
  },
  {
    name: 'Creuse',
    share: 140,
    communes: [
      { commune: 'Guéret', department: '23', lat: 46.15847, lng: 1.87047 },
      { commune: 'Aubusson', department: '23', lat: 45.94723, lng: 2.17009 },
      { commune: 'Bourganeuf', department: '23', lat: 45.94721, lng: 1.74662 },
      { commune: 'Boussac', department: '23', lat: 46.34823, lng: 2.22161 },
      { commune: 'La Souterraine', department: '23', lat: 46.23077, lng: 1.47435 },
    ],
  },
];

const subthemesByTheme: Record<string, string[]> = {
  culture: ['lecture-ecriture', 'musique-chant', 'danse', 'theatre-marionnettes', 'arts-plastiques', 'cinema-image', 'cirque-arts-de-la-rue', 'patrimoine'],
  sport: [
    'sports-collectifs',
    'sports-de-raquette',
    'sports-de-combat',
    'gymnastique-expression',
    'athletisme',
    'activites-aquatiques',
    'pleine-nature',
    'motricite',
  ],
  environnement: ['biodiversite', 'jardinage', 'ferme-pedagogique', 'developpement-durable'],
  sciences: ['experiences', 'code-robotique', 'fabrication-numerique'],
  citoyennete: ['droits-enfant', 'solidarite', 'egalite'],
  sante: ['alimentation', 'bien-etre'],
  jeux: ['jeux-societe', 'activites-manuelles'],
};

const titles: Record<string, string[]> = {
  'lecture-ecriture': ['Heure du conte', 'Atelier d’écriture', 'Fabrique de BD'],
  'musique-chant': ['Éveil musical', 'Chorale des mercredis', 'Percussions du monde'],
  danse: ['Danse hip-hop', 'Éveil à la danse', 'Danses traditionnelles'],
  'theatre-marionnettes': ['Atelier théâtre', 'Marionnettes en fête', 'Improvisation théâtrale'],
  'arts-plastiques': ['Atelier peinture', 'Photo et collage', 'Sculpture en argile'],
  'cinema-image': ['Ciné-goûter', 'Petit atelier cinéma', 'Fabrique de films d’animation'],
  'cirque-arts-de-la-rue': ['Initiation au cirque', 'Jonglerie et équilibre'],
  patrimoine: ['Enquête au musée', 'Balade patrimoine'],
  'sports-collectifs': ['Initiation football', 'Basket pour tous', 'Handball découverte'],
  'sports-de-raquette': ['Tennis de table', 'Badminton des mercredis'],
  'sports-de-combat': ['Judo éveil', 'Escrime découverte'],
  'gymnastique-expression': ['Gym et acrobaties', 'Expression corporelle'],
  athletisme: ['Athlétisme ludique', 'Kid’s athlé'],
  'activites-aquatiques': ['Aisance aquatique', 'Canoë découverte'],
  'pleine-nature': ['Course d’orientation', 'Escalade en salle', 'Randonnée nature'],
  motricite: ['Parcours de motricité', 'Baby gym'],
  biodiversite: ['Sortie nature', 'Inventaire des petites bêtes'],
  jardinage: ['Potager partagé', 'Jardin des mercredis'],
  'ferme-pedagogique': ['Visite de la ferme', 'Soigneur d’un jour'],
  'developpement-durable': ['Zéro déchet', 'Fresque du climat junior'],
  experiences: ['Petits débrouillards', 'Expériences scientifiques'],
  'code-robotique': ['Robots et codage', 'Programmation Scratch'],
  'fabrication-numerique': ['Fablab junior', 'Impression 3D'],
  'droits-enfant': ['Droits de l’enfant en jeux'],
  solidarite: ['Rencontres intergénérationnelles'],
  egalite: ['Filles et garçons, égalité en jeu'],
  alimentation: ['Cuisine et goût', 'Petit-déjeuner équilibré'],
  'bien-etre': ['Yoga des enfants', 'Relaxation et respiration'],
  'jeux-societe': ['Ludothèque mobile', 'Jeux de société coopératifs'],
  'activites-manuelles': ['Bricolage et récup', 'Atelier couture'],
};

const slotSets: [string[], number][] = [
  [['mercredi-apres-midi'], 35],
  [['mercredi-matin'], 15],
  [['mercredi-matin', 'mercredi-apres-midi'], 25],
  [['mercredi-journee'], 10],
  [[], 15],
];

function round(value: number, digits = 5) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function near(random: ReturnType<typeof prng>, place: EvalPlace, maxKm: number): EvalPlace {
  const distance = random.next() * maxKm;
  const angle = random.next() * 2 * Math.PI;
  const dLat = (distance * Math.cos(angle)) / 111.2;
  const dLng = (distance * Math.sin(angle)) / (111.2 * Math.cos((place.lat * Math.PI) / 180));
  return { ...place, lat: round(place.lat + dLat), lng: round(place.lng + dLng) };
}

export function generateCatalogue(seed = CATALOGUE_SEED): EvalOffer[] {
  const random = prng(seed);
  const offers: EvalOffer[] = [];
  for (const area of areas) {
    const rural = area.name === 'Creuse';
    for (let i = 0; i < area.share; i++) {
      const theme = random.weighted<string>([
        ['culture', 32],
        ['sport', 30],
        ['environnement', 14],
        ['sciences', 9],
        ['citoyennete', 5],
        ['sante', 5],
        ['jeux', 5],
      ]);
      const subthemes = random.sample(subthemesByTheme[theme]!, random.chance(0.75) ? 1 : 2);
      const themes = random.chance(0.1) ? [theme, random.pick(Object.keys(subthemesByTheme).filter((t) => t !== theme))] : [theme];
      const ageMin = random.weighted<number>([
        [3, 18],
        [4, 6],
        [5, 8],
        [6, 22],
        [7, 8],
        [8, 12],
        [9, 8],
        [10, 8],
        [12, 6],
      ]);
      const ageMax = Math.min(17, ageMin + random.pick([2, 3, 4, 5, 5, 6, 8]));
      const venue = random.weighted<EvalOffer['venue']>([
        ['dans-l-accueil', 45],
        ['chez-le-partenaire', 42],
        ['autre-lieu', 13],
      ]);
      const base = near(random, random.pick(area.communes), 3);
      const place = venue === 'dans-l-accueil' ? null : venue === 'chez-le-partenaire' ? base : near(random, base, 12);
      const travelKm = venue === 'dans-l-accueil' ? random.pick(rural ? [20, 30, 40, 60] : [5, 10, 15, 20, 30]) : null;
      const departmentsServed = venue === 'dans-l-accueil' && random.chance(0.25) ? [base.department] : [];
      const hasGroup = random.chance(0.8);
      const groupMax = hasGroup ? random.pick([8, 10, 12, 15, 15, 20, 24, 30]) : null;
      const groupMin = hasGroup && random.chance(0.5) ? Math.min(groupMax!, random.pick([4, 6, 8, 10])) : null;
      const slots = random.weighted(slotSets);
      const dated = random.chance(0.3);
      const startMonth = random.int(9, 14);
      const startDate = dated ? `${startMonth > 12 ? 2027 : 2026}-${String(((startMonth - 1) % 12) + 1).padStart(2, '0')}-01` : null;
      const endDate = dated ? `2027-${String(random.int(2, 6)).padStart(2, '0')}-28` : null;
      const price = random.weighted<EvalOffer['price']>([
        ['gratuit', 35],
        ['payant', 50],
        ['sur-devis', 15],
      ]);
      const priceEur = price === 'payant' ? (random.chance(0.9) ? random.pick([30, 45, 60, 80, 100, 120, 150, 200, 250]) : null) : null;
      const accessibility = random.chance(0.5) ? random.sample(['moteur', 'mental', 'auditif', 'visuel'], random.int(1, 4)) : [];
      const sub = subthemes[0]!;
      offers.push({
        id: offers.length + 1,
        title: `${random.pick(titles[sub]!)} (${base.commune})`,
        partner: `Partenaire ${offers.length + 1}`,
        themes,
        subthemes,
        ageMin,
        ageMax,
        venue,
        base,
        place,
        travelKm,
        departmentsServed,
        groupMin,
        groupMax,
        slots,
        startDate,
        endDate,
        price,
        priceEur,
        accessibility,
        verified: random.chance(0.7),
        answeredRate: random.chance(0.5) ? round(random.next(), 2) : null,
      });
    }
  }
  return offers;
}
