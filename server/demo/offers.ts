import { asc, eq, inArray } from 'drizzle-orm';
import { communes, memberships, offers, type organisations } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import type { Deps } from '../deps.js';
import { prng } from '../kernel/prng.js';
import { nextSchoolYear, schoolYearBounds, schoolYearOf } from '../kernel/school-year.js';
import { subthemes as allSubthemes } from '../kernel/taxonomy.js';
import { slugify } from '../kernel/text.js';
import { availabilityDefaults } from '../offers/offers.usecases.js';
import type { SeedStep } from './index.js';
import { type OfferIdea, offerIdeas } from './offer-ideas.js';
import { demoOrganisations } from './organisations.js';

type Organisation = typeof organisations.$inferSelect;
type OfferRow = typeof offers.$inferInsert;

/** What each kind of partner offers, recognised by its name first, then by its type. */
const byName: [RegExp, string[]][] = [
  [/judo/i, ['sports-de-combat', 'motricite']],
  [/escrime/i, ['sports-de-combat', 'motricite']],
  [/tennis|badminton/i, ['sports-de-raquette']],
  [/basket|football|red star/i, ['sports-collectifs', 'motricite']],
  [/escalade|randonnée|orientation/i, ['pleine-nature']],
  [/kayak|canoë/i, ['activites-aquatiques', 'pleine-nature']],
  [/débrouillards/i, ['experiences', 'developpement-durable', 'biodiversite']],
  [/nature en ville|graine de nature|jardins partagés/i, ['biodiversite', 'jardinage', 'developpement-durable']],
  [/ligue de l’enseignement/i, ['lecture-ecriture', 'education-medias', 'laicite', 'droits-enfant', 'egalite']],
  [/ludoth/i, ['jeux-societe', 'activites-manuelles']],
  [/code|robot|codeurs/i, ['code-robotique', 'usages-ecrans']],
  [/fablab/i, ['fabrication-numerique', 'activites-manuelles']],
  [/vélo|cycles/i, ['developpement-durable', 'prevention', 'activites-manuelles']],
  [/recyclerie|ressourcerie/i, ['developpement-durable', 'activites-manuelles']],
  [/europe|jumelage|langues/i, ['langues-etrangeres', 'ouverture-monde']],
  [/service des sports/i, ['athletisme', 'sport-sante', 'activites-aquatiques', 'gymnastique-expression']],
  [/direction de la culture/i, ['patrimoine', 'musique-chant', 'danse', 'cirque-arts-de-la-rue']],
  [/service jeunesse/i, ['participation', 'sport-sante', 'arts-numeriques', 'athletisme']],
  [/allocations familiales/i, ['droits-enfant', 'alimentation', 'prevention', 'participation']],
  [/handicap/i, ['sport-adapte', 'sport-sante', 'egalite', 'bien-etre']],
];

const byType: Record<string, string[]> = {
  bibliotheque: ['lecture-ecriture', 'education-medias', 'usages-ecrans'],
  'theatre-spectacle': ['theatre-marionnettes', 'cirque-arts-de-la-rue', 'danse'],
  conservatoire: ['musique-chant', 'danse'],
  cinema: ['cinema-image', 'education-medias', 'arts-numeriques'],
  'musee-patrimoine': ['patrimoine', 'arts-plastiques'],
  mjc: ['arts-numeriques', 'danse', 'participation', 'jeux-societe', 'theatre-marionnettes'],
  'centre-social': ['solidarite', 'jeux-societe', 'alimentation', 'premiers-secours', 'bien-etre', 'arts-du-gout'],
  'site-nature': ['ferme-pedagogique', 'jardinage', 'arts-du-gout'],
  intervenant: ['arts-plastiques', 'activites-manuelles'],
  ecole: ['lecture-ecriture', 'langues-etrangeres', 'ouverture-monde'],
  'parents-eleves': ['jeux-societe', 'arts-du-gout', 'langues-etrangeres', 'solidarite'],
  entreprise: ['fabrication-numerique', 'developpement-durable'],
};

