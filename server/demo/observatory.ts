import { sql } from 'drizzle-orm';
import { rows } from '../../db/client.js';
import { memberships, offers, organisations, unmetSearches, users } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { hashPassword } from '../accounts/passwords.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { prng } from '../kernel/prng.js';
import { slugify } from '../kernel/text.js';
import { availabilityDefaults } from '../offers/offers.usecases.js';
import type { SeedStep } from './index.js';
import { DEMO_PASSWORD } from './organisations.js';

/** Accueils of the rural Rhône, far from the partners of the Lyon area: the statistics show their gaps. */
const ruralAcms = [
  { name: 'Accueil de loisirs des Monts de Tarare', code: '69243', organiser: 'Ville de Tarare', owner: ['Lucie Garnier', 'lucie.garnier'] },
  { name: 'Centre de loisirs du Haut-Beaujolais', code: '69248', organiser: 'Commune de Thizy-les-Bourgs', owner: ['Bruno Perret', 'bruno.perret'] },
  {
    name: 'ALSH des Monts du Lyonnais',
    code: '69238',
    organiser: 'Communauté de communes des Monts du Lyonnais',
    owner: ['Sandrine Vial', 'sandrine.vial'],
  },
] as const;

/** The few partners of the rural west: a library and a farm cover some themes there, most stay uncovered. */
const ruralPartners = [
  {
    name: 'Médiathèque de l’Ouest rhodanien',
    code: '69243',
    type: 'bibliotheque',
    owner: ['Agnès Dumas', 'agnes.dumas'],
    offers: [
      { title: 'Kamishibaï et lectures du mercredi', theme: 'culture', subtheme: 'lecture-ecriture', venue: 'chez-le-partenaire', travelKm: null },
      { title: 'Après-midi jeux de société coopératifs', theme: 'jeux', subtheme: 'jeux-societe', venue: 'chez-le-partenaire', travelKm: null },
    ],
  },
  {
    name: 'Ferme pédagogique du Haut-Beaujolais',
    code: '69248',
    type: 'association',
    owner: ['Rémi Chapuis', 'remi.chapuis'],
    offers: [{ title: 'La ferme vient à l’accueil', theme: 'environnement', subtheme: 'ferme-pedagogique', venue: 'dans-l-accueil', travelKm: 25 }],
  },
] as const;

/** Zero-result searches of the last weeks, as the search would have logged them: commune, theme, age, radius. */
const unmet: [commune: string, theme: string | null, age: number | null, radius: number | null, times: number][] = [
  ['69243', 'sciences', 9, 20, 4],
  ['69243', 'langues', 8, 20, 2],
  ['69248', 'sport', 10, 30, 3],
  ['69248', 'sciences', null, 20, 2],
  ['69238', 'environnement', 7, 20, 3],
  ['69238', 'citoyennete', 11, 10, 1],
  ['69264', 'langues', 6, 10, 2],
  ['69259', 'sciences', 12, 5, 2],
  ['69381', 'sante', 14, 5, 1],
];

