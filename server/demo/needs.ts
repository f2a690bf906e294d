import { eq } from 'drizzle-orm';
import { communes, users } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { loadCurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { prng } from '../kernel/prng.js';
import { schoolYearBounds, schoolYearOf } from '../kernel/school-year.js';
import { answerNeed } from '../matching/answer.js';
import { openNeedById } from '../matching/matching.repository.js';
import { findNeed, insertNeed } from '../matching/needs.repository.js';
import { suggestOffers, wishOfNeed } from '../matching/suggestions.js';
import type { SeedStep } from './index.js';
import { demoMembers, demoOrganisations } from './organisations.js';

const DAY = 86_400_000;

interface NeedTemplate {
  title: string;
  description: string;
  themes: string[];
  subthemes: string[];
  ages: [number, number];
  groupSize: number;
  slots: string[];
  periodicity: 'ponctuel' | 'hebdomadaire' | 'quinzaine' | 'mensuel' | 'cycle' | null;
  /** Months of the school year (9 = September … 6 = June), or null for the whole year. */
  months: [number, number] | null;
  budgetEur: number | null;
  venuePreference: string[];
  maxTravelKm: number | null;
  accessibilityRequired: string[];
}

const templates: NeedTemplate[] = [
  {
    title: 'Un atelier théâtre pour préparer la fête de fin d’année',
    description:
      'Nous aimerions qu’un ou une comédienne accompagne un groupe de grands pendant un trimestre pour créer une courte pièce, jouée devant les familles en juin.',
    themes: ['culture'],
    subthemes: ['theatre-marionnettes'],
    ages: [8, 11],
    groupSize: 14,
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    months: [3, 6],
    budgetEur: 80,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Initiation aux sports de combat pour les 6-8 ans',
    description:
      'Judo, lutte ou escrime : nous cherchons un club qui accueille un groupe le mercredi matin pour une découverte, avec des règles de respect de l’adversaire.',
    themes: ['sport'],
    subthemes: ['sports-de-combat'],
    ages: [6, 8],
    groupSize: 12,
    slots: ['mercredi-matin'],
    periodicity: 'hebdomadaire',
    months: null,
    budgetEur: 60,
    venuePreference: [],
    maxTravelKm: 15,
    accessibilityRequired: [],
  },
  {
    title: 'Éveil musical pour les maternelles',
    description: 'Comptines, percussions corporelles et petits instruments : une séance courte et joyeuse pour les 3-5 ans, si possible dans nos locaux.',
    themes: ['culture'],
    subthemes: ['musique-chant'],
    ages: [3, 5],
    groupSize: 10,
    slots: ['mercredi-matin'],
    periodicity: 'quinzaine',
    months: null,
    budgetEur: 50,
    venuePreference: ['dans-l-accueil'],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Créer un potager dans la cour de l’accueil',
    description:
      'Nous avons deux bacs et un coin de pelouse : nous cherchons un partenaire pour lancer un potager avec les enfants, des semis jusqu’à la récolte.',
    themes: ['environnement'],
    subthemes: ['jardinage'],
    ages: [6, 10],
    groupSize: 12,
    slots: ['mercredi-apres-midi'],
    periodicity: 'quinzaine',
    months: [3, 6],
    budgetEur: 40,
    venuePreference: ['dans-l-accueil'],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Une sortie à la ferme pédagogique au printemps',
    description: 'Une journée ou une demi-journée à la ferme pour découvrir les animaux et le travail des éleveurs. Nous avons un car pour le trajet.',
    themes: ['environnement'],
    subthemes: ['ferme-pedagogique', 'biodiversite'],
    ages: [4, 8],
    groupSize: 24,
    slots: ['mercredi-journee'],
    periodicity: 'ponctuel',
    months: [4, 5],
    budgetEur: 200,
    venuePreference: ['chez-le-partenaire', 'autre-lieu'],
    maxTravelKm: 45,
    accessibilityRequired: [],
  },
  {
    title: 'Découvrir le codage avec des robots',
    description: 'Les grands nous demandent des activités numériques : robots, programmation par blocs, petits défis. Idéalement gratuit ou à petit prix.',
    themes: ['sciences'],
    subthemes: ['code-robotique', 'fabrication-numerique'],
    ages: [8, 11],
    groupSize: 10,
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    months: null,
    budgetEur: 0,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Danse hip-hop pour les grands',
    description:
      'Un cycle de danse urbaine avec une restitution lors de la fête du centre. Un enfant du groupe se déplace en fauteuil : l’atelier doit pouvoir l’accueillir.',
    themes: ['culture'],
    subthemes: ['danse'],
    ages: [9, 12],
    groupSize: 16,
    slots: ['mercredi-apres-midi'],
    periodicity: 'hebdomadaire',
    months: [1, 6],
    budgetEur: 90,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: ['moteur'],
  },
  {
    title: 'Lectures et contes avec une bibliothèque',
    description: 'Nous voulons donner le goût des livres : heure du conte, choix d’albums, pourquoi pas une inscription collective à la médiathèque.',
    themes: ['culture'],
    subthemes: ['lecture-ecriture'],
    ages: [5, 8],
    groupSize: 15,
    slots: ['mercredi-matin', 'mercredi-apres-midi'],
    periodicity: 'mensuel',
    months: null,
    budgetEur: 0,
    venuePreference: [],
    maxTravelKm: 10,
    accessibilityRequired: [],
  },
  {
    title: 'Sports collectifs le premier mercredi du mois',
    description: 'Football, basket ou handball : une initiation mensuelle avec un club, en insistant sur le fair-play et la mixité des équipes.',
    themes: ['sport'],
    subthemes: ['sports-collectifs'],
    ages: [7, 11],
    groupSize: 20,
    slots: ['mercredi-apres-midi'],
    periodicity: 'mensuel',
    months: null,
    budgetEur: null,
    venuePreference: [],
    maxTravelKm: 15,
    accessibilityRequired: [],
  },
  {
    title: 'Fabriquer un petit film d’animation',
    description:
      'Pâte à modeler, papier découpé et tablette : nous aimerions qu’un intervenant aide les enfants à réaliser un court film projeté aux familles.',
    themes: ['culture'],
    subthemes: ['cinema-image', 'arts-numeriques'],
    ages: [8, 11],
    groupSize: 10,
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    months: [11, 2],
    budgetEur: 120,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Sensibiliser au tri et au zéro déchet',
    description: 'Un projet autour du tri, du compost et de la récupération, en lien avec la cantine de l’école voisine.',
    themes: ['environnement'],
    subthemes: ['developpement-durable'],
    ages: [6, 11],
    groupSize: 18,
    slots: ['mercredi-apres-midi'],
    periodicity: 'quinzaine',
    months: null,
    budgetEur: 30,
    venuePreference: ['dans-l-accueil'],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Motricité et parcours pour les 3-5 ans',
    description: 'Nous cherchons un éducateur sportif pour des parcours de motricité adaptés aux petits, avec du matériel que nous n’avons pas.',
    themes: ['sport'],
    subthemes: ['motricite', 'gymnastique-expression'],
    ages: [3, 5],
    groupSize: 12,
    slots: ['mercredi-matin'],
    periodicity: 'hebdomadaire',
    months: null,
    budgetEur: 60,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Arts plastiques avec un enfant malvoyant dans le groupe',
    description:
      'Peinture, modelage, collages tactiles : nous cherchons un atelier qui sait adapter ses supports pour qu’un enfant malvoyant participe pleinement.',
    themes: ['culture'],
    subthemes: ['arts-plastiques'],
    ages: [6, 10],
    groupSize: 10,
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    months: null,
    budgetEur: 70,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: ['visuel'],
  },
  {
    title: 'Cuisine et découverte des goûts',
    description: 'Petits ateliers de cuisine et de dégustation autour des fruits et légumes de saison, pour parler alimentation sans faire la morale.',
    themes: ['sante', 'culture'],
    subthemes: ['alimentation', 'arts-du-gout'],
    ages: [6, 10],
    groupSize: 12,
    slots: ['mercredi-matin'],
    periodicity: 'mensuel',
    months: null,
    budgetEur: 50,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Jeux de société coopératifs',
    description: 'Une ludothèque ou une association de jeux pour animer des après-midis jeux et nous prêter une malle pour la suite.',
    themes: ['jeux'],
    subthemes: ['jeux-societe'],
    ages: [6, 11],
    groupSize: 20,
    slots: ['mercredi-apres-midi'],
    periodicity: 'mensuel',
    months: null,
    budgetEur: null,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Cirque et jonglerie',
    description: 'Équilibre, jonglage, acrobaties au sol : une découverte des arts du cirque pour un groupe d’enfants très dynamiques.',
    themes: ['culture'],
    subthemes: ['cirque-arts-de-la-rue'],
    ages: [6, 10],
    groupSize: 14,
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    months: null,
    budgetEur: 100,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
  {
    title: 'Un projet autour des droits de l’enfant',
    description: 'Pour le 20 novembre, nous aimerions construire avec une association un jeu ou une exposition sur les droits de l’enfant.',
    themes: ['citoyennete'],
    subthemes: ['droits-enfant'],
    ages: [8, 12],
    groupSize: 16,
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    months: [10, 11],
    budgetEur: 0,
    venuePreference: [],
    maxTravelKm: null,
    accessibilityRequired: [],
  },
];

/** A month of the school year that starts in `startYear` (9–12 → that year, 1–8 → the next) as a date. */
function monthDate(startYear: number, month: number, last: boolean): string {
  const year = month >= 8 ? startYear : startYear + 1;
  const day = last ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Demo needs: one or two per demo ACM (the demo ACM account's two accueils have open needs with
 * good suggestions), a few fulfilled or closed, and two of them already answered by partners.
 */
async function seedNeeds(deps: Deps): Promise<void> {
  const random = prng(4242);
  const now = deps.clock.now();
  const schoolYear = schoolYearOf(now);
  const startYear = Number(schoolYear.slice(0, 4));
  const { start: yearStart, end: yearEnd } = schoolYearBounds(schoolYear);
  const today = now.toISOString().slice(0, 10);
  const acms = await demoOrganisations(deps.db, { kind: 'acm' });
  const answerable: number[] = [];
  let index = 0;
  for (const acm of acms) {
    const [place] = await deps.db
      .select({ departmentCode: communes.departmentCode })
      .from(communes)
      .where(eq(communes.codeInsee, acm.codeInsee ?? ''))
      .limit(1);
    const [owner] = await demoMembers(deps.db, acm.id);
    const count = index < 2 ? 2 : 1 + Math.floor(random() * 2);
    for (let n = 0; n < count; n++) {
      const acmMin = acm.ageMin ?? 3;
      const acmMax = acm.ageMax ?? 11;
      const fitting = templates.filter((t) => t.ages[0] <= acmMax && t.ages[1] >= acmMin);
      const template = fitting[(index * 7 + n * 5 + Math.floor(random() * fitting.length)) % fitting.length]!;
      const ageMin = Math.max(template.ages[0], acmMin);
      const ageMax = Math.min(template.ages[1], acmMax);
      let startDate: string | null = null;
      let endDate: string | null = null;
      if (template.months) {
        startDate = monthDate(startYear, template.months[0], false);
        endDate = monthDate(startYear, template.months[1], true);
        if (endDate < today) {
          startDate = null;
          endDate = null;
        } else if (startDate < yearStart) startDate = yearStart;
        if (endDate && endDate > yearEnd) endDate = yearEnd;
      }
      const status = index < 2 ? 'open' : (index + n) % 6 === 0 ? 'fulfilled' : (index + n) % 9 === 4 ? 'closed' : 'open';
      const createdAt = new Date(now.getTime() - Math.floor(2 + random() * 40) * DAY - Math.floor(random() * 10) * 3_600_000);
      const need = await deps.db.transaction(async (tx) => {
        const row = await insertNeed(tx, {
          acmId: acm.id,
          title: template.title,
          description: template.description,
          themes: template.themes,
          subthemes: template.subthemes,
          ageMin,
          ageMax,
          groupSize: Math.min(template.groupSize, acm.capacity ?? template.groupSize),
          slots: template.slots,
          periodicity: template.periodicity,
          startDate,
          endDate,
          budgetEur: template.budgetEur === null ? null : String(template.budgetEur),
          venuePreference: template.venuePreference,
          maxTravelKm: template.maxTravelKm,
          accessibilityRequired: template.accessibilityRequired,
          status,
          closedAt: status === 'open' ? null : new Date(createdAt.getTime() + 10 * DAY),
          codeInsee: acm.codeInsee,
          departmentCode: place?.departmentCode ?? null,
          lat: acm.lat,
          lng: acm.lng,
          createdBy: owner?.userId ?? null,
          createdAt,
          updatedAt: createdAt,
        });
        await enqueueSearchSync(tx, 'need', row.id);
        return row;
      });
      if (status === 'open') answerable.push(need.id);
    }
    index++;
  }

  // Two open needs already answered by the partner whose offer suits them best.
  let answered = 0;
  for (const needId of answerable) {
    if (answered >= 2) break;
    const candidate = await openNeedById(deps.db, needId);
    const [best] = candidate ? await suggestOffers(deps, wishOfNeed(candidate), { limit: 1 }) : [];
    if (!best) continue;
    const [member] = await demoMembers(deps.db, best.item.partnerId);
    if (!member) continue;
    const [userRow] = await deps.db.select().from(users).where(eq(users.id, member.userId)).limit(1);
    const found = await findNeed(deps.db, needId);
    if (!userRow || !found) continue;
    await answerNeed(deps, await loadCurrentUser(deps.db, userRow), found, {
      partnerId: String(best.item.partnerId),
      offerId: String(best.item.id),
      message: `Bonjour, notre offre « ${best.item.title} » nous semble bien correspondre à votre besoin. Nous pouvons venir vous la présenter un mercredi : quelles dates vous conviendraient ?`,
    });
    answered++;
  }
}

export const needsSeed: SeedStep = { name: 'needs', run: (deps) => seedNeeds(deps) };
