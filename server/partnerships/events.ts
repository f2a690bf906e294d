import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { notify } from '../notifications/notifications.usecases.js';
import { insertHistory, type Partnership, type Side } from './partnerships.repository.js';

export interface EventInput {
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
      title: input.notify.title,
      body: input.notify.body ?? `${p.title}`,
      url: input.notify.path ?? `/partenariats/${p.id}`,
      excludeUserId: input.actorId,
    });
  }
}
