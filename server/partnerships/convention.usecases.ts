import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { type Access, actingSide, organisationIdOf, requireEditor } from './access.js';
import { insertDeadlines, insertMeeting, listMeetings, updateMeeting } from './calendar.repository.js';
import { fieldValue, findSection, renderConvention } from './convention.js';
import {
  activeSignatures,
  findConvention,
  findVersion,
  insertComment,
  insertSignature,
  insertVersion,
  listVersions,
  lockConvention,
  markSignaturesVersion,
  signedWithoutInputs,
  updateConvention,
  updateVersionInputs,
  voidSignatures,
} from './convention.repository.js';
import { recordChange, recordEvent } from './events.js';
import { findPartnership, type Side, updatePartnership, updateParty } from './partnerships.repository.js';
import { missingBeforeSigning } from './readiness.js';
import { differsFromSigned, keptInputs } from './signed-text.js';
import { conventionContext } from './workspace.js';

/** What a change did to the convention: nothing, voided a signature, or proposed an amendment. */
export type TextChange = 'none' | 'voided' | 'amendment';

/** The success message of a form whose change may have touched the convention. */
export function textChangeMessage(change: TextChange, saved: string): string {
  if (change === 'amendment')
    return `${saved} La convention signée reste en vigueur : la modification est proposée comme avenant, à signer par les deux structures.`;
  if (change === 'voided') return `${saved} La signature déjà faite est annulée : les deux structures doivent signer le nouveau texte.`;
  return saved;
}

/** The last signed version (the convention or its last amendment), whose text is in force. */
export async function signedText(db: Db, partnershipId: number, signedVersions: number) {
  return signedVersions > 0 ? findVersion(db, partnershipId, signedVersions) : null;
}

/**
 * Called inside the transaction of every change that can alter the convention text (its fields,
 * the définition, a party's commitments, the calendar and its sessions). A signed convention is
 * never changed in place: a text that differs from the signed one is a proposed amendment, which
 * the other party is told about and both sign; the signed text stays in force meanwhile. Before
 * the signature of both, a change voids the signature already made. When the form did not confirm
 * (`confirmed` false), nothing is kept and the form asks to confirm.
 */
export async function reconcileConvention(
  deps: Deps,
  db: Db,
  partnershipId: number,
  actorId: number | null,
  side: Side | null,
  confirmed?: boolean,
): Promise<TextChange> {
  const p = await findPartnership(db, partnershipId);
  if (p?.formalisation !== 'convention') return 'none';
  const convention = await lockConvention(db, p.id);
  const signatures = await activeSignatures(db, p.id);
  const { context } = await conventionContext(db, p);
  const rendered = renderConvention(context);
  const names = { acm: context.acm.name, partner: context.partner.name };
  const other = side ? [side === 'acm' ? ('partner' as const) : ('acm' as const)] : undefined;
  const now = deps.clock.now();
  if (convention.status === 'signed') {
    const inForce = await signedText(db, p.id, convention.signedVersions);
    const pending = inForce !== null && differsFromSigned(rendered, inForce);
    // A version kept before its inputs were: they are known while its text is still the one rendered.
    if (inForce && !inForce.inputs && rendered.hash === inForce.textHash) {
      await updateVersionInputs(db, inForce.id, keptInputs(context, rendered));
    }
    const number = (await listVersions(db, p.id)).filter((v) => v.kind === 'amendment').length + 1;
    if (!pending) {
      if (!convention.amendmentProposedAt) return 'none';
      await voidSignatures(db, p.id, now, 'L’avenant a été retiré : le texte est revenu à la version signée.');
      await updateConvention(db, p.id, {
        amendmentProposedAt: null,
        amendmentProposedBy: null,
        amendmentSide: null,
        amendmentHash: null,
        followsLiveSources: false,
      });
      await recordEvent(
        deps,
        db,
        {
          partnership: p,
          actorId,
          side,
          action: 'convention.amendment_withdrawn',
          summary: `Avenant n° ${number} retiré : le texte est revenu à la version signée.`,
        },
        names,
      );
      return 'none';
    }
    if (convention.amendmentHash === rendered.hash) return 'amendment';
    if (confirmed === false) throw new ValidationError({ confirm: amendmentWarning(number, convention.amendmentProposedAt !== null) });
    const stale = signatures.filter((s) => s.textHash !== rendered.hash);
    if (stale.length) await voidSignatures(db, p.id, now, 'Le texte de l’avenant a changé depuis cette signature.');
    const first = !convention.amendmentProposedAt;
    await updateConvention(db, p.id, {
      amendmentProposedAt: first ? now : convention.amendmentProposedAt,
      amendmentProposedBy: first ? actorId : convention.amendmentProposedBy,
      amendmentSide: first ? side : convention.amendmentSide,
      amendmentHash: rendered.hash,
      updatedAt: now,
      updatedBy: actorId,
    });
    await recordEvent(
      deps,
      db,
      {
        partnership: p,
        actorId,
        side,
        action: first ? 'convention.amendment_proposed' : 'convention.amendment_changed',
        summary: first
          ? `Avenant n° ${number} proposé : la convention signée reste en vigueur jusqu’à la signature de l’avenant par les deux parties.`
          : `Avenant n° ${number} modifié${stale.length ? ' : les signatures déjà faites sont annulées' : ''} ; les deux parties doivent le signer.`,
        notify: {
          title: first ? `Avenant n° ${number} à la convention proposé : à relire et signer` : `Avenant n° ${number} modifié : à relire et signer`,
          path: `/partenariats/${p.id}/formalisation#avenant`,
          sides: other,
        },
      },
      names,
    );
    return 'amendment';
  }
  if (signatures.length === 0 || signatures.every((s) => s.textHash === rendered.hash)) return 'none';
  if (confirmed === false) {
    const signers = [...new Set(signatures.map((s) => names[s.side]))].join(' et ');
    throw new ValidationError({
      confirm: `${signers} a déjà signé la convention : cette modification change son texte et annule cette signature ; les deux structures devront signer le nouveau texte. Cochez la case pour confirmer.`,
    });
  }
  await voidSignatures(db, p.id, now, 'Le texte de la convention a été modifié après la signature.');
  await recordEvent(
    deps,
    db,
    {
      partnership: p,
      actorId,
      side,
      action: 'convention.signatures_voided',
      summary: 'Modification après signature : les signatures sont annulées, une nouvelle signature des deux parties est nécessaire.',
      notify: { title: 'Convention modifiée : nouvelle signature nécessaire', path: `/partenariats/${p.id}/formalisation#signer` },
    },
    names,
  );
  return 'voided';
}

