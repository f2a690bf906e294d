import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { ConflictError, ForbiddenError } from '../lib/errors.js';
import { formatters as f } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { type Access, actingSide } from './access.js';
import { diffTexts } from './amendments.js';
import { deleteSession, insertSessions, listSessions, updateSession } from './calendar.repository.js';
import { type CalendarRestore, planCalendarRestore, restoresAnything } from './calendar-restore.js';
import { renderConvention } from './convention.js';
import { findSignedFields, listVersions, lockConvention, updateConvention, voidSignatures } from './convention.repository.js';
import { signedText } from './convention.usecases.js';
import { recordChange } from './events.js';
import { findPartnership, type Partnership, type Side } from './partnerships.repository.js';
import { differsFromSigned } from './signed-text.js';
import { conventionContext } from './workspace.js';

export type AmendmentClosing = 'withdraw' | 'refuse';

/**
 * Closes a proposed amendment without signing it: the proposing party withdraws it, the other party
 * refuses it (with an optional reason). The convention fields go back to their signed values, the
 * sessions that have not happened yet go back to the signed calendar annex, the signatures already
 * made on the amendment are voided, and the signed convention stays in force unchanged. What cannot
 * be put back here (calendar rules, a held or past session, a commitment, a profile) is named in
 * the message so that it is restored by hand; nothing is changed then.
 */
export async function closeAmendment(
  deps: Deps,
  access: Access,
  how: AmendmentClosing,
  body: Record<string, unknown>,
): Promise<{ number: number; calendar: string | null }> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const reason = how === 'refuse' ? form.text('reason', { max: 1000, multiline: true, noMarkup: true }) : '';
  form.assertValid();
  const p = access.partnership;
  return deps.db.transaction(async (tx) => {
    const convention = await lockConvention(tx, p.id);
    const inForce = convention.status === 'signed' ? await signedText(tx, p.id, convention.signedVersions) : null;
    const fresh = (await findPartnership(tx, p.id))!;
    const current = renderConvention((await conventionContext(tx, fresh)).context);
    if (!inForce || !differsFromSigned(current, inForce)) throw new ConflictError('Aucun avenant n’attend de signature : la convention signée est en vigueur.');
    const proposer = convention.amendmentSide;
    if (how === 'withdraw' && proposer && proposer !== side) {
      throw new ForbiddenError('Seule la structure qui a proposé l’avenant peut le retirer ; vous pouvez le refuser.');
    }
    if (how === 'refuse' && proposer === side) throw new ForbiddenError('Votre structure a proposé cet avenant : vous pouvez le retirer.');
    const number = (await listVersions(tx, p.id)).filter((v) => v.kind === 'amendment').length + 1;

    const signedFields = await findSignedFields(tx, p.id);
    // Back to the signed fields, and to the offer and profiles as signed.
    await updateConvention(tx, p.id, { ...(signedFields ? { fields: signedFields } : {}), followsLiveSources: false });
    const now = deps.clock.now();
    let restored = renderConvention((await conventionContext(tx, fresh)).context);
    let calendar: CalendarRestore | null = null;
    if (differsFromSigned(restored, inForce) && inForce.dates.length) {
      calendar = planCalendarRestore(inForce.dates, await listSessions(tx, p.id), parisToday(now));
      if (restoresAnything(calendar)) {
        await restoreSessions(tx, fresh, calendar, now);
        restored = renderConvention((await conventionContext(tx, fresh)).context);
      }
    }
    if (differsFromSigned(restored, inForce)) {
      // Thrown inside the transaction: the sessions already put back return to the amendment's.
      const articles = diffTexts(inForce.text, restored.text).map((a) => `« ${a.heading.replace(/^Article \d+ — /, '')} »`);
      const sessions = (calendar?.blocked ?? []).map((b) => `la séance du ${f.date(b.date)} (${b.why === 'held' ? 'déjà réalisée' : 'date passée'})`);
      throw new ConflictError(
        `L’avenant n° ${number} modifie aussi ce que Passerelle ne peut pas remettre seul : ${[...articles, ...sessions].join(', ')}. Remettez-le comme dans la convention signée (les séances à venir y reviennent d’elles-mêmes), l’avenant pourra alors être ${how === 'refuse' ? 'refusé' : 'retiré'}.`,
      );
    }
    await voidSignatures(tx, p.id, now, how === 'refuse' ? 'L’avenant a été refusé.' : 'L’avenant a été retiré.');
    await updateConvention(tx, p.id, {
      amendmentProposedAt: null,
      amendmentProposedBy: null,
      amendmentSide: null,
      amendmentHash: null,
      updatedAt: now,
      updatedBy: access.user.id,
    });
    const other: Side = side === 'acm' ? 'partner' : 'acm';
    const refused = how === 'refuse';
    await recordChange(deps, tx, access, {
      side,
      action: refused ? 'convention.amendment_refused' : 'convention.amendment_withdrawn',
      summary: `Avenant n° ${number} ${refused ? 'refusé' : 'retiré'}${reason ? ` (motif : ${reason})` : ''} : la convention signée reste en vigueur sans changement.${calendar && restoresAnything(calendar) ? ` Calendrier remis comme signé : ${describeRestore(calendar)}.` : ''}`,
      data: reason ? { reason } : undefined,
      notify: {
        title: `Avenant n° ${number} à la convention ${refused ? 'refusé' : 'retiré'} : la convention signée reste en vigueur`,
        body: reason ? `Motif : ${reason.slice(0, 200)}` : undefined,
        path: `/partenariats/${p.id}/formalisation`,
        sides: [other],
      },
    });
    return { number, calendar: calendar && restoresAnything(calendar) ? describeRestore(calendar) : null };
  });
}

async function restoreSessions(db: Db, p: Partnership, plan: CalendarRestore, now: Date): Promise<void> {
  // The calendar's times: those the annex leaves unsaid, as it did for the signed dates.
  const times = { startTime: p.startTime ?? '09:30', endTime: p.endTime ?? '11:30' };
  for (const m of plan.moves) {
    await updateSession(db, m.id, {
      date: m.to,
      ...times,
      originalDate: m.originalDate === m.to ? null : (m.originalDate ?? m.from),
      reminderSentAt: null,
      updatedAt: now,
    });
  }
  for (const r of plan.reinstated) await updateSession(db, r.id, { status: 'planned', cancelReason: null, updatedAt: now });
  for (const r of plan.removed) await deleteSession(db, p.id, r.id);
  await insertSessions(
    db,
    plan.added.map((date) => ({ partnershipId: p.id, date, ...times, createdAt: now, updatedAt: now })),
  );
}

function describeRestore(plan: CalendarRestore): string {
  return [
    ...plan.moves.map((m) => `séance du ${f.date(m.from)} remise au ${f.date(m.to)}`),
    ...plan.reinstated.map((r) => `séance du ${f.date(r.date)} rétablie`),
    ...plan.removed.map((r) => `séance du ${f.date(r.date)} retirée`),
    ...plan.added.map((d) => `séance du ${f.date(d)} replanifiée`),
  ].join(', ');
}
