import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { memberships, messages, notifications, offers, requestEvents, requests, threadReads } from '../../db/schema/index.js';
import type { Deps } from '../deps.js';
import { prng } from '../kernel/prng.js';
import { schoolYearBounds, schoolYearOf } from '../kernel/school-year.js';
import { formatters } from '../lib/format.js';
import { createPartnershipFromRequest } from '../partnerships/partnerships.usecases.js';
import { declineReasonLabel } from '../requests/labels.js';
import type { SeedStep } from './index.js';
import { demoAccounts, demoMembers, demoOrganisations, demoUser } from './organisations.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

type Status = (typeof requests.$inferSelect)['status'];
type Organisation = Awaited<ReturnType<typeof demoOrganisations>>[number];
type Offer = typeof offers.$inferSelect;

/** A line of a demo conversation: who writes (the ACM or the partner), when (hours after the request), what. */
type Line = [side: 'acm' | 'partner', afterHours: number, text: string];

interface Scenario {
  acm: Organisation;
  partner: Organisation;
  status: Status;
  /** Days before now the request was sent. */
  daysAgo: number;
  children: number;
  objectives: string[];
  objectivesOther?: string;
  message: string;
  conversation: Line[];
  declineCode?: string;
  /** Which side has read the thread up to the end. */
  readBy: ('acm' | 'partner')[];
}

const openings = [
  'Bonjour, nous accueillons le mercredi une trentaine d’enfants et cherchons un partenaire pour un projet à l’année. Votre proposition correspond bien à notre projet pédagogique : seriez-vous disponibles pour en parler ?',
  'Bonjour, notre équipe d’animation aimerait faire découvrir votre activité à un groupe du mercredi. Nous pouvons adapter nos horaires et prévoir deux animateurs pour accompagner le groupe.',
  'Bonjour, dans le cadre de notre PEDT, nous montons un cycle de découverte pour les enfants du mercredi après-midi. Pourriez-vous nous dire vos disponibilités et vos conditions ?',
  'Bonjour, nous souhaitons proposer aux enfants une activité nouvelle cette année, avec une petite restitution devant les familles en fin de cycle. Votre offre nous a beaucoup plu.',
];

const partnerReplies = [
  'Bonjour et merci pour votre message ! Nous pouvons intervenir le mercredi après-midi à partir de la rentrée de novembre. Combien d’enfants seraient concernés exactement ?',
  'Bonjour, avec plaisir. Nous avons encore deux créneaux libres le mercredi. Je vous propose un appel cette semaine pour caler le calendrier.',
  'Bonjour, merci de nous avoir contactés. Nous pouvons accueillir le groupe dans nos locaux ; il faudrait prévoir le trajet et un animateur pour huit enfants.',
];

const acmFollowUps = [
  'Merci pour votre réponse rapide. Nous serions 14 enfants de 7 à 9 ans, avec deux animatrices. Le créneau de 14 h à 16 h nous irait très bien.',
  'Parfait, je suis disponible jeudi matin. Je vous joins notre projet pédagogique dès que possible.',
  'Très bien, nous pouvons organiser le trajet en tram. Pourriez-vous nous envoyer une proposition de calendrier ?',
];

function period(now: Date) {
  const bounds = schoolYearBounds(schoolYearOf(now));
  const today = now.toISOString().slice(0, 10);
  return { start: [bounds.start, today].sort()[1]!, end: bounds.end };
}

async function publishedOffers(db: Db, organisationIds: number[]): Promise<Map<number, Offer[]>> {
  const rows = await db
    .select()
    .from(offers)
    .where(and(inArray(offers.organisationId, organisationIds), eq(offers.status, 'published')))
    .orderBy(asc(offers.id));
  const byOrganisation = new Map<number, Offer[]>();
  for (const offer of rows) byOrganisation.set(offer.organisationId, [...(byOrganisation.get(offer.organisationId) ?? []), offer]);
  return byOrganisation;
}

