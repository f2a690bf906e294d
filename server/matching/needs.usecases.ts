import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { communes, organisations } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import type { CurrentUser, MembershipSummary } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { placeInScopes } from '../kernel/scopes.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { notifyPartnersOfNeed } from './need-match-notices.js';
import { needMessages, readNeedForm } from './needs.form.js';
import { findNeed, fulfilOpenNeed, insertNeed, type Need, type NeedStatus, type NeedWithAcm, updateNeed } from './needs.repository.js';
import { today } from './suggestions.js';

export const needStatusLabels: Record<NeedStatus, { label: string; tag: string }> = {
  open: { label: 'Ouvert', tag: 'tag-success' },
  fulfilled: { label: 'Pourvu', tag: 'tag-status' },
  closed: { label: 'Fermé', tag: 'tag-warning' },
};

export function acmMemberships(user: CurrentUser | null): MembershipSummary[] {
  return (user?.memberships ?? []).filter((m) => m.kind === 'acm');
}

export function partnerMemberships(user: CurrentUser | null): MembershipSummary[] {
  return (user?.memberships ?? []).filter((m) => m.kind === 'partner');
}

/**
 * Who may read a need: its ACM's members, admins, partner members while it is open (or once they
 * answered), and the coordinators of the ACM's territory (read-only, to follow and prescribe).
 */
type NeedAccess = 'owner' | 'partner' | 'admin' | 'coordinator';

export function needAccess(user: CurrentUser | null, found: NeedWithAcm, answeredBy: number[] = []): NeedAccess {
  if (!user) throw new NotFoundError();
  if (user.memberships.some((m) => m.organisationId === found.acm.id)) return 'owner';
  if (user.isAdmin) return 'admin';
  const partners = partnerMemberships(user);
  const answered = partners.some((p) => answeredBy.includes(p.organisationId));
  if (partners.length > 0 && ((found.need.status === 'open' && found.acm.status !== 'suspended') || answered)) return 'partner';
  if (placeInScopes(found.acm, user.coordinatorScopes)) return 'coordinator';
  throw new NotFoundError();
}

export async function loadNeed(deps: Deps, id: number): Promise<NeedWithAcm> {
  const found = await findNeed(deps.db, id);
  if (!found) throw new NotFoundError();
  return found;
}

/** A need its ACM's members may change; anyone else gets a 404. */
export async function editableNeed(deps: Deps, user: CurrentUser, id: number): Promise<NeedWithAcm> {
  const found = await loadNeed(deps, id);
  if (!user.memberships.some((m) => m.organisationId === found.acm.id)) throw new NotFoundError();
  return found;
}

/** The ACM a new need is for: the one chosen in the form, among the user's ACMs. */
function chosenAcm(user: CurrentUser, body: Record<string, unknown>): MembershipSummary {
  const acms = acmMemberships(user);
  if (acms.length === 0) throw new ForbiddenError('Seuls les membres d’un accueil de loisirs peuvent publier un besoin.');
  const raw = typeof body.acmId === 'string' ? body.acmId : '';
  const acm = acms.length === 1 && !raw ? acms[0] : acms.find((m) => String(m.organisationId) === raw);
  if (!acm) throw new ValidationError({ acmId: needMessages.acm });
  return acm;
}

async function acmPlace(deps: Deps, acmId: number) {
  const [row] = await deps.db
    .select({
      codeInsee: organisations.codeInsee,
      lat: organisations.lat,
      lng: organisations.lng,
      departmentCode: communes.departmentCode,
      status: organisations.status,
    })
    .from(organisations)
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(eq(organisations.id, acmId))
    .limit(1);
  if (!row) throw new NotFoundError();
  if (row.status === 'suspended') throw new ForbiddenError('Votre accueil est suspendu : vous ne pouvez pas publier de besoin pour le moment.');
  return { codeInsee: row.codeInsee, lat: row.lat, lng: row.lng, departmentCode: row.departmentCode };
}

export async function createNeed(deps: Deps, user: CurrentUser, body: Record<string, unknown>): Promise<Need> {
  const acm = chosenAcm(user, body);
  const fields = readNeedForm(body, { today: today(deps) });
  const place = await acmPlace(deps, acm.organisationId);
  const now = deps.clock.now();
  const need = await deps.db.transaction(async (tx) => {
    const created = await insertNeed(tx, {
      ...fields,
      ...place,
      acmId: acm.organisationId,
      status: 'open',
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    });
    await enqueueSearchSync(tx, 'need', created.id);
    return created;
  });
  try {
    await notifyPartnersOfNeed(deps, need.id, { excludeUserId: user.id });
  } catch (error) {
    deps.log.error({ err: error, needId: need.id }, 'need_match notifications failed');
  }
  return need;
}

export async function editNeed(deps: Deps, user: CurrentUser, id: number, body: Record<string, unknown>): Promise<Need> {
  const found = await editableNeed(deps, user, id);
  const fields = readNeedForm(body, { today: today(deps) });
  const place = await acmPlace(deps, found.acm.id);
  return deps.db.transaction(async (tx) => {
    const updated = await updateNeed(tx, id, { ...fields, ...place, updatedAt: deps.clock.now() });
    await enqueueSearchSync(tx, 'need', id);
    return updated;
  });
}

export const statusActions = { fulfilled: 'fulfilled', closed: 'closed', reopen: 'open' } as const satisfies Record<string, NeedStatus>;
export type StatusAction = keyof typeof statusActions;

/** A partnership prescribed for a need has started: the need is met. False when it was no longer open. */
export async function fulfilNeedByPartnership(db: Db, needId: number, now: Date): Promise<boolean> {
  const fulfilled = await fulfilOpenNeed(db, needId, now);
  if (fulfilled) await enqueueSearchSync(db, 'need', needId);
  return fulfilled;
}

export async function changeNeedStatus(deps: Deps, user: CurrentUser, id: number, action: StatusAction): Promise<Need> {
  const found = await editableNeed(deps, user, id);
  const status = statusActions[action];
  if (found.need.status === status) return found.need;
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const updated = await updateNeed(tx, id, { status, closedAt: status === 'open' ? null : now, updatedAt: now });
    await enqueueSearchSync(tx, 'need', id);
    return updated;
  });
}