async function seedObservatory(deps: Pick<Deps, 'db' | 'clock'>): Promise<void> {
  const { db } = deps;
  const random = prng(20_261_204);
  const now = deps.clock.now();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    for (const [index, acm] of ruralAcms.entries()) {
      const [commune] = await rows<{ lat: number; lng: number; postcode: string }>(
        tx,
        sql`select lat, lng, postcodes[1] as postcode from communes where code_insee = ${acm.code}`,
      );
      if (!commune) continue;
      const [owner] = await tx
        .insert(users)
        .values({
          email: `${acm.owner[1]}@demo.passerelle.fr`,
          name: acm.owner[0],
          passwordHash,
          emailVerifiedAt: now,
          jobTitle: 'Directeur·rice d’accueil de loisirs',
        })
        .returning({ id: users.id });
      const [row] = await tx
        .insert(organisations)
        .values({
          kind: 'acm',
          name: acm.name,
          slug: slugify(acm.name),
          description: `Accueil de loisirs du mercredi organisé par ${acm.organiser}, loin des grandes villes : nous cherchons des partenaires qui se déplacent.`,
          organiser: acm.organiser,
          address: '2 place de la Mairie',
          postcode: commune.postcode,
          codeInsee: acm.code,
          lat: Number(commune.lat),
          lng: Number(commune.lng),
          email: `alsh@${slugify(acm.organiser, 30)}.fr`,
          capacity: 40 + index * 8,
          ageMin: 3,
          ageMax: 12,
          pedt: true,
          planMercrediLabel: index !== 1,
          status: 'verified',
          externalId: `demo-acm-rural-${index + 1}`,
        })
        .returning({ id: organisations.id });
      await tx.insert(memberships).values({ organisationId: row!.id, userId: owner!.id, role: 'owner' });
    }
    const period = availabilityDefaults(deps);
    const published: number[] = [];
    const partnerIds: number[] = [];
    for (const partner of ruralPartners) {
      const [commune] = await rows<{ lat: number; lng: number; postcode: string }>(
        tx,
        sql`select lat, lng, postcodes[1] as postcode from communes where code_insee = ${partner.code}`,
      );
      if (!commune) continue;
      const [owner] = await tx
        .insert(users)
        .values({
          email: `${partner.owner[1]}@demo.passerelle.fr`,
          name: partner.owner[0],
          passwordHash,
          emailVerifiedAt: now,
          jobTitle: 'Responsable des partenariats',
        })
        .returning({ id: users.id });
      const domain = slugify(partner.name, 30);
      const [organisation] = await tx
        .insert(organisations)
        .values({
          kind: 'partner',
          name: partner.name,
          slug: slugify(partner.name),
          type: partner.type,
          description: `${partner.name} accueille et rencontre les enfants des accueils de loisirs de l’ouest du Rhône.`,
          address: '1 rue de la République',
          postcode: commune.postcode,
          codeInsee: partner.code,
          lat: Number(commune.lat),
          lng: Number(commune.lng),
          email: `contact@${domain}.fr`,
          themes: partner.offers.map((o) => o.theme),
          status: 'verified',
          externalId: `demo-org-rural-${ruralPartners.indexOf(partner) + 1}`,
        })
        .returning({ id: organisations.id });
      await tx.insert(memberships).values({ organisationId: organisation!.id, userId: owner!.id, role: 'owner' });
      partnerIds.push(organisation!.id);
      for (const offer of partner.offers) {
        const [row] = await tx
          .insert(offers)
          .values({
            organisationId: organisation!.id,
            slug: slugify(offer.title),
            title: offer.title,
            summary: `${offer.title} : une activité pour les groupes des accueils de loisirs, le mercredi.`,
            description: 'Séances d’une heure et demie pour un groupe de 8 à 15 enfants, avec un animateur de l’accueil.',
            themes: [offer.theme],
            subthemes: [offer.subtheme],
            formats: ['atelier'],
            venue: offer.venue,
            travelKm: offer.travelKm,
            address: '1 rue de la République',
            postcode: commune.postcode,
            codeInsee: partner.code,
            lat: Number(commune.lat),
            lng: Number(commune.lng),
            ageMin: 4,
            ageMax: 11,
            groupMin: 8,
            groupMax: 15,
            slots: ['mercredi-apres-midi'],
            periodicity: 'hebdomadaire',
            startDate: period.start,
            endDate: period.end,
            price: 'gratuit',
            natures: [offer.venue === 'dans-l-accueil' ? 'intervention' : 'accueil-groupe'],
            contactEmail: `contact@${domain}.fr`,
            status: 'published',
            publishedAt: new Date(now.getTime() - 12 * 86_400_000),
            createdBy: owner!.id,
          })
          .returning({ id: offers.id });
        published.push(row!.id);
      }
    }
    await enqueueSearchSync(tx, 'organisation', partnerIds);
    await enqueueSearchSync(tx, 'offer', published);
    const departmentOf = (code: string) => code.slice(0, 2);
    const searches: (typeof unmetSearches.$inferInsert)[] = [];
    for (const [communeCode, theme, age, radiusKm, times] of unmet) {
      for (let i = 0; i < times; i++) {
        const searchedOn = parisToday(new Date(now.getTime() - Math.floor(1 + random() * 60) * 86_400_000));
        const weekday = ((new Date(`${searchedOn}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
        searches.push({
          communeCode,
          departmentCode: departmentOf(communeCode),
          theme,
          age,
          radiusKm,
          weekday,
          searchedOn,
          source: i % 3 === 2 ? 'api' : 'page',
        });
      }
    }
    await tx.insert(unmetSearches).values(searches);
  });
}

export const observatorySeed: SeedStep = { name: 'observatory', run: (deps) => seedObservatory(deps) };