/**
 * Demo requests between the demo ACMs and partners, in every status, with their conversations,
 * history and notifications, so that the inboxes of accueil@ and partenaire@demo.passerelle.fr
 * show something to answer, to read and to follow. Deterministic.
 */
export async function seedRequests(deps: Deps): Promise<void> {
  const { db } = deps;
  const random = prng(20_261_105);
  const now = deps.clock.now();
  const expiryMs = deps.config.REQUEST_EXPIRY_DAYS * DAY;
  const acms = await demoOrganisations(db, { kind: 'acm' });
  const partners = await demoOrganisations(db, { kind: 'partner' });
  if (acms.length < 4 || partners.length < 8) return;
  const offersBy = await publishedOffers(
    db,
    partners.map((p) => p.id),
  );
  const withOffers = partners.filter((p) => (offersBy.get(p.id)?.length ?? 0) > 0);
  const partnerUser = await demoUser(db, demoAccounts.partner);
  const acmUser = await demoUser(db, demoAccounts.acm);
  const ownedByDemo = await db.select({ id: memberships.organisationId }).from(memberships).where(eq(memberships.userId, partnerUser.id));
  const demoPartner = withOffers.find((p) => ownedByDemo.some((m) => m.id === p.id)) ?? withOffers[0]!;
  const [acm1, acm2, acm3, acm4] = acms as [Organisation, Organisation, Organisation, Organisation];
  const others = withOffers.filter((p) => p.id !== demoPartner.id);

  const scenarios: Scenario[] = [
    // For partenaire@: one to answer, one ongoing conversation, decisions of the past months.
    {
      acm: acm1,
      partner: demoPartner,
      status: 'sent',
      daysAgo: 2,
      children: 16,
      objectives: ['diversifier-activites', 'vivre-ensemble'],
      message: openings[0]!,
      conversation: [],
      readBy: ['acm'],
    },
    {
      acm: acm2,
      partner: demoPartner,
      status: 'in_discussion',
      daysAgo: 6,
      children: 12,
      objectives: ['nouveaux-projets'],
      objectivesOther: 'Préparer une démonstration pour la fête de l’accueil en juin.',
      message: openings[1]!,
      conversation: [
        ['partner', 20, partnerReplies[0]!],
        ['acm', 30, acmFollowUps[0]!],
        ['partner', 50, 'Entendu, je vous propose de commencer le premier mercredi après les vacances. Je prépare un planning.'],
        ['acm', 120, 'Super ! Pouvez-vous aussi nous dire si une tenue particulière est nécessaire pour les enfants ?'],
      ],
      readBy: ['acm'],
    },
    {
      acm: acm3,
      partner: demoPartner,
      status: 'accepted',
      daysAgo: 40,
      children: 14,
      objectives: ['dynamique-locale', 'public-plus-large'],
      message: openings[2]!,
      conversation: [
        ['partner', 6, partnerReplies[1]!],
        ['acm', 26, acmFollowUps[1]!],
      ],
      readBy: ['acm', 'partner'],
    },
    {
      acm: acm4,
      partner: demoPartner,
      status: 'declined',
      daysAgo: 75,
      children: 24,
      objectives: ['diversifier-activites'],
      message: openings[3]!,
      conversation: [],
      declineCode: 'complet',
      readBy: ['acm', 'partner'],
    },
    {
      acm: acm3,
      partner: demoPartner,
      status: 'withdrawn',
      daysAgo: 120,
      children: 10,
      objectives: ['faire-reseau'],
      message: openings[1]!,
      conversation: [['acm', 48, 'Finalement, nous avons trouvé une solution avec la médiathèque du quartier. Merci encore et à une prochaine fois !']],
      readBy: ['acm', 'partner'],
    },
    // For accueil@: a reply to read, an acceptance, a refusal, an expired request.
    {
      acm: acm1,
      partner: others[0]!,
      status: 'in_discussion',
      daysAgo: 4,
      children: 18,
      objectives: ['qualite-educative', 'inclusion'],
      objectivesOther: 'Deux enfants en fauteuil : l’accessibilité du lieu est importante pour nous.',
      message: openings[2]!,
      conversation: [['partner', 40, partnerReplies[2]!]],
      readBy: ['partner'],
    },
    {
      acm: acm1,
      partner: others[1]!,
      status: 'accepted',
      daysAgo: 25,
      children: 15,
      objectives: ['nouveaux-projets', 'renforcer-actions'],
      message: openings[3]!,
      conversation: [
        ['partner', 3, partnerReplies[1]!],
        ['acm', 5, acmFollowUps[2]!],
      ],
      readBy: ['partner'],
    },
    {
      acm: acm2,
      partner: others[2]!,
      status: 'declined',
      daysAgo: 12,
      children: 30,
      objectives: ['diversifier-activites'],
      message: openings[0]!,
      conversation: [],
      declineCode: 'public',
      readBy: ['partner'],
    },
    {
      acm: acm1,
      partner: others[3]!,
      status: 'expired',
      daysAgo: deps.config.REQUEST_EXPIRY_DAYS + 6,
      children: 12,
      objectives: ['accompagner-projet'],
      message: openings[1]!,
      conversation: [],
      readBy: [],
    },
    {
      acm: acm2,
      partner: others[4]!,
      status: 'sent',
      daysAgo: 12,
      children: 20,
      objectives: ['bousculer-pratiques'],
      message: openings[2]!,
      conversation: [],
      readBy: ['acm'],
    },
  ];

  const members = new Map<number, Awaited<ReturnType<typeof demoMembers>>>();
  async function firstMember(organisationId: number) {
    if (!members.has(organisationId)) members.set(organisationId, await demoMembers(db, organisationId));
    const list = members.get(organisationId)!;
    return list.find((m) => m.role === 'owner') ?? list[0];
  }
  const { start, end } = period(now);
  const used = new Map<number, number>();

  for (const scenario of scenarios) {
    const list = offersBy.get(scenario.partner.id) ?? [];
    const index = used.get(scenario.partner.id) ?? 0;
    used.set(scenario.partner.id, index + 1);
    const offer = list[index % list.length] ?? null;
    const createdAt = new Date(now.getTime() - scenario.daysAgo * DAY - Math.floor(random() * 8) * HOUR);
    const at = (hours: number) => new Date(createdAt.getTime() + hours * HOUR);
    const acmMember = await firstMember(scenario.acm.id);
    const partnerMember = await firstMember(scenario.partner.id);
    const replies = scenario.conversation.filter(([side]) => side === 'partner');
    const decisionAt = at(scenario.conversation.at(-1)?.[1] ?? 0).getTime() + (12 + Math.floor(random() * 30)) * HOUR;
    const closedAt = ['accepted', 'declined', 'withdrawn'].includes(scenario.status)
      ? new Date(Math.min(decisionAt, now.getTime() - HOUR))
      : scenario.status === 'expired'
        ? new Date(createdAt.getTime() + expiryMs)
        : null;
    const firstReplyAt = replies[0] ? at(replies[0][1]) : scenario.status === 'accepted' || scenario.status === 'declined' ? closedAt : null;
    // The ACM asks for the ages the offer is made for (the children it would send).
    const ageMin = offer?.ageMin ?? scenario.acm.ageMin ?? 6;
    const ageMax = offer?.ageMax ?? scenario.acm.ageMax ?? 11;
    const lastActivityAt = closedAt ?? (scenario.conversation.length ? at(scenario.conversation.at(-1)![1]) : createdAt);

    await db.transaction(async (tx) => {
      const [request] = await tx
        .insert(requests)
        .values({
          acmId: scenario.acm.id,
          partnerId: scenario.partner.id,
          offerId: offer?.id ?? null,
          direction: 'acm_to_partner',
          status: scenario.status,
          periodStart: start,
          periodEnd: offer?.endDate && offer.endDate < end ? offer.endDate : end,
          slots: offer?.slots.length ? [offer.slots[0]!] : ['mercredi-apres-midi'],
          childrenCount: scenario.children,
          ageMin,
          ageMax,
          adultsCount: Math.max(2, Math.ceil(scenario.children / 8)),
          objectives: scenario.objectives,
          objectivesOther: scenario.objectivesOther ?? null,
          message: scenario.message,
          declineCode: scenario.declineCode ?? null,
          declineReason: scenario.declineCode ? 'Merci pour votre intérêt : recontactez-nous l’an prochain, nous serons ravis d’en reparler.' : null,
          createdBy: acmMember?.userId ?? null,
          createdAt,
          firstReplyAt,
          lastActivityAt,
          expiresAt: new Date(createdAt.getTime() + expiryMs),
          reminderSentAt:
            scenario.status === 'sent' && now.getTime() - createdAt.getTime() > expiryMs / 2 ? new Date(createdAt.getTime() + expiryMs / 2) : null,
          closedAt,
        })
        .returning();
      const id = request!.id;
      const system = (text: string, when: Date, organisationId: number | null) =>
        tx.insert(messages).values({ requestId: id, authorId: null, authorOrganisationId: organisationId, kind: 'system', body: text, createdAt: when });
      const event = (from: Status | null, to: Status, when: Date, actorId: number | null, data: Record<string, unknown> = {}) =>
        tx.insert(requestEvents).values({ requestId: id, actorId, fromStatus: from, toStatus: to, data, createdAt: when });

      await tx
        .insert(messages)
        .values({ requestId: id, authorId: acmMember?.userId ?? null, authorOrganisationId: scenario.acm.id, kind: 'user', body: scenario.message, createdAt });
      await system(
        `Demande envoyée à ${scenario.partner.name}. Sans réponse d’ici le ${formatters.date(request!.expiresAt)}, elle expirera automatiquement.`,
        createdAt,
        scenario.acm.id,
      );
      await event(null, 'sent', createdAt, acmMember?.userId ?? null);
      let status: Status = 'sent';
      for (const [side, hours, text] of scenario.conversation) {
        const author = side === 'acm' ? acmMember : partnerMember;
        const organisationId = side === 'acm' ? scenario.acm.id : scenario.partner.id;
        await tx
          .insert(messages)
          .values({ requestId: id, authorId: author?.userId ?? null, authorOrganisationId: organisationId, kind: 'user', body: text, createdAt: at(hours) });
        if (side === 'partner' && status === 'sent') {
          status = 'in_discussion';
          await system(`${scenario.partner.name} a répondu : la demande est en discussion.`, at(hours), scenario.partner.id);
          await event('sent', 'in_discussion', at(hours), author?.userId ?? null);
        }
      }
      if (scenario.status === 'accepted') {
        const title = offer?.title ?? `Partenariat ${scenario.acm.name} – ${scenario.partner.name}`;
        const partnership = await createPartnershipFromRequest(tx, request!, title, closedAt!);
        await system(`${scenario.partner.name} a accepté la demande. Le partenariat « ${title} » est créé.`, closedAt!, scenario.partner.id);
        await event(status, 'accepted', closedAt!, partnerMember?.userId ?? null, { partnershipId: partnership.id });
      } else if (scenario.status === 'declined') {
        await tx.insert(messages).values({
          requestId: id,
          authorId: partnerMember?.userId ?? null,
          authorOrganisationId: scenario.partner.id,
          kind: 'user',
          body: request!.declineReason!,
          createdAt: closedAt!,
        });
        await system(`${scenario.partner.name} a décliné la demande. Motif : ${declineReasonLabel(scenario.declineCode)}.`, closedAt!, scenario.partner.id);
        await event(status, 'declined', closedAt!, partnerMember?.userId ?? null, { code: scenario.declineCode });
      } else if (scenario.status === 'withdrawn') {
        await system(`${scenario.acm.name} a retiré la demande.`, closedAt!, scenario.acm.id);
        await event(status, 'withdrawn', closedAt!, acmMember?.userId ?? null);
      } else if (scenario.status === 'expired') {
        await system(`Sans réponse de ${scenario.partner.name} en ${deps.config.REQUEST_EXPIRY_DAYS} jours, la demande a expiré.`, closedAt!, null);
        await event('sent', 'expired', closedAt!, null);
      }
      for (const side of ['acm', 'partner'] as const) {
        // A side that wrote has read the thread at least up to its own last message.
        const ownLast = scenario.conversation.filter(([s]) => s === side).at(-1);
        const readAt = scenario.readBy.includes(side) ? lastActivityAt : ownLast ? at(ownLast[1]) : side === 'acm' ? createdAt : null;
        if (readAt)
          await tx.insert(threadReads).values({ requestId: id, organisationId: side === 'acm' ? scenario.acm.id : scenario.partner.id, lastReadAt: readAt });
      }
      await seedNotifications(tx, {
        scenario,
        requestId: id,
        offerTitle: offer?.title ?? `Partenariat avec ${scenario.partner.name}`,
        partnerUserId: partnerUser.id,
        acmUserId: acmUser.id,
        lastActivityAt,
        createdAt,
      });
    });
  }
}

