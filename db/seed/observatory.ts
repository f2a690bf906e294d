import { sql } from 'drizzle-orm';
import { hashPassword } from '../../server/accounts/passwords.js';
import type { Deps } from '../../server/deps.js';
import { parisToday } from '../../server/kernel/paris-time.js';
import { slugify } from '../../server/kernel/text.js';
import { rows } from '../client.js';
import { memberships, organisations, unmetSearches, users } from '../schema/index.js';
import type { SeedStep } from './index.js';
import { DEMO_PASSWORD, prng } from './organisations.js';

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

export async function seedObservatory(deps: Pick<Deps, 'db' | 'clock'>): Promise<void> {
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
