import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { type FunnelCounts, funnelCounts, type Scope } from './coordination.repository.js';

/**
 * The one definition of the partnership steps: the coordinator's funnel and the public statistics
 * page both count them here, so their numbers and definitions are the same.
 * The funnel looks at the requests of the last 12 months.
 */
export const FUNNEL_DAYS = 365;

export function funnelSince(now: Date): Date {
  return new Date(now.getTime() - FUNNEL_DAYS * 86_400_000);
}

/** The counts of each step for a territory, at a given moment (the 12 months before it). */
export function funnelCountsAt(db: Db, scope: Scope, now: Date): Promise<FunnelCounts> {
  return funnelCounts(db, scope, funnelSince(now));
}

export const funnelSteps: { key: keyof FunnelCounts; label: string; definition: string }[] = [
  {
    key: 'sent',
    label: 'Demandes envoyées',
    definition: 'Demandes de partenariat impliquant un accueil (ACM) du territoire, créées au cours des 12 derniers mois (les deux sens).',
  },
  {
    key: 'answered',
    label: 'Demandes ayant reçu une réponse',
    definition: 'Parmi elles, celles qui ont reçu une première réponse (message, acceptation ou refus).',
  },
  { key: 'accepted', label: 'Demandes acceptées', definition: 'Parmi elles, celles qui ont été acceptées : un partenariat a été créé.' },
  {
    key: 'signed',
    label: 'Conventions signées',
    definition: 'Parmi elles, celles dont le partenariat est formalisé : convention signée par les deux parties, ou compte rendu approuvé par les deux.',
  },
  { key: 'first_session', label: 'Premières séances réalisées', definition: 'Parmi elles, celles dont au moins une séance est enregistrée comme réalisée.' },
  { key: 'reviewed', label: 'Bilans envoyés par les deux', definition: 'Parmi elles, celles dont l’accueil et le partenaire ont tous deux envoyé leur bilan.' },
];

function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 100) : null;
}

/** Each step of the funnel with its count, its share of the step before and of the requests sent. */
export async function loadFunnel(deps: Deps, scope: Scope) {
  const counts = await funnelCountsAt(deps.db, scope, deps.clock.now());
  return funnelSteps.map((step, i) => {
    const count = counts[step.key];
    const previous = i === 0 ? null : counts[funnelSteps[i - 1]!.key];
    return {
      ...step,
      count,
      ofPrevious: previous === null ? null : percent(count, previous),
      ofSent: i === 0 ? null : percent(count, counts.sent),
    };
  });
}

export type FunnelStep = Awaited<ReturnType<typeof loadFunnel>>[number];

/**
 * Geometry of the bar chart: one row per step, its label above its bar (readable on a phone),
 * bar lengths relative to the first step.
 */
export function funnelChart(steps: FunnelStep[]) {
  const width = 400;
  const barMax = width - 50;
  const rowHeight = 48;
  const barHeight = 18;
  const max = Math.max(1, ...steps.map((s) => s.count));
  return {
    width,
    barMax,
    height: steps.length * rowHeight,
    bars: steps.map((s, i) => {
      const barWidth = Math.round((s.count / max) * barMax);
      const top = i * rowHeight;
      return {
        label: s.label,
        count: s.count,
        labelY: top + 14,
        y: top + 20,
        barHeight,
        width: s.count > 0 ? Math.max(barWidth, 2) : 0,
        valueX: barWidth + 6,
        valueY: top + 20 + barHeight / 2,
      };
    }),
  };
}

export function funnelCsvRows(steps: FunnelStep[]) {
  return steps.map((s) => ({
    Étape: s.label,
    Nombre: s.count,
    'Part de l’étape précédente (%)': s.ofPrevious ?? '',
    'Part des demandes envoyées (%)': s.ofSent ?? '',
    Définition: s.definition,
  }));
}