/**
 * Versions signed before their inputs were kept get them: while no amendment is proposed, every
 * change since the signature found the text unchanged (each change reconciles the convention), so
 * the partnership as it is now is what was signed. Runs under the convention's lock, like a change.
 */
export async function recordSignedInputs(deps: Deps): Promise<number> {
  let recorded = 0;
  for (const id of await signedWithoutInputs(deps.db)) {
    await deps.db.transaction(async (tx) => {
      const convention = await lockConvention(tx, id);
      const inForce = convention.status === 'signed' && !convention.amendmentProposedAt ? await findVersion(tx, id, convention.signedVersions) : null;
      const p = inForce && !inForce.inputs ? await findPartnership(tx, id) : null;
      if (!inForce || !p) return;
      const { context } = await conventionContext(tx, p);
      const inputs = keptInputs(context, renderConvention(context));
      await updateVersionInputs(tx, inForce.id, inputs);
      if (inputs) recorded++;
    });
  }
  return recorded;
}

/**
 * Proposes an amendment that takes up the live offer and organisation profiles (changed since the
 * signature, which left the signed text as it was). It is proposed, notified and signed like any
 * other amendment; withdrawing or refusing it goes back to the offer and profiles as signed.
 */
export async function proposeLiveAmendment(deps: Deps, access: Access, body: Record<string, unknown>): Promise<TextChange> {
  const side = actingSide(access, new FormReader(body).raw('side') || null);
  const p = access.partnership;
  return deps.db.transaction(async (tx) => {
    const convention = await lockConvention(tx, p.id);
    if (convention.status !== 'signed' || !convention.signedSources)
      throw new ConflictError('La convention n’est pas signée : son texte suit déjà l’offre et les profils.');
    if (convention.followsLiveSources) return 'amendment';
    await updateConvention(tx, p.id, { followsLiveSources: true });
    const change = await reconcileConvention(deps, tx, p.id, access.user.id, side, true);
    if (change !== 'amendment') {
      await updateConvention(tx, p.id, { followsLiveSources: false });
      throw new ConflictError('L’offre et les profils des structures n’ont pas changé depuis la signature : il n’y a rien à reprendre dans un avenant.');
    }
    return change;
  });
}