/** The demo accounts' bell: what an unread thread or a recent decision would have notified. */
async function seedNotifications(
  db: Db,
  input: { scenario: Scenario; requestId: number; offerTitle: string; partnerUserId: number; acmUserId: number; lastActivityAt: Date; createdAt: Date },
) {
  const { scenario, requestId } = input;
  const url = `/demandes/${requestId}`;
  const rows: (typeof notifications.$inferInsert)[] = [];
  const partnerMembers = await demoMembers(db, scenario.partner.id);
  const acmMembers = await demoMembers(db, scenario.acm.id);
  const partnerIsDemo = partnerMembers.some((m) => m.userId === input.partnerUserId);
  const acmIsDemo = acmMembers.some((m) => m.userId === input.acmUserId);
  const unreadFor = (side: 'acm' | 'partner') => !scenario.readBy.includes(side);
  const base = { emailMode: 'immediate' as const, emailedAt: input.lastActivityAt };
  if (partnerIsDemo) {
    rows.push({
      ...base,
      userId: input.partnerUserId,
      type: 'request_received',
      title: `Nouvelle demande de partenariat ${formatters.de(scenario.acm.name)}`,
      body: `${scenario.acm.name} vous propose un partenariat autour de « ${input.offerTitle} ».`,
      url,
      createdAt: input.createdAt,
      emailedAt: input.createdAt,
      readAt: unreadFor('partner') && scenario.status === 'sent' ? null : input.lastActivityAt,
    });
    if (scenario.status === 'in_discussion' && unreadFor('partner')) {
      rows.push({
        ...base,
        userId: input.partnerUserId,
        type: 'message_received',
        title: `Nouveau message de ${scenario.acm.name} : ${input.offerTitle}`,
        url,
        createdAt: input.lastActivityAt,
      });
    }
  }
  if (acmIsDemo && unreadFor('acm')) {
    const titles: Partial<Record<Status, [string, string]>> = {
      in_discussion: ['message_received', `Nouveau message de ${scenario.partner.name} : ${input.offerTitle}`],
      accepted: ['request_status', `${scenario.partner.name} a accepté votre demande : ${input.offerTitle}`],
      declined: ['request_status', `${scenario.partner.name} a décliné votre demande : ${input.offerTitle}`],
      expired: ['request_expired', `Votre demande a expiré sans réponse : ${input.offerTitle}`],
    };
    const entry = titles[scenario.status];
    if (entry) rows.push({ ...base, userId: input.acmUserId, type: entry[0], title: entry[1], url, createdAt: input.lastActivityAt });
  }
  if (rows.length) await db.insert(notifications).values(rows);
}

export const requestsSeed: SeedStep = { name: 'requests', run: (deps) => seedRequests(deps) };
