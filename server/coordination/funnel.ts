import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { labelOf, themes } from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';
import { type FunnelCounts, type FunnelDelayKey, type FunnelGroupRow, funnelCounts, funnelGroups, type Scope } from './coordination.repository.js';

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

// ——— Per month, per theme, and the median delays between steps ———

/** The delay between each step and the one before it, named after the later step. */
export const funnelDelaySteps: { key: FunnelDelayKey; label: string; definition: string }[] = [
  {
    key: 'answered',
    label: 'Envoi → réponse',
    definition: 'Délai médian entre l’envoi de la demande et sa première réponse, pour les demandes qui ont reçu une réponse.',
  },
  {
    key: 'accepted',
    label: 'Réponse → acceptation',
    definition: 'Délai médian entre la première réponse et l’acceptation, pour les demandes acceptées.',
  },
  {
    key: 'signed',
    label: 'Acceptation → convention',
    definition: 'Délai médian entre l’acceptation et la signature de la convention par les deux parties (ou l’approbation du compte rendu).',
  },
  {
    key: 'first_session',
    label: 'Convention → 1re séance',
    definition: 'Délai médian entre la signature et la première séance réalisée (0 si la séance a eu lieu avant la signature).',
  },
  {
    key: 'reviewed',
    label: '1re séance → bilans',
    definition: 'Délai médian entre la première séance réalisée et l’envoi du second bilan.',
  },
];

/** Short column headers of the steps in the breakdown tables (the definitions are those of funnelSteps). */
const shortStepLabels: Record<keyof FunnelCounts, string> = {
  sent: 'Envoyées',
  answered: 'Avec réponse',
  accepted: 'Acceptées',
  signed: 'Conventions signées',
  first_session: '1res séances',
  reviewed: 'Bilans des deux',
};

/** A median in days, French style: "2,5" (one decimal), '' when no request reached the step. */
export function formatDays(days: number | null): string {
  return days === null ? '' : formatters.number(Math.round(days * 10) / 10);
}

const monthFormat = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "2026-03" → "mars 2026". */
export function monthLabel(month: string): string {
  return monthFormat.format(new Date(`${month}-15T12:00:00Z`));
}

/** The months of the period, oldest first: "2025-12" … "2026-12". */
function monthsBetween(since: Date, now: Date): string[] {
  const key = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const months: string[] = [];
  // Months of the Paris calendar, as the requests' months are read.
  const cursor = new Date(`${parisToday(since).slice(0, 7)}-15T12:00:00Z`);
  const last = parisToday(now).slice(0, 7);
  while (months.length < 24) {
    months.push(key(cursor));
    if (key(cursor) === last) break;
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

export interface FunnelBreakdownRow {
  label: string;
  /** The counts of the steps, in the order of funnelSteps. */
  counts: number[];
  /** The median delays, formatted, in the order of funnelDelaySteps. */
  delays: string[];
  /** How many requests each median was measured on. */
  measured: number[];
}

function breakdownRow(label: string, row: FunnelGroupRow | undefined): FunnelBreakdownRow {
  return {
    label,
    counts: funnelSteps.map((s) => row?.[s.key] ?? 0),
    delays: funnelDelaySteps.map((d) => formatDays(row?.medians[d.key] ?? null)),
    measured: funnelDelaySteps.map((d) => row?.measured[d.key] ?? 0),
  };
}

/**
 * The funnel of the same 12 months, as a whole, per month of the request (every month of the
 * period, empty ones included) and per theme of its offer or need, with the median delays.
 */
export async function loadFunnelBreakdown(deps: Deps, scope: Scope) {
  const now = deps.clock.now();
  const since = funnelSince(now);
  const groups = await funnelGroups(deps.db, scope, since);
  const total = breakdownRow(
    'Ensemble',
    groups.find((g) => g.grouping === 'all'),
  );
  const byMonth = new Map(groups.filter((g) => g.grouping === 'month').map((g) => [g.key, g]));
  const byTheme = new Map(groups.filter((g) => g.grouping === 'theme').map((g) => [g.key, g]));
  const months = monthsBetween(since, now).map((m) => breakdownRow(monthLabel(m), byMonth.get(m)));
  const themeRows = [...themes.map((t) => t.value), '']
    .filter((t) => byTheme.has(t))
    .map((t) => breakdownRow(t ? labelOf(themes, t) : 'Sans thème', byTheme.get(t)));
  return {
    columns: [
      ...funnelSteps.map((s) => ({ label: shortStepLabels[s.key], definition: s.definition })),
      ...funnelDelaySteps.map((d) => ({ label: `${d.label} (jours)`, definition: d.definition })),
    ],
    delaySteps: funnelDelaySteps.map((d, i) => ({ ...d, median: total.delays[i]!, measured: total.measured[i]! })),
    total,
    months,
    themes: themeRows,
  };
}

export type FunnelBreakdown = Awaited<ReturnType<typeof loadFunnelBreakdown>>;

/** The breakdown as CSV rows: the whole, each month, each theme; the same cells as the page. */
export function funnelBreakdownCsvRows(breakdown: FunnelBreakdown) {
  const headers = [...funnelSteps.map((s) => `${s.label}`), ...funnelDelaySteps.map((d) => `Délai médian ${d.label} (jours)`)];
  const line = (grouping: string, row: FunnelBreakdownRow) => {
    const record: Record<string, string | number> = { Découpage: grouping, Ligne: row.label };
    [...row.counts, ...row.delays].forEach((value, i) => {
      record[headers[i]!] = value;
    });
    return record;
  };
  return [line('Ensemble', breakdown.total), ...breakdown.months.map((r) => line('Mois de la demande', r)), ...breakdown.themes.map((r) => line('Thème', r))];
}
