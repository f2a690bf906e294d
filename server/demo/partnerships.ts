import { asc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { memberships, offers, partnershipConventions, partnerships } from '../../db/schema/index.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { prng } from '../kernel/prng.js';
import { schoolYearOf } from '../kernel/school-year.js';
import { formatters } from '../lib/format.js';
import { addDays, nextWednesday, slotTimes } from '../partnerships/calendar.js';
import { insertDeadlines, insertMeeting, listSessions, updateSession } from '../partnerships/calendar.repository.js';
import { renderConvention } from '../partnerships/convention.js';
import { insertComment, insertSignature, insertVersion, markSignaturesVersion, updateConvention } from '../partnerships/convention.repository.js';
import {
  findPartnership,
  insertHistory,
  insertParties,
  insertPartnership,
  type Partnership,
  type Side,
  updatePartnership,
  updateParty,
} from '../partnerships/partnerships.repository.js';
import { upsertReview } from '../partnerships/review.repository.js';
import { reviewDraft } from '../partnerships/review.usecases.js';
import { regenerateSessions } from '../partnerships/schedule.js';
import { keptInputs } from '../partnerships/signed-text.js';
import { conventionContext } from '../partnerships/workspace.js';
import type { SeedStep } from './index.js';
import { demoAccounts, demoMembers, demoOrganisations, demoUser } from './organisations.js';

interface Actor {
  userId: number;
  name: string;
  role: string;
}

interface Story {
  p: Partnership;
  actors: Record<Side, Actor>;
  names: Record<Side, string>;
}

/** The history of a demo partnership, written at the dates the events would have happened. */
async function history(db: Db, story: Story, side: Side | null, at: Date, action: string, summary: string) {
  await insertHistory(db, {
    partnershipId: story.p.id,
    actorId: side ? story.actors[side].userId : null,
    action,
    summary,
    organisation: side ? story.names[side] : null,
    at,
  });
}

async function actorOf(db: Db, organisationId: number, preferredUserId: number | null, role: string): Promise<Actor> {
  const members = await demoMembers(db, organisationId);
  const member = members.find((m) => m.userId === preferredUserId) ?? members[0];
  return { userId: member?.userId ?? preferredUserId ?? 0, name: member?.name ?? 'Responsable', role };
}

/** Step 1 for a demo partnership: objectives, results, both parties' commitments and the partner's intervenants. */
async function define(
  db: Db,
  story: Story,
  at: Date,
  definition: { objectives: Partnership['objectives']; results: string; realisation: string; axes: string[] },
) {
  const p = story.p;
  await updatePartnership(
    db,
    p.id,
    {
      objectives: definition.objectives,
      expectedResults: definition.results,
      finalRealisation: definition.realisation,
      charterAxes: definition.axes,
      budgetEur: '540.00',
    },
    at,
  );
  await updateParty(db, p.id, 'acm', {
    commitments:
      'Deux animatrices présentes à chaque séance, qui restent responsables du groupe.\nInformation des familles et recueil des autorisations de droit à l’image.',
    humanResources: 'Deux animatrices BAFA et la directrice pour les réunions',
    materialResources: 'Salle d’activités de l’accueil, goûter',
    financialResources: 'Budget activités du PEDT (540 € pour l’année)',
    referentName: story.actors.acm.name,
    referentContact: 'alsh@demo.passerelle.fr',
    updatedAt: at,
  });
  await updateParty(db, p.id, 'partner', {
    commitments: 'Un intervenant diplômé à chaque séance, le matériel de l’activité, un bilan écrit en fin de cycle.',
    humanResources: 'Un intervenant qualifié',
    materialResources: 'Tout le matériel nécessaire à l’activité',
    financialResources: 'Tarif associatif réduit pour le Plan mercredi',
    referentName: story.actors.partner.name,
    referentContact: 'partenariats@demo.passerelle.fr',
    intervenants: [
      {
        name: 'Julien Roche',
        birthDate: '1988-05-14',
        birthPlace: 'Villeurbanne',
        qualification: 'BPJEPS activités physiques pour tous',
        cardNumber: '06916ED0042',
        cardExpiry: '2029-08-31',
      },
    ],
    updatedAt: at,
  });
  await history(db, story, 'acm', at, 'definition.updated', 'Définition modifiée : objectifs, résultats attendus, réalisation finale, axes de la charte.');
  await history(db, story, 'partner', new Date(at.getTime() + 3 * 3600_000), 'commitments.updated', 'Engagements et ressources modifiés.');
  await history(db, story, 'partner', new Date(at.getTime() + 4 * 3600_000), 'intervenants.updated', 'Intervenants nommés : Julien Roche.');
}

async function schedule(db: Db, story: Story, at: Date, rules: Partial<Partnership>) {
  await updatePartnership(db, story.p.id, rules, at);
  const fresh = (await findPartnership(db, story.p.id))!;
  story.p = fresh;
  const calendar = await regenerateSessions(db, fresh);
  await history(
    db,
    story,
    'acm',
    at,
    'calendar.generated',
    `Calendrier établi : ${formatters.plural(calendar.dates.length, 'séance', 'séances')}${calendar.dates.length ? ` du ${formatters.date(calendar.dates[0])} au ${formatters.date(calendar.dates.at(-1))}` : ''}.`,
  );
}

async function fillConvention(db: Db, story: Story, at: Date) {
  const [startYear, endYear] = story.p.schoolYear.split('-');
  await updateConvention(db, story.p.id, {
    fields: {
      acm_representant: `${story.actors.acm.name}, ${story.actors.acm.role}`,
      acm_habilitation: 'Délégation du maire du 2 septembre 2024',
      partner_representant: `${story.actors.partner.name}, ${story.actors.partner.role}`,
      ass_acm: `SMACL Assurances, contrat n° 204 118, valable jusqu’au 31 décembre ${startYear}`,
      ass_partner: `MAIF associations, contrat n° 3 887 412 B, valable jusqu’au 31 août ${endYear}`,
      contenu_progression:
        'Découverte et règles de sécurité, puis apprentissages progressifs, et préparation de la réalisation finale lors des dernières séances.',
    },
    updatedAt: at,
    updatedBy: story.actors.partner.userId,
  });
  await history(
    db,
    story,
    'partner',
    at,
    'convention.edited',
    'Convention, « Le partenaire » et « Assurances » modifiés : représentant·e, responsabilité civile.',
  );
}

/** Signs the convention's current text for the given sides (both: a signed version is kept). */
async function sign(db: Db, story: Story, signers: { side: Side; at: Date }[]) {
  const fresh = (await findPartnership(db, story.p.id))!;
  const { context } = await conventionContext(db, fresh);
  const rendered = renderConvention(context);
  for (const { side, at } of signers) {
    const actor = story.actors[side];
    await insertSignature(db, {
      partnershipId: fresh.id,
      side,
      organisationId: side === 'acm' ? fresh.acmId : fresh.partnerId,
      userId: actor.userId,
      signerName: actor.name,
      signerRole: actor.role,
      textHash: rendered.hash,
      signedAt: at,
    });
    await history(
      db,
      story,
      side,
      at,
      'convention.signed_by_party',
      `${actor.name} (${actor.role}) a signé la convention (empreinte ${rendered.hash.slice(0, 12)}…).`,
    );
  }
  if (signers.length < 2) return;
  const signedAt = signers.at(-1)!.at;
  await insertVersion(db, {
    partnershipId: fresh.id,
    version: 1,
    text: rendered.text,
    textHash: rendered.hash,
    dates: rendered.dates,
    inputs: keptInputs(context, rendered),
    signedAt,
    signatures: signers.map(({ side, at }) => ({
      side,
      organisation: story.names[side],
      name: story.actors[side].name,
      role: story.actors[side].role,
      signedAt: at.toISOString(),
    })),
  });
  await markSignaturesVersion(db, fresh.id, 1);
  await updateConvention(db, fresh.id, { status: 'signed', signedVersions: 1, updatedAt: signedAt });
  await history(db, story, signers.at(-1)!.side, signedAt, 'convention.signed', 'Convention signée par les deux parties (version 1).');
}

/** Past sessions are recorded: held with the children present, one cancelled. */
async function recordPastSessions(db: Db, story: Story, today: string, random: () => number, cancelIndex: number) {
  const sessions = (await listSessions(db, story.p.id)).filter((s) => s.date < today);
  for (const [index, session] of sessions.entries()) {
    const at = new Date(`${session.date}T17:00:00Z`);
    if (index === cancelIndex) {
      await updateSession(db, session.id, { status: 'cancelled', cancelReason: 'Intervenant malade, séance non remplacée', updatedAt: at });
      await history(
        db,
        story,
        'partner',
        at,
        'session.updated',
        `Séance du ${formatters.date(session.date)} : annulée (motif : Intervenant malade, séance non remplacée).`,
      );
    } else {
      const children = 11 + Math.floor(random() * 5);
      await updateSession(db, session.id, {
        status: 'held',
        childrenPresent: children,
        notes: index === 0 ? 'Séance de découverte, très bon accueil des enfants.' : '',
        updatedAt: at,
      });
    }
  }
  return sessions.length;
}

async function storyFor(db: Db, p: Partnership, acmUserId: number | null, partnerUserId: number | null): Promise<Story> {
  const context = (await conventionContext(db, p)).context;
  return {
    p,
    names: { acm: context.acm.name, partner: context.partner.name },
    actors: {
      acm: await actorOf(db, p.acmId, acmUserId, 'Directrice de l’accueil de loisirs'),
      partner: await actorOf(db, p.partnerId, partnerUserId, 'Responsable jeunesse'),
    },
  };
}

async function newPartnership(db: Db, values: Parameters<typeof insertPartnership>[1], confirmed: Record<Side, Date | null>) {
  const p = await insertPartnership(db, values);
  await insertParties(db, [
    { partnershipId: p.id, organisationId: p.acmId, side: 'acm', confirmedAt: confirmed.acm, updatedAt: values.createdAt ?? new Date() },
    { partnershipId: p.id, organisationId: p.partnerId, side: 'partner', confirmedAt: confirmed.partner, updatedAt: values.createdAt ?? new Date() },
  ]);
  await db.insert(partnershipConventions).values({ partnershipId: p.id }).onConflictDoNothing();
  return p;
}

const objectives = {
  sport: [
    {
      general: 'Développer la motricité et le goût de l’effort partagé',
      operational: ['Découvrir les règles de sécurité et les gestes de base', 'Jouer en équipe à chaque séance', 'Présenter une démonstration aux familles'],
    },
    {
      general: 'Favoriser l’inclusion et la mixité',
      operational: ['Groupes mixtes à chaque séance', 'Adapter les exercices aux enfants en situation de handicap'],
    },
  ],
};

/**
 * Demo partnerships for the demo accounts, at different steps of the method: one under way with
 * a signed convention and its calendar (accueil@), one waiting for the partner's signature
 * (partenaire@), one of last school year in its bilan (both), and one prescribed by the
 * coordinator that the partner still has to confirm. Built on the partnerships the requests step
 * created from accepted requests; deterministic.
 */
async function seedPartnerships(deps: Deps): Promise<void> {
  const { db } = deps;
  const now = deps.clock.now();
  const today = parisToday(now);
  const random = prng(20_261_128);
  const at = (daysAgo: number, hour = 10) => new Date(`${addDays(today, -daysAgo)}T${String(hour).padStart(2, '0')}:00:00Z`);
  const acmUser = await demoUser(db, demoAccounts.acm);
  const partnerUser = await demoUser(db, demoAccounts.partner);
  const coordinator = await demoUser(db, demoAccounts.coordinator);
  const owned = async (userId: number) =>
    (await db.select({ id: memberships.organisationId }).from(memberships).where(eq(memberships.userId, userId))).map((m) => m.id);
  const acmOrgs = await owned(acmUser.id);
  const partnerOrgs = await owned(partnerUser.id);
  const acms = await demoOrganisations(db, { kind: 'acm', department: '69' });
  const partners = await demoOrganisations(db, { kind: 'partner', department: '69' });
  const demoAcm = acms.find((o) => acmOrgs.includes(o.id));
  const secondAcm = acms.find((o) => acmOrgs.includes(o.id) && o.id !== demoAcm?.id) ?? demoAcm;
  const demoPartner = partners.find((o) => partnerOrgs.includes(o.id)) ?? partners[0];
  if (!demoAcm || !secondAcm || !demoPartner) return;
  const [partnerOffer] = await db.select().from(offers).where(eq(offers.organisationId, demoPartner.id)).orderBy(asc(offers.id)).limit(1);
  const fromRequests = await db.select().from(partnerships).where(isNotNull(partnerships.requestId)).orderBy(asc(partnerships.id));
  const schoolYear = schoolYearOf(now);
  const lastYear = `${Number(schoolYear.slice(0, 4)) - 1}-${schoolYear.slice(0, 4)}`;

  await db.transaction(async (tx) => {
    // 1. accueil@: under way, convention signed by both, calendar with past sessions recorded.
    const first =
      fromRequests.find((p) => acmOrgs.includes(p.acmId) && !partnerOrgs.includes(p.partnerId)) ?? fromRequests.find((p) => acmOrgs.includes(p.acmId));
    if (first) {
      const story = await storyFor(tx, first, acmUser.id, null);
      const start = nextWednesday(addDays(today, -34));
      await define(tx, story, at(22), {
        objectives: objectives.sport,
        results: 'Chaque enfant participe à au moins huit séances et présente un atelier aux familles.',
        realisation: 'Après-midi portes ouvertes avec les familles en fin de cycle',
        axes: ['activites-variees', 'inclusion', 'ancrage-territorial'],
      });
      await schedule(tx, story, at(21), {
        periodicity: 'cycle',
        cycleCount: 12,
        periodStart: start,
        periodEnd: null,
        slot: 'mercredi-apres-midi',
        startTime: slotTimes['mercredi-apres-midi']!.start,
        endTime: slotTimes['mercredi-apres-midi']!.end,
        place: 'Salle d’activités de l’accueil',
      });
      await fillConvention(tx, story, at(20));
      await sign(tx, story, [
        { side: 'acm', at: at(19, 9) },
        { side: 'partner', at: at(18, 15) },
      ]);
      const recorded = await recordPastSessions(tx, story, today, random, 2);
      if (recorded)
        await history(
          tx,
          story,
          'acm',
          at(1, 17),
          'session.updated',
          `${formatters.plural(recorded, 'séance renseignée', 'séances renseignées')} : présence et déroulé.`,
        );
      await insertMeeting(tx, {
        partnershipId: first.id,
        purpose: 'meeting',
        date: addDays(today, -20),
        startTime: '18:00',
        endTime: '19:00',
        place: 'Accueil de loisirs',
        agenda: 'Lancement : calendrier, groupes, règles de sécurité',
        participants: `${story.actors.acm.name}, ${story.actors.partner.name}`,
        minutes: 'Groupes de 14 enfants maximum. Le partenaire apporte le matériel ; l’accueil prévient les familles. Point d’étape prévu à mi-parcours.',
        createdBy: acmUser.id,
        createdAt: at(24),
        updatedAt: at(20),
      });
      await insertMeeting(tx, {
        partnershipId: first.id,
        purpose: 'meeting',
        date: nextWednesday(addDays(today, 10)),
        startTime: '17:30',
        endTime: '18:30',
        place: 'Visioconférence',
        agenda: 'Point à mi-parcours et préparation de la réalisation finale',
        createdBy: acmUser.id,
        createdAt: at(5),
        updatedAt: at(5),
      });
      await insertDeadlines(tx, [
        {
          partnershipId: first.id,
          dueDate: addDays(today, 6),
          label: 'Envoyer les autorisations de droit à l’image au partenaire',
          side: 'acm',
          createdBy: acmUser.id,
          createdAt: at(5),
        },
        {
          partnershipId: first.id,
          dueDate: addDays(today, 20),
          label: 'Proposer le programme de la réalisation finale',
          side: 'partner',
          createdBy: acmUser.id,
          createdAt: at(5),
        },
      ]);
    }

    // 2. partenaire@: convention signed by the ACM, waiting for the partner's signature.
    const second = fromRequests.find((p) => partnerOrgs.includes(p.partnerId) && p.id !== first?.id);
    if (second) {
      const story = await storyFor(tx, second, null, partnerUser.id);
      await define(tx, story, at(12), {
        objectives: objectives.sport.slice(0, 1),
        results: 'Un groupe de 14 enfants découvre l’activité et s’inscrit à la fête du quartier.',
        realisation: 'Participation à la fête de quartier de juin',
        axes: ['ancrage-territorial', 'activites-variees'],
      });
      await schedule(tx, story, at(11), {
        periodicity: 'hebdomadaire',
        periodStart: nextWednesday(addDays(today, 7)),
        periodEnd: addDays(nextWednesday(addDays(today, 7)), 70),
        slot: 'mercredi-matin',
        startTime: '09:30',
        endTime: '11:30',
        place: 'Gymnase municipal',
      });
      await fillConvention(tx, story, at(10));
      await sign(tx, story, [{ side: 'acm', at: at(2, 16) }]);
      await insertComment(tx, {
        partnershipId: second.id,
        section: 'finances',
        authorId: story.actors.acm.userId,
        organisationId: second.acmId,
        body: 'Pouvez-vous confirmer que le tarif inclut le prêt du matériel ? Nous avons signé de notre côté.',
        createdAt: at(2, 17),
      });
      await history(tx, story, 'acm', at(2, 17), 'convention.commented', 'Commentaire sur la convention (« Conditions financières »).');
    }

    // 3. Both demo accounts: last school year's partnership, in its bilan (the ACM has filled its part).
    if (partnerOffer) {
      const januaryStart = nextWednesday(`${lastYear.slice(5, 9)}-01-05`);
      const p = await newPartnership(
        tx,
        {
          acmId: secondAcm.id,
          partnerId: demoPartner.id,
          offerId: partnerOffer.id,
          title: partnerOffer.title,
          schoolYear: lastYear,
          status: 'active',
          reasons: ['diversifier-activites', 'faire-reseau'],
          childrenExpected: 14,
          ageMin: partnerOffer.ageMin,
          ageMax: partnerOffer.ageMax,
          createdAt: new Date(`${lastYear.slice(0, 4)}-11-20T10:00:00Z`),
          updatedAt: new Date(`${lastYear.slice(5, 9)}-06-20T10:00:00Z`),
        },
        { acm: new Date(`${lastYear.slice(0, 4)}-11-20T10:00:00Z`), partner: new Date(`${lastYear.slice(0, 4)}-11-20T10:00:00Z`) },
      );
      const story = await storyFor(tx, p, acmUser.id, partnerUser.id);
      const startedAt = new Date(`${lastYear.slice(0, 4)}-11-20T10:00:00Z`);
      await history(tx, story, null, startedAt, 'partnership.created', 'Partenariat créé : la demande de partenariat a été acceptée.');
      await define(tx, story, new Date(`${lastYear.slice(0, 4)}-11-25T10:00:00Z`), {
        objectives: objectives.sport,
        results: 'Huit séances avec au moins douze enfants présents.',
        realisation: 'Démonstration devant les familles',
        axes: ['activites-variees', 'inclusion'],
      });
      await schedule(tx, story, new Date(`${lastYear.slice(0, 4)}-11-26T10:00:00Z`), {
        periodicity: 'cycle',
        cycleCount: 8,
        periodStart: januaryStart,
        periodEnd: null,
        slot: 'mercredi-apres-midi',
        startTime: '14:00',
        endTime: '16:00',
        place: 'Salle polyvalente',
      });
      await fillConvention(tx, story, new Date(`${lastYear.slice(0, 4)}-12-01T10:00:00Z`));
      await sign(tx, story, [
        { side: 'acm', at: new Date(`${lastYear.slice(0, 4)}-12-03T09:00:00Z`) },
        { side: 'partner', at: new Date(`${lastYear.slice(0, 4)}-12-04T18:00:00Z`) },
      ]);
      await recordPastSessions(tx, story, today, random, 5);
      const reviewAt = new Date(`${lastYear.slice(5, 9)}-06-20T10:00:00Z`);
      const sessions = await listSessions(tx, p.id);
      const fresh = (await findPartnership(tx, p.id))!;
      const draft = reviewDraft(fresh, sessions, undefined, story.names.partner);
      const scored = (list: typeof draft.objectives, score: number, comment: string) =>
        list.map((s, i) => ({ ...s, score: i === 0 ? score : 3, comment: i === 0 ? comment : '' }));
      await upsertReview(tx, {
        partnershipId: p.id,
        side: 'acm',
        organisationId: p.acmId,
        answers: {
          ...draft,
          costActualEur: '480.00',
          childrenWithDisability: 2,
          enrolmentsAfter: 3,
          finalRealisation: 'Démonstration devant une trentaine de parents le dernier mercredi.',
          objectives: scored(draft.objectives, 4, 'Tous les enfants ont progressé ; la démonstration a été un beau moment.'),
          axes: scored(draft.axes, 4, 'Des activités nouvelles pour l’accueil.'),
          satisfaction: scored(draft.satisfaction, 4, 'Les enfants demandent quand l’activité reprend.'),
          coordination: scored(draft.coordination, 3, 'Une séance annulée tard, sinon très fiable.'),
          inclusion: 'Deux enfants en situation de handicap ont participé avec des exercices adaptés.',
        },
        recommendation: 'renew',
        recommendationReason: 'Les enfants et l’équipe souhaitent continuer l’an prochain.',
        submittedAt: reviewAt,
        submittedBy: acmUser.id,
        updatedAt: reviewAt,
      });
      await history(tx, story, 'acm', reviewAt, 'review.submitted', 'Bilan rempli (proposition : reconduire).');
    }

    // 4. Prescribed by the coordinator of the Rhône: the ACM confirmed, the partner has not yet.
    const prescribed = await newPartnership(
      tx,
      {
        acmId: demoAcm.id,
        partnerId: demoPartner.id,
        prescribedBy: coordinator.id,
        prescriptionMessage:
          'Le club et l’accueil sont à dix minutes l’un de l’autre : un cycle d’initiation le mercredi matin répondrait au projet éducatif de la commune. La SDJES peut vous aider pour le financement.',
        title: 'Initiation sportive prescrite par la SDJES',
        schoolYear,
        status: 'awaiting_confirmation',
        reasons: ['dynamique-locale', 'faire-reseau'],
        charterAxes: ['ancrage-territorial'],
        objectives: [{ general: 'Faire découvrir un sport aux enfants qui n’en pratiquent pas', operational: [] }],
        createdAt: at(3),
        updatedAt: at(1),
      },
      { acm: at(1), partner: null },
    );
    const story = await storyFor(tx, prescribed, acmUser.id, partnerUser.id);
    await insertHistory(tx, {
      partnershipId: prescribed.id,
      actorId: coordinator.id,
      action: 'partnership.prescribed',
      summary: `Partenariat prescrit par ${coordinator.name}, coordinateur·rice du territoire.`,
      at: at(3),
    });
    await history(tx, story, 'acm', at(1), 'partnership.confirmed', 'Partenariat confirmé.');
  });
}

export const partnershipsSeed: SeedStep = { name: 'partnerships', run: (deps) => seedPartnerships(deps) };