const subthemeTheme = new Map(allSubthemes.map((s) => [s.value, s.theme]));
const ideaOf = new Map(offerIdeas.map((idea) => [idea.subtheme, idea]));
const freeTypes = new Set(['bibliotheque', 'collectivite', 'institution', 'ecole', 'parents-eleves', 'pole-handicap']);
const visitTypes = new Set(['site-nature', 'musee-patrimoine', 'cinema']);

function subthemesFor(organisation: Pick<Organisation, 'name' | 'type' | 'themes'>): string[] {
  const named = byName.find(([pattern]) => pattern.test(organisation.name));
  if (named) return named[1];
  const typed = organisation.type ? byType[organisation.type] : undefined;
  if (typed) return typed;
  return allSubthemes.filter((s) => organisation.themes.includes(s.theme)).map((s) => s.value);
}

const practical = {
  'dans-l-accueil': [
    'Nous nous déplaçons dans votre accueil avec le matériel ; prévoyez une salle adaptée et la présence d’un animateur.',
    'L’intervenant vient à vous : il suffit d’une salle ou d’un espace extérieur, et d’un animateur présent pendant la séance.',
  ],
  'chez-le-partenaire': [
    'Le groupe est accueilli dans nos locaux ; le trajet et l’encadrement pendant le déplacement restent à la charge de l’accueil.',
    'Nous recevons votre groupe sur place ; pensez à réserver au moins trois semaines à l’avance.',
  ],
  'autre-lieu': [
    'Rendez-vous sur le lieu indiqué ; nous y installons le matériel avant l’arrivée du groupe.',
    'L’activité se déroule sur un site extérieur ; une solution de repli est prévue en cas de mauvais temps.',
  ],
};

/**
 * About four offers per demo partner (300+ in all), built from the sub-theme ideas that fit the
 * organisation: every theme and sub-theme, age range, format and venue type appears. Mostly
 * published, with a few drafts, pending, paused, refused and archived ones. Deterministic.
 */