function amendmentWarning(number: number, alreadyPending: boolean): string {
  return alreadyPending
    ? `Un avenant n° ${number} attend déjà les signatures : cette modification le change, et les signatures déjà faites sur l’avenant sont annulées. Cochez la case pour confirmer.`
    : `La convention est signée par les deux structures : elle ne sera pas modifiée. Cette modification devient l’avenant n° ${number}, proposé à l’autre structure ; la convention signée reste en vigueur jusqu’à ce que les deux structures signent l’avenant. Cochez la case pour confirmer.`;
}

/** Saves the fields of one convention section; a party edits its own details only. */
export async function editConventionSection(deps: Deps, access: Access, sectionKey: string, body: Record<string, unknown>): Promise<TextChange> {
  const section = findSection(sectionKey);
  if (!section) throw new NotFoundError();
  requireEditor(access);
  const form = new FormReader(body);
  const p = access.partnership;
  return deps.db.transaction(async (tx) => {
    const convention = await findConvention(tx, p.id);
    const fields = { ...convention.fields };
    const changed: string[] = [];
    const { context } = await conventionContext(tx, p);
    // The form sends back what it showed, with ordinary spaces where Intl put narrow no-break ones.
    const same = (a: string, b: string) => a.replace(/\s+/gu, ' ').trim() === b.replace(/\s+/gu, ' ').trim();
    for (const field of section.fields) {
      if (field.owner !== 'both' && !access.sides.includes(field.owner)) continue;
      if (!(field.name in body)) continue;
      const value =
        field.type === 'select'
          ? (form.oneOf(
              field.name,
              (field.options ?? []).map((o) => o.value),
            ) ?? '')
          : form.text(field.name, { max: field.max, multiline: field.type === 'textarea', noMarkup: true });
      if (!same(fieldValue(context, field), value)) {
        fields[field.name] = value;
        changed.push(field.label);
      }
    }
    form.assertValid();
    if (changed.length === 0) return 'none';
    await updateConvention(tx, p.id, { fields, updatedAt: deps.clock.now(), updatedBy: access.user.id });
    const side = access.sides[0] ?? null;
    await recordChange(deps, tx, access, {
      action: 'convention.edited',
      summary: `Convention, « ${section.title} » modifiée : ${changed.join(', ')}.`,
    });
    return reconcileConvention(deps, tx, p.id, access.user.id, side, form.bool('confirm'));
  });
}

export async function addConventionComment(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const text = form.text('body', { required: true, max: 3000, multiline: true });
  const sectionKey = form.raw('section');
  const section = sectionKey ? findSection(sectionKey) : undefined;
  if (sectionKey && !section) form.fail('section', 'Choisissez une section de la convention.');
  form.assertValid();
  const p = access.partnership;
  await deps.db.transaction(async (tx) => {
    await insertComment(tx, {
      partnershipId: p.id,
      section: section?.key ?? null,
      authorId: access.user.id,
      organisationId: organisationIdOf(p, side),
      body: text,
      createdAt: deps.clock.now(),
    });
    await recordChange(deps, tx, access, {
      side,
      action: 'convention.commented',
      summary: `Commentaire sur la convention${section ? ` (« ${section.title} »)` : ''}.`,
      notify: { title: 'Nouveau commentaire sur la convention', body: text.slice(0, 200), path: `/partenariats/${p.id}/formalisation#commentaires` },
    });
  });
}

/**
 * Signs the convention, or the amendment proposed to a signed one, for a party: name, role and a
 * timestamp over the SHA-256 of the exact text the signer read (sent back by the form). The row
 * lock serialises two parties signing at once; a repeated submit changes nothing. If the text
 * changed meanwhile, the signature is refused; signatures over an older text are voided. Both
 * parties signed → the text is kept as a new version (the convention, then « Avenant n° 1 »…).
 */
