import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { NotFoundError } from '../lib/errors.js';
import { de } from '../lib/format.js';
import { findNeedTitle } from '../requests/requests.repository.js';
import type { Access } from './access.js';
import { amendmentDiff, versionLabel } from './amendments.js';
import { computeSessionDates } from './calendar.js';
import { calendarContext, listDeadlines, listMeetings, listSessions } from './calendar.repository.js';
import { type ConventionContext, priceDefault, renderConvention } from './convention.js';
import { activeSignatures, findConvention, listVersions } from './convention.repository.js';
import {
  findOffer,
  findOrganisationDetails,
  findParties,
  findRequest,
  findUserName,
  type OrganisationDetails,
  type Partnership,
  type Party,
  type Side,
} from './partnerships.repository.js';
import { progress } from './progress.js';
import { missingBeforeSigning } from './readiness.js';
import { listReviews } from './review.repository.js';
import { asSigned, differsFromSigned, wordingOnlyArticles } from './signed-text.js';

export function partiesBySide(parties: Party[]): Record<Side, Party | undefined> {
  return { acm: parties.find((p) => p.side === 'acm'), partner: parties.find((p) => p.side === 'partner') };
}

/** The offer and the organisations a convention text is built from, kept as signed. */
interface ConventionSources {
  acm: OrganisationDetails;
  partner: OrganisationDetails;
  offer: ConventionContext['offer'];
}

/**
 * Everything the convention text is built from. A draft follows the live offer and profiles; a
 * signed convention is rendered from the offer and organisations as signed (`signedSources`), so
 * that a later change of the offer's price or of a profile neither alters the signed text nor
 * turns into an amendment by itself. Only a proposed amendment that takes them up
 * (`followsLiveSources`) uses the live ones. `live` is always the live data.
 */
export async function conventionContext(
  db: Db,
  partnership: Partnership,
  preloaded?: { acm?: OrganisationDetails; partner?: OrganisationDetails; parties?: Party[] },
) {
  const [acm, partner, offer, parties, convention, sessions] = await Promise.all([
    preloaded?.acm ?? findOrganisationDetails(db, partnership.acmId),
    preloaded?.partner ?? findOrganisationDetails(db, partnership.partnerId),
    partnership.offerId ? findOffer(db, partnership.offerId) : null,
    preloaded?.parties ?? findParties(db, partnership.id),
    findConvention(db, partnership.id),
    listSessions(db, partnership.id),
  ]);
  if (!acm || !partner) throw new NotFoundError();
  const calendar = computeSessionDates(partnership, await calendarContext(db, acm.schoolZone, acm.departmentCode));
  const live: ConventionSources = { acm, partner, offer };
  const frozen =
    convention.status === 'signed' && convention.signedSources && !convention.followsLiveSources ? (convention.signedSources as ConventionSources) : null;
  const sources = frozen ?? live;
  const context: ConventionContext = { ...sources, partnership, parties: partiesBySide(parties), calendar, sessions, fields: convention.fields };
  return { context, convention, live, frozen: frozen !== null };
}

/**
 * What changed in the live offer and profiles since the signature, as quiet notes: nothing changes
 * by itself, the parties may propose an amendment that takes the changes up. Both texts compared
 * are rendered by this code (`renderedHash` from the signed sources), so its wording cancels out.
 */
function liveSourceNotes(context: ConventionContext, live: ConventionSources, renderedHash: string): string[] {
  const hashWith = (sources: Partial<ConventionSources>) => renderConvention({ ...context, ...sources }).hash;
  const notes: string[] = [];
  if (hashWith({ offer: live.offer }) !== renderedHash) {
    const priceChanged = context.fields.fin_tarif === undefined && priceDefault(context) !== priceDefault({ ...context, offer: live.offer });
    notes.push(
      priceChanged
        ? 'Le tarif de l’offre a changé depuis la signature : proposez un avenant si la convention doit suivre.'
        : 'L’offre a changé depuis la signature (intitulé, présentation, public ou format) : proposez un avenant si la convention doit suivre.',
    );
  }
  for (const side of ['acm', 'partner'] as const) {
    if (hashWith({ [side]: live[side] }) !== renderedHash) {
      notes.push(`Le profil ${de(live[side].name)} (nom, adresse, SIRET…) a changé depuis la signature : proposez un avenant si la convention doit suivre.`);
    }
  }
  return notes;
}