export async function seedOffers(deps: Pick<Deps, 'db' | 'clock'>): Promise<void> {
  const { db } = deps;
  const random = prng(20_260_915);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const now = deps.clock.now();
  const period = availabilityDefaults(deps);
  const previous = schoolYearBounds(schoolYearOf(new Date(`${Number(period.start.slice(0, 4)) - 1}-10-01T12:00:00Z`)));
  const nextYear = schoolYearBounds(nextSchoolYear(schoolYearOf(`${period.start.slice(0, 4)}-10-01`)));
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

  const partners = await demoOrganisations(db, { kind: 'partner' });
  const owners = new Map(
    (
      await db
        .select({ organisationId: memberships.organisationId, userId: memberships.userId })
        .from(memberships)
        .where(eq(memberships.role, 'owner'))
        .orderBy(asc(memberships.userId))
    ).map((m) => [m.organisationId, m.userId]),
  );

  const codes = [...new Set(partners.map((p) => p.codeInsee).filter((code): code is string => Boolean(code)))];
  const communeNames = new Map(
    (await db.select({ code: communes.codeInsee, name: communes.name }).from(communes).where(inArray(communes.codeInsee, codes))).map((c) => [c.code, c.name]),
  );
  /** Titles already given: another offer of the same idea gets another of its titles, else its commune or organisation in brackets. */
  const usedTitles = new Set<string>();
  function distinctTitle(idea: OfferIdea, preferred: number, organisation: Organisation): { title: string; index: number } {
    for (let step = 0; step < idea.titles.length; step++) {
      const index = (preferred + step) % idea.titles.length;
      if (!usedTitles.has(idea.titles[index]!)) return { title: idea.titles[index]!, index };
    }
    const base = idea.titles[preferred]!;
    const commune = organisation.codeInsee ? communeNames.get(organisation.codeInsee) : undefined;
    const candidates = [...(commune ? [`${base} (${commune})`] : []), `${base} (${organisation.name})`];
    const title = candidates.find((t) => !usedTitles.has(t)) ?? `${base} (${usedTitles.size})`;
    return { title, index: preferred };
  }

  /** Summaries already given, and to which organisation: another organisation's offer gets its own wording. */
  const summaryOwners = new Map<string, number>();
  function distinctSummary(base: string, organisation: Organisation, offer: { venue: string; ageMin: number; ageMax: number; address: string }): string {
    const commune = organisation.codeInsee ? communeNames.get(organisation.codeInsee) : undefined;
    const where =
      offer.venue === 'dans-l-accueil'
        ? `Nous venons dans votre accueil${commune ? ` depuis ${commune}` : ''}.`
        : offer.venue === 'chez-le-partenaire'
          ? `Rendez-vous chez nous${commune ? `, à ${commune}` : ''}.`
          : `Rendez-vous ${offer.address ? `au lieu indiqué (${offer.address.toLowerCase()})` : 'sur place'}${commune ? `, à ${commune}` : ''}.`;
    const ages = `Pour les enfants de ${offer.ageMin} à ${offer.ageMax} ans.`;
    const candidates = [base, `${base} ${where}`, `${base} ${where} ${ages}`, `${base} Avec l’équipe de ${organisation.name}.`];
    const free = candidates.find((c) => c.length <= 280 && (summaryOwners.get(c) ?? organisation.id) === organisation.id) ?? candidates[3]!.slice(0, 280);
    summaryOwners.set(free, organisation.id);
    return free;
  }

  const rows: OfferRow[] = [];
  let number = 0;
  for (const [orgIndex, organisation] of partners.entries()) {
    const ideas = subthemesFor(organisation)
      .map((s) => ideaOf.get(s))
      .filter((idea): idea is OfferIdea => Boolean(idea));
    if (ideas.length === 0) continue;
    const count = 3 + ((orgIndex * 7) % 3);
    for (let k = 0; k < count; k++) {
      number++;
      const idea = ideas[(k + orgIndex) % ideas.length]!;
      const variant = Math.floor(k / ideas.length) + orgIndex;
      rows.push(buildOffer(organisation, idea, variant, number));
    }
  }

  function buildOffer(organisation: Organisation, idea: OfferIdea, variant: number, n: number): OfferRow {
    const type = organisation.type ?? 'association';
    const { title, index: titleIndex } = distinctTitle(idea, variant % idea.titles.length, organisation);
    usedTitles.add(title);
    const match = idea.match?.[titleIndex] ?? titleIndex % idea.summaries.length;
    const [ageMin, ageMax] = idea.ages[(variant + n) % idea.ages.length]!;
    const formats = [idea.formats[n % idea.formats.length]!];
    if (chance(0.35)) formats.push(idea.formats[(n + 1) % idea.formats.length]!);
    const uniqueFormats = [...new Set(formats)];
    let periodicity: OfferRow['periodicity'];
    let sessionsCount: number | null = null;
    if (uniqueFormats.includes('cycle')) {
      periodicity = 'cycle';
      sessionsCount = pick([4, 5, 6, 6, 8, 10]);
    } else if (uniqueFormats.includes('pret-materiel')) periodicity = 'mensuel';
    else if (uniqueFormats.some((f) => ['seance-decouverte', 'visite', 'spectacle', 'projection', 'evenement', 'formation-animateurs'].includes(f)))
      periodicity = 'ponctuel';
    else periodicity = pick(['hebdomadaire', 'quinzaine', 'mensuel', 'ponctuel'] as const);
    if (periodicity === 'hebdomadaire' || periodicity === 'quinzaine') sessionsCount = chance(0.5) ? pick([6, 8, 10, 12]) : null;

    let venue = idea.venues[n % idea.venues.length]!;
    if (visitTypes.has(type) && idea.venues.includes('chez-le-partenaire')) venue = 'chez-le-partenaire';
    if (['intervenant', 'pole-handicap', 'institution', 'parents-eleves'].includes(type) && idea.venues.includes('dans-l-accueil')) venue = 'dans-l-accueil';
    const department = organisation.codeInsee?.slice(0, 2) ?? '';
    const usesDepartments = venue === 'dans-l-accueil' && n % 5 === 0 && department !== '';
    const place =
      venue === 'autre-lieu'
        ? { address: idea.elsewhere ?? 'Gymnase municipal', lat: (organisation.lat ?? 0) + 0.004, lng: (organisation.lng ?? 0) - 0.003 }
        : { address: venue === 'chez-le-partenaire' ? organisation.address : '', lat: organisation.lat, lng: organisation.lng };

    let price: OfferRow['price'] = 'gratuit';
    let priceEur: string | null = null;
    let priceDetails: string | null = null;
    if (freeTypes.has(type) || (type === 'centre-social' && chance(0.8))) {
      priceDetails = chance(0.5) ? 'Gratuit pour les accueils de loisirs de la commune.' : null;
    } else if (type === 'intervenant' || type === 'entreprise') {
      if (chance(0.4)) {
        price = 'sur-devis';
        priceDetails = 'Devis selon le nombre de séances et de groupes.';
      } else {
        price = 'payant';
        priceEur = String(pick([60, 75, 90, 110, 120, 150]));
        priceDetails = 'Par séance de 1 h 30, matériel compris.';
      }
    } else if (visitTypes.has(type) || type === 'theatre-spectacle' || type === 'conservatoire') {
      price = chance(0.7) ? 'payant' : 'gratuit';
      if (price === 'payant' && venue === 'dans-l-accueil') {
        priceEur = pick(['45', '60', '75', '90']);
        priceDetails = 'Par séance, déplacement et matériel compris.';
      } else if (price === 'payant') {
        priceEur = pick(['2.50', '3', '4', '4.50', '5', '6']);
        priceDetails = 'Par enfant ; gratuit pour les accompagnateurs.';
      }
    } else if (type === 'club-sportif') {
      if (uniqueFormats.includes('cycle') && chance(0.5)) {
        price = 'payant';
        priceEur = pick(['40', '60', '80', '100']);
        priceDetails = 'Pour l’ensemble du cycle et le groupe, licences découverte comprises.';
      } else priceDetails = 'Séance offerte par le club dans le cadre du Plan mercredi.';
    } else if (chance(0.3)) {
      price = 'payant';
      priceEur = pick(['30', '45', '50', '80']);
      priceDetails = 'Par séance.';
    }

    const accessibility =
      idea.subtheme === 'sport-adapte' || type === 'pole-handicap'
        ? ['moteur', 'mental', 'auditif', 'visuel']
        : ['moteur', 'mental', 'auditif', 'visuel'].filter((_, i) => chance(i === 0 ? 0.45 : 0.25));
    const natureFits = (nature: string) =>
      !((nature === 'intervention' && venue !== 'dans-l-accueil') || (nature === 'accueil-groupe' && venue !== 'chez-le-partenaire'));
    const mainNature =
      venue === 'dans-l-accueil' ? 'intervention' : venue === 'chez-le-partenaire' ? 'accueil-groupe' : (idea.natures.find(natureFits) ?? 'projet-commun');
    const natures = [
      ...new Set([
        mainNature,
        ...(chance(0.5) ? [pick(idea.natures)].filter(natureFits) : []),
        ...(type === 'club-sportif' && chance(0.4) ? ['passerelle-adhesion'] : []),
      ]),
    ];
    const slots =
      venue === 'chez-le-partenaire' && uniqueFormats.includes('visite') && chance(0.4)
        ? ['mercredi-journee']
        : chance(0.25)
          ? ['mercredi-matin', 'mercredi-apres-midi']
          : [pick(['mercredi-apres-midi', 'mercredi-apres-midi', 'mercredi-matin'])];
    const [groupLow, groupHigh] = idea.group ?? (ageMin < 6 ? [6, 12] : [8, pick([15, 16, 20, 24])]);

    let startDate = period.start;
    let endDate = period.end;
    if (n % 9 === 4) startDate = `${period.end.slice(0, 4)}-01-06`;
    if (n % 11 === 6) endDate = `${period.end.slice(0, 4)}-04-15`;

    let status: OfferRow['status'] = 'published';
    let rejection: Pick<OfferRow, 'rejectionCode' | 'rejectionReason'> = {};
    if (organisation.status === 'unverified') status = n % 3 === 0 ? 'pending' : 'published';
    else if (n % 23 === 5) status = 'draft';
    else if (n % 29 === 7) status = 'paused';
    else if (n % 31 === 11) {
      status = 'archived';
      startDate = previous.start;
      endDate = previous.end;
    } else if (n % 37 === 13) {
      status = 'rejected';
      rejection = {
        rejectionCode: 'informations-incompletes',
        rejectionReason: 'Précisez le déroulé des séances et ce que l’accueil doit prévoir (salle, matériel, encadrement).',
      };
    }
    if (n % 41 === 20 && status === 'published') endDate = nextYear.end;

    const paragraphs = idea.paragraphs.map((options) => options[match % options.length]!);
    const description = [...paragraphs, practical[venue][n % 2]!].join('\n\n');
    const created = daysAgo(20 + Math.floor(random() * 200));
    const themes = [subthemeTheme.get(idea.subtheme)!];

    return {
      organisationId: organisation.id,
      externalId: `demo-offre-${n}`,
      slug: slugify(title),
      title,
      summary: distinctSummary(idea.summaries[match]!, organisation, { venue, ageMin, ageMax, address: place.address }),
      description,
      themes,
      subthemes: [idea.subtheme],
      formats: uniqueFormats,
      venue,
      travelKm: venue === 'dans-l-accueil' && !usesDepartments ? pick([5, 10, 15, 20, 30]) : null,
      departmentsServed: usesDepartments ? [department] : [],
      address: place.address,
      postcode: organisation.postcode,
      codeInsee: organisation.codeInsee,
      lat: place.lat === null ? null : Number(place.lat.toFixed(6)),
      lng: place.lng === null ? null : Number(place.lng.toFixed(6)),
      ageMin,
      ageMax,
      groupMin: groupLow,
      groupMax: groupHigh,
      adultsRequired: ageMin < 6 ? 2 : 1,
      slots,
      periodicity,
      sessionsCount,
      startDate,
      endDate,
      price,
      priceEur,
      priceDetails,
      accessibility,
      natures,
      regulated: idea.regulated ?? false,
      contactEmail: n % 4 === 0 ? null : organisation.email,
      status,
      ...rejection,
      submittedAt: status === 'pending' || status === 'rejected' ? daysAgo(2 + (n % 5)) : null,
      publishedAt: status === 'published' || status === 'paused' || status === 'archived' ? daysAgo(5 + Math.floor(random() * 15)) : null,
      createdBy: owners.get(organisation.id) ?? null,
      createdAt: created,
      updatedAt: daysAgo(Math.floor(random() * 20)),
    };
  }

  await db.transaction(async (tx) => {
    const published: number[] = [];
    for (let i = 0; i < rows.length; i += 100) {
      const inserted = await tx
        .insert(offers)
        .values(rows.slice(i, i + 100))
        .returning({ id: offers.id, status: offers.status });
      published.push(...inserted.filter((o) => o.status === 'published').map((o) => o.id));
    }
    await enqueueSearchSync(tx, 'offer', published);
  });
}

export const offersSeed: SeedStep = { name: 'offers', run: (deps) => seedOffers(deps) };
