import type { Deps } from '../deps.js';
import { ConflictError, ForbiddenError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { type Access, actingSide } from './access.js';
import { renderConvention } from './convention.js';
import { signedText } from './convention.usecases.js';
import { recordChange } from './events.js';
import { findPartnership, findSignedFields, listVersions, lockConvention, type Side, updateConvention, voidSignatures } from './partnerships.repository.js';
import { conventionContext } from './workspace.js';

export type AmendmentClosing = 'withdraw' | 'refuse';

/**
 * Closes a proposed amendment without signing it: the proposing party withdraws it, the other party
 * refuses it (with an optional reason). The convention fields go back to their signed values, the
 * signatures already made on the amendment are voided, and the signed convention stays in force
 * unchanged. A change of the calendar, a session or a commitment cannot be put back here: the page
 * says which text still differs so that it is restored by hand.
 */
export async function closeAmendment(deps: Deps, access: Access, how: AmendmentClosing, body: Record<string, unknown>): Promise<number> {
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
    if (!inForce || current.hash === inForce.textHash) throw new ConflictError('Aucun avenant n’attend de signature : la convention signée est en vigueur.');
    const proposer = convention.amendmentSide;
    if (how === 'withdraw' && proposer && proposer !== side) {
      throw new ForbiddenError('Seule la structure qui a proposé l’avenant peut le retirer ; vous pouvez le refuser.');
    }
    if (how === 'refuse' && proposer === side) throw new ForbiddenError('Votre structure a proposé cet avenant : vous pouvez le retirer.');
    const number = (await listVersions(tx, p.id)).filter((v) => v.kind === 'amendment').length + 1;

    const signedFields = await findSignedFields(tx, p.id);
    // Back to the signed fields, and to the offer and profiles as signed.
    await updateConvention(tx, p.id, { ...(signedFields ? { fields: signedFields } : {}), followsLiveSources: false });
    const restored = renderConvention((await conventionContext(tx, fresh)).context);
    if (restored.hash !== inForce.textHash) {
      throw new ConflictError(
        `L’avenant n° ${number} modifie aussi le calendrier, une séance, les engagements ou le profil d’une structure : remettez-les comme dans la convention signée, l’avenant sera alors retiré.`,
      );
    }
    const now = deps.clock.now();
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
      summary: `Avenant n° ${number} ${refused ? 'refusé' : 'retiré'}${reason ? ` (motif : ${reason})` : ''} : la convention signée reste en vigueur sans changement.`,
      data: reason ? { reason } : undefined,
      notify: {
        title: `Avenant n° ${number} à la convention ${refused ? 'refusé' : 'retiré'} : la convention signée reste en vigueur`,
        body: reason ? `Motif : ${reason.slice(0, 200)}` : undefined,
        path: `/partenariats/${p.id}/formalisation`,
        sides: [other],
      },
    });
    return number;
  });
}
