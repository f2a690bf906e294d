import type { Db } from '../../db/client.js';
import { frenchTime } from '../lib/format.js';
import { type Partnership, progressRows } from './partnerships.repository.js';
import { type NextAction, type nextActions, type ProgressInput, progress, type StepView } from './progress.js';
import { partiesBySide } from './workspace.js';

interface PartnershipProgress {
  steps: StepView[];
  currentStep: StepView | null;
  actions: ReturnType<typeof nextActions>;
  nextSession: { date: string; startTime: string; time: string } | null;
}

/**
 * Progress and next actions of many partnerships at once (lists, dashboard). Signatures are taken
 * as they are stored: the workspace page checks them against the current text.
 */
export async function progressOf(db: Db, partnerships: Partnership[], today: string): Promise<Map<number, PartnershipProgress>> {
  const rows = await progressRows(
    db,
    partnerships.map((p) => p.id),
  );
  const result = new Map<number, PartnershipProgress>();
  for (const p of partnerships) {
    const sessions = rows.sessions.filter((s) => s.partnershipId === p.id);
    const convention = rows.conventions.find((c) => c.partnershipId === p.id);
    const signatures = rows.signatures.filter((s) => s.partnershipId === p.id);
    const input: ProgressInput = {
      partnership: p,
      parties: partiesBySide(rows.parties.filter((r) => r.partnershipId === p.id)),
      conventionSigned: convention?.status === 'signed',
      signatures,
      // Version 1 is the convention, every later one an amendment: the one proposed is n° signedVersions.
      amendment:
        convention?.status === 'signed' && convention.amendmentProposedAt
          ? { number: convention.signedVersions, signedBy: signatures.filter((s) => s.version === null).map((s) => s.side) }
          : null,
      sessions,
      deadlines: rows.deadlines.filter((d) => d.partnershipId === p.id),
      reviews: rows.reviews.filter((r) => r.partnershipId === p.id),
      minutesWritten: rows.minutes.some((m) => m.partnershipId === p.id && m.minutes.trim() !== ''),
      today,
    };
    const next = sessions.find((s) => s.status === 'planned' && s.date >= today);
    result.set(p.id, {
      ...progress(input),
      nextSession: next ? { date: next.date, startTime: next.startTime, time: frenchTime(next.startTime) } : null,
    });
  }
  return result;
}

export type { NextAction };