export async function signConvention(deps: Deps, access: Access, body: Record<string, unknown>): Promise<{ signed: boolean; amendment: number | null }> {
  const form = new FormReader(body);
  const side = actingSide(access, form.raw('side') || null);
  const signerName = form.text('signerName', { required: true, max: 120 });
  const signerRole = form.text('signerRole', { required: true, max: 120 });
  const hash = form.raw('textHash');
  if (!form.bool('consent')) form.fail('consent', 'Cochez la case pour confirmer que vous avez lu la convention et que vous pouvez engager votre structure.');
  form.assertValid();
  const p = access.partnership;
  if (p.formalisation !== 'convention') throw new ConflictError('Ce partenariat est formalisé par un compte rendu de réunion, pas par une convention.');
  return deps.db.transaction(async (tx) => {
    const convention = await lockConvention(tx, p.id);
    const fresh = (await findPartnership(tx, p.id))!;
    const { context } = await conventionContext(tx, fresh);
    const rendered = renderConvention(context);
    const organisationNames = { acm: context.acm.name, partner: context.partner.name };
    const versions = await listVersions(tx, p.id);
    const inForce = versions.find((v) => v.version === convention.signedVersions) ?? null;
    const amending = convention.status === 'signed';
    const amendment = amending ? versions.filter((v) => v.kind === 'amendment').length + 1 : null;
    const missing = amending ? [] : missingBeforeSigning(context);
    if (missing.length) {
      throw new ValidationError({
        missing: `La convention ne peut pas encore être signée. À compléter avant : ${missing.map((m) => m.label).join(' ; ')}.`,
      });
    }
    const what = amendment ? `l’avenant n° ${amendment}` : 'la convention';
    let signatures = await activeSignatures(tx, p.id);
    // A repeated submit (double click, back and submit again) changes nothing. A signature still
    // pending waits for the other party, even on an amendment to a signed convention.
    if (signatures.some((s) => s.side === side && s.textHash === hash)) return { signed: false, amendment: null };
    // The text in force, sent again (the last signer's late repeat): it is signed. With no amendment
    // pending, the text rendered is the one in force, so a signed convention needs no other check.
    if (amending && inForce && hash === inForce.textHash) return { signed: true, amendment: null };
    if (hash !== rendered.hash) {
      throw new ConflictError(`Le texte a changé depuis que vous l’avez ouvert : relisez ${what} avant de signer.`);
    }
    if (signatures.some((s) => s.textHash !== rendered.hash)) {
      await voidSignatures(tx, p.id, deps.clock.now(), 'Le texte a changé depuis cette signature.');
      await recordChange(deps, tx, access, {
        side,
        action: 'convention.signatures_voided',
        summary: `Le texte a changé depuis la signature précédente (profil d’une structure modifié) : cette signature est annulée, une nouvelle signature des deux parties est nécessaire.`,
      });
      signatures = [];
    }
    const now = deps.clock.now();
    await insertSignature(tx, {
      partnershipId: p.id,
      side,
      organisationId: organisationIdOf(p, side),
      userId: access.user.id,
      signerName,
      signerRole,
      textHash: rendered.hash,
      signedAt: now,
    });
    await recordChange(deps, tx, access, {
      side,
      action: amendment ? 'convention.amendment_signed_by_party' : 'convention.signed_by_party',
      summary: `${signerName} (${signerRole}) a signé ${what} (empreinte ${rendered.hash.slice(0, 12)}…).`,
      notify:
        signatures.length === 0
          ? {
              title: `${organisationNames[side]} a signé ${what} : à votre tour`,
              path: `/partenariats/${p.id}/formalisation#${amendment ? 'avenant' : 'signer'}`,
              sides: [side === 'acm' ? 'partner' : 'acm'],
            }
          : undefined,
    });
    const all = [...signatures, { side, signerName, signerRole, signedAt: now }];
    if (!(all.some((s) => s.side === 'acm') && all.some((s) => s.side === 'partner'))) return { signed: false, amendment };
    const version = convention.signedVersions + 1;
    await insertVersion(tx, {
      partnershipId: p.id,
      version,
      kind: amendment ? 'amendment' : 'convention',
      text: rendered.text,
      textHash: rendered.hash,
      dates: rendered.dates,
      inputs: keptInputs(context, rendered),
      signedAt: now,
      signatures: all.map((s) => ({
        side: s.side,
        organisation: organisationNames[s.side as Side],
        name: s.signerName,
        role: s.signerRole,
        signedAt: s.signedAt.toISOString(),
      })),
    });
    await markSignaturesVersion(tx, p.id, version);
    await updateConvention(tx, p.id, {
      status: 'signed',
      signedVersions: version,
      // The offer and organisations this text was rendered from: the signed text never follows them again.
      signedSources: { acm: context.acm, partner: context.partner, offer: context.offer },
      followsLiveSources: false,
      amendmentProposedAt: null,
      amendmentProposedBy: null,
      amendmentSide: null,
      amendmentHash: null,
      updatedAt: now,
    });
    await recordChange(deps, tx, access, {
      side,
      action: amendment ? 'convention.amendment_signed' : 'convention.signed',
      summary: amendment
        ? `Avenant n° ${amendment} signé par les deux parties : il fait partie de la convention (version ${version}).`
        : `Convention signée par les deux parties (version ${version}).`,
      // The fields as signed, so that a refused or withdrawn amendment can put them back.
      data: { version, fields: convention.fields },
      notify: {
        title: amendment ? `L’avenant n° ${amendment} est signé par les deux parties` : 'La convention est signée par les deux parties',
        path: `/partenariats/${p.id}/formalisation`,
      },
    });
    return { signed: true, amendment };
  });
}