/** The data every page of the workspace shows: parties, progress, next steps. */
export async function loadWorkspace(deps: Deps, access: Access) {
  const db = deps.db;
  const p = access.partnership;
  const [acm, partner, partyRows, signatures, sessions, deadlines, reviews, meetings, request, prescriberName, versions, needTitle] = await Promise.all([
    findOrganisationDetails(db, p.acmId),
    findOrganisationDetails(db, p.partnerId),
    findParties(db, p.id),
    activeSignatures(db, p.id),
    listSessions(db, p.id),
    listDeadlines(db, p.id),
    listReviews(db, p.id),
    listMeetings(db, p.id),
    p.requestId ? findRequest(db, p.requestId) : null,
    findUserName(db, p.prescribedBy),
    listVersions(db, p.id),
    p.needId ? findNeedTitle(db, p.needId) : null,
  ]);
  if (!acm || !partner) throw new NotFoundError();
  const { context, convention, live, frozen } = await conventionContext(db, p, { acm, partner, parties: partyRows });
  const current = renderConvention(context);
  const parties = partiesBySide(partyRows);
  const today = parisToday(deps.clock.now());
  const inForce = versions.find((v) => v.version === convention.signedVersions) ?? null;
  const amending = convention.status === 'signed' && inForce !== null && differsFromSigned(current, inForce);
  const rendered = inForce && convention.status === 'signed' && !amending ? asSigned(current, inForce) : current;
  const validSignatures = signatures.filter((s) => s.textHash === rendered.hash);
  // Made on a text that changed without an edit of the partnership (a profile, the app's wording): still to redo.
  const staleSignatures = signatures.filter((s) => s.textHash !== rendered.hash && s.version === null);
  // Versions signed before the dates were kept compare their text only.
  const diff =
    amending && inForce
      ? amendmentDiff({ text: inForce.text, dates: inForce.dates.length ? inForce.dates : rendered.dates }, { text: rendered.text, dates: rendered.dates })
      : null;
  const amendment =
    diff && inForce
      ? {
          number: versions.filter((v) => v.kind === 'amendment').length + 1,
          proposedAt: convention.amendmentProposedAt,
          side: convention.amendmentSide,
          inForce,
          wordingOnly: wordingOnlyArticles(
            current,
            inForce,
            diff.articles.map((a) => a.heading),
          ),
          diff,
        }
      : null;
  // Only while no amendment waits: an amendment shows its own differences.
  const liveNotes = frozen && inForce && !amendment ? liveSourceNotes(context, live, current.hash) : [];
  const minutesMeeting = meetings.find((m) => m.purpose === 'formalisation') ?? null;
  const input = {
    partnership: p,
    parties,
    conventionSigned: convention.status === 'signed',
    signatures: validSignatures,
    sessions,
    deadlines,
    reviews,
    minutesWritten: Boolean(minutesMeeting?.minutes.trim()),
    today,
    amendment: amendment ? { number: amendment.number, signedBy: validSignatures.map((s) => s.side) } : null,
  };
  const { steps: stepList, currentStep, actions } = progress(input);
  const nextSession = sessions.find((s) => s.status === 'planned' && s.date >= today) ?? null;
  return {
    access,
    partnership: p,
    canEdit: access.canEdit,
    sides: access.sides,
    acm,
    partner,
    parties,
    offer: context.offer,
    request,
    prescriberName,
    /** The need of the ACM it was prescribed for. */
    need: p.needId && needTitle ? { id: p.needId, title: needTitle } : null,
    convention,
    rendered,
    context,
    signatures: validSignatures,
    staleSignatures,
    missing: convention.status === 'signed' ? [] : missingBeforeSigning(context),
    versions,
    inForce,
    amendment,
    liveNotes,
    versionLabel: (v: { version: number; kind: string }) => versionLabel(v, versions),
    sessions,
    deadlines,
    reviews,
    meetings,
    minutesMeeting,
    steps: stepList,
    currentStep,
    actions,
    nextSession,
    today,
    names: { acm: acm.name, partner: partner.name } as Record<Side, string>,
  };
}

export type Workspace = Awaited<ReturnType<typeof loadWorkspace>>;
