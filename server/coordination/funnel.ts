import type { Deps } from '../deps.js';
import { type FunnelCounts, funnelCounts, type Scope } from './coordination.repository.js';

/** The funnel looks at the requests of the last 12 months. */
export const FUNNEL_DAYS = 365;

export const funnelSteps: { key: keyof FunnelCounts; label: string; definition: string }[] = [
  {
    key: 'sent',
    label: 'Demandes envoyées',
    definition: 'Demandes de partenariat impliquant un accueil du territoire, créées au cours des 12 derniers mois (les deux sens).',
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
  const since = new Date(deps.clock.now().getTime() - FUNNEL_DAYS * 86_400_000);
  const counts = await funnelCounts(deps.db, scope, since);
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

/** Geometry of the horizontal bar chart: one bar per step, widths relative to the first. */
export function funnelChart(steps: FunnelStep[]) {
  const width = 640;
  const labelWidth = 250;
  const barMax = width - labelWidth - 60;
  const rowHeight = 36;
  const max = Math.max(1, ...steps.map((s) => s.count));
  return {
    width,
    height: steps.length * rowHeight + 8,
    bars: steps.map((s, i) => {
      const barWidth = Math.round((s.count / max) * barMax);
      return {
        label: s.label,
        count: s.count,
        y: i * rowHeight + 4,
        textY: i * rowHeight + 4 + rowHeight / 2,
        x: labelWidth,
        width: Math.max(barWidth, s.count > 0 ? 2 : 0),
        valueX: labelWidth + Math.max(barWidth, 0) + 6,
        barHeight: rowHeight - 10,
      };
    }),
    labelX: labelWidth - 8,
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