/** Convention or lighter formalisation (meeting minutes with agreed deadlines). */
export async function setFormalisation(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  requireEditor(access);
  const form = new FormReader(body);
  const mode = form.oneOf('formalisation', ['convention', 'minutes'] as const, { required: true });
  form.assertValid();
  const p = access.partnership;
  if (mode === p.formalisation) return;
  const convention = await findConvention(deps.db, p.id);
  if (mode === 'minutes' && convention.status === 'signed') throw new ConflictError('La convention est déjà signée : la formalisation est faite.');
  await deps.db.transaction(async (tx) => {
    await updatePartnership(tx, p.id, { formalisation: mode! }, deps.clock.now());
    await recordChange(deps, tx, access, {
      action: 'formalisation.mode',
      summary: mode === 'minutes' ? 'Formalisation choisie : compte rendu de réunion avec échéances.' : 'Formalisation choisie : convention.',
    });
  });
}

const DEADLINE_ROWS = 5;

/** Writes (or rewrites) the meeting minutes of the light formalisation; approvals start over. */
export async function saveMinutes(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  requireEditor(access);
  const form = new FormReader(body);
  const date = form.date('date', { required: true });
  const participants = form.text('participants', { required: true, max: 1000, multiline: true });
  const minutes = form.text('minutes', { required: true, max: 10_000, multiline: true });
  const deadlines: { dueDate: string; label: string; side: Side | null }[] = [];
  for (let i = 0; i < DEADLINE_ROWS; i++) {
    const label = form.text(`deadline_label_${i}`, { max: 200 });
    const dueDate = form.date(`deadline_date_${i}`);
    const side = form.oneOf(`deadline_side_${i}`, ['acm', 'partner'] as const);
    if (label && !dueDate) form.fail(`deadline_date_${i}`, 'Indiquez la date de l’échéance.');
    if (dueDate && !label) form.fail(`deadline_label_${i}`, 'Décrivez l’échéance.');
    if (label && dueDate) deadlines.push({ dueDate, label, side });
  }
  form.assertValid();
  const p = access.partnership;
  await deps.db.transaction(async (tx) => {
    const existing = (await listMeetings(tx, p.id)).find((m) => m.purpose === 'formalisation');
    const now = deps.clock.now();
    if (existing) await updateMeeting(tx, existing.id, { date: date!, participants, minutes, updatedAt: now });
    else {
      await insertMeeting(tx, {
        partnershipId: p.id,
        purpose: 'formalisation',
        date: date!,
        startTime: '09:00',
        endTime: '10:00',
        participants,
        minutes,
        agenda: 'Formalisation du partenariat',
        createdBy: access.user.id,
        createdAt: now,
        updatedAt: now,
      });
    }
    await insertDeadlines(
      tx,
      deadlines.map((d) => ({ partnershipId: p.id, dueDate: d.dueDate, label: d.label, side: d.side, createdBy: access.user.id, createdAt: now })),
    );
    for (const side of ['acm', 'partner'] as const) await updateParty(tx, p.id, side, { minutesApprovedAt: null, minutesApprovedBy: null });
    await recordChange(deps, tx, access, {
      action: 'minutes.saved',
      summary: `Compte rendu de réunion ${existing ? 'modifié' : 'rédigé'}${deadlines.length ? ` avec ${formatters.plural(deadlines.length, 'échéance', 'échéances')}` : ''} : à valider par les deux parties.`,
      notify: { title: 'Compte rendu de réunion à valider', path: `/partenariats/${p.id}/formalisation#compte-rendu` },
    });
  });
}

export async function approveMinutes(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  const side = actingSide(access, new FormReader(body).raw('side') || null);
  const p = access.partnership;
  const minutes = (await listMeetings(deps.db, p.id)).find((m) => m.purpose === 'formalisation');
  if (!minutes) throw new ConflictError('Aucun compte rendu à valider.');
  await deps.db.transaction(async (tx) => {
    await updateParty(tx, p.id, side, { minutesApprovedAt: deps.clock.now(), minutesApprovedBy: access.user.id });
    await recordChange(deps, tx, access, {
      side,
      action: 'minutes.approved',
      summary: 'Compte rendu de réunion validé.',
      notify: { title: 'Compte rendu validé', path: `/partenariats/${p.id}/formalisation#compte-rendu`, sides: [side === 'acm' ? 'partner' : 'acm'] },
    });
  });
}
