import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { notify } from '../notifications/notifications.usecases.js';
import type { Access } from './access.js';
import { findOrganisationDetails, insertHistory, type Partnership, type Side } from './partnerships.repository.js';

interface EventInput {
  partnership: Partnership;
  actorId: number | null;
  /** The party the actor acted for, to name its organisation in the history. */
  side?: Side | null;
  /** Stable code, e.g. 'convention.signed'. */
  action: string;
  /** French sentence shown in the history ("a signé la convention"). */
  summary: string;
  data?: Record<string, unknown>;
  /** Notifies the other members of both organisations (not the actor) with this title. */
  notify?: { title: string; body?: string; path?: string; type?: string; sides?: Side[] };
}

/** Records a change in the partnership's history and, when asked, notifies the parties. */
export async function recordEvent(deps: Deps, db: Db, input: EventInput, organisationNames?: Record<Side, string>): Promise<void> {
  const p = input.partnership;
  await insertHistory(db, {
    partnershipId: p.id,
    actorId: input.actorId,
    action: input.action,
    summary: input.summary,
    organisation: input.side && organisationNames ? organisationNames[input.side] : null,
    at: deps.clock.now(),
    data: input.data,
  });
  if (input.notify) {
    const sides = input.notify.sides ?? ['acm', 'partner'];
    await notify(deps, db, {
      organisationIds: sides.map((s) => (s === 'acm' ? p.acmId : p.partnerId)),
      type: input.notify.type ?? 'partnership_update',
      // The title is also the email subject: it names the partnership, as members may follow several.
      title: `${input.notify.title} · ${p.title}`,
      body: input.notify.body ?? `${p.title}`,
      url: input.notify.path ?? `/partenariats/${p.id}`,
      excludeUserId: input.actorId,
    });
  }
}

/** A member's change: what recordEvent takes, with the partnership, actor and side taken from the access by default. */
type ChangeInput = Omit<EventInput, 'partnership' | 'actorId'> & {
  /** Another partnership than the access's one (e.g. the next year's copy made by a renewal). */
  partnership?: Partnership;
};

/** Records a change made by a signed-in member: the partnership, actor, side and organisation names come from the access. */
export async function recordChange(deps: Deps, db: Db, access: Access, input: ChangeInput): Promise<void> {
  const partnership = input.partnership ?? access.partnership;
  const side = input.side === undefined ? (access.sides[0] ?? null) : input.side;
  const names = side ? await organisationNames(db, partnership) : undefined;
  await recordEvent(deps, db, { ...input, partnership, actorId: access.user.id, side }, names);
}

export async function organisationNames(db: Db, p: Partnership): Promise<Record<Side, string>> {
  const [acm, partner] = await Promise.all([findOrganisationDetails(db, p.acmId), findOrganisationDetails(db, p.partnerId)]);
  return { acm: acm?.name ?? '', partner: partner?.name ?? '' };
}
