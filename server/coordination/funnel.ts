import type { Db } from '../../db/client.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { labelOf, themes } from '../kernel/taxonomy.js';
import { formatters } from '../lib/format.js';
import { type FunnelCounts, type FunnelDelayKey, type FunnelGroupRow, funnelCounts, funnelGroups, type Scope } from './coordination.repository.js';
import { readStoredFunnel, staleFunnels, storeFunnel } from './funnel.repository.js';

/**
 * The one definition of the partnership steps: the coordinator's funnel and the public statistics
 * page both count them here, so their numbers and definitions are the same.
 * The funnel looks at the requests of the last 12 months.
 */
const FUNNEL_DAYS = 365;

function funnelSince(now: Date): Date {
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

// ——— Stored, never computed per page view ———

/** The job recomputes the stored funnels this often (and after relevant writes: see figures-dirty.repository.ts). */
export const FUNNEL_REFRESH_MS = 10 * 60_000;
/** A view recomputes a stored funnel only past this age (jobs off). */
const FUNNEL_MAX_AGE_MS = 60 * 60_000;
/** The shape of the stored figures: a row of another format is recomputed. */
const FUNNEL_FORMAT = 1;

/** What territory_funnel keeps: the groups of funnelGroups (the whole, each month, each theme) of the 12 months before computedAt. */
interface StoredFunnelFigures {
  format: number;
  groups: FunnelGroupRow[];
}

interface StoredFunnel {
  figures: StoredFunnelFigures;
  computedAt: Date;
}

/** Computations in progress (per database), so that simultaneous first views of one scope compute it once. */
const inFlightByDb = new WeakMap<object, Map<string, Promise<StoredFunnel>>>();

/** Computes and stores the funnel of a scope (what the job and a first view run). */
async function refreshFunnel(deps: Pick<Deps, 'db' | 'clock'>, scope: Scope): Promise<StoredFunnel> {
  const key = `${scope.kind}:${scope.code}`;
  const inFlight = inFlightByDb.get(deps.db) ?? new Map<string, Promise<StoredFunnel>>();
  inFlightByDb.set(deps.db, inFlight);
  const running = inFlight.get(key);
  if (running) return running;
  const work = (async () => {
    // Stamped with the start: a write during the computation leaves the row stale.
    const computedAt = deps.clock.now();
    const figures: StoredFunnelFigures = { format: FUNNEL_FORMAT, groups: await funnelGroups(deps.db, scope, funnelSince(computedAt)) };
    await storeFunnel(deps.db, scope, figures, computedAt);
    return { figures, computedAt };
  })();
  inFlight.set(key, work);
  try {
    return await work;
  } finally {
    inFlight.delete(key);
  }
}

/**
 * The stored funnel of a scope. The job keeps it fresh (periodically and after relevant writes),
 * so a view reads it; a view computes only a scope nobody viewed yet, or figures too old (jobs off).
 */
export async function territoryFunnel(deps: Pick<Deps, 'db' | 'clock'>, scope: Scope): Promise<StoredFunnel> {
  const stored = await readStoredFunnel(deps.db, scope);
  if (stored) {
    const figures = stored.figures as StoredFunnelFigures;
    if (figures.format === FUNNEL_FORMAT && deps.clock.now().getTime() - stored.computedAt.getTime() < FUNNEL_MAX_AGE_MS) {
      return { figures, computedAt: stored.computedAt };
    }
  }
  return refreshFunnel(deps, scope);
}

/** The job: recomputes the funnels stored more than FUNNEL_REFRESH_MS ago or before the last relevant write (a bounded batch). */
export async function refreshStaleFunnels(deps: Pick<Deps, 'db' | 'clock'>, limit = 50): Promise<number> {
  const stale = await staleFunnels(deps.db, new Date(deps.clock.now().getTime() - FUNNEL_REFRESH_MS + 1000), limit);
  for (const scope of stale) await refreshFunnel(deps, scope);
  return stale.length;
}

/** The counts of the whole period: the group 'all' (the same count as funnelCounts). */
function storedCounts(stored: StoredFunnel): FunnelCounts {
  const all = stored.figures.groups.find((g) => g.grouping === 'all');
  return {
    sent: all?.sent ?? 0,
    answered: all?.answered ?? 0,
    accepted: all?.accepted ?? 0,
    signed: all?.signed ?? 0,
    first_session: all?.first_session ?? 0,
    reviewed: all?.reviewed ?? 0,
  };
}

/** Each step of the funnel with its count, its share of the step before and of the requests sent. */
export function funnelStepsOf(stored: StoredFunnel) {
  const counts = storedCounts(stored);
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

/** The steps of a scope's stored funnel (page and CSV read the same row). */
export async function loadFunnel(deps: Pick<Deps, 'db' | 'clock'>, scope: Scope) {
  return funnelStepsOf(await territoryFunnel(deps, scope));
}

type FunnelStep = ReturnType<typeof funnelStepsOf>[number];

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
const funnelDelaySteps: { key: FunnelDelayKey; label: string; definition: string }[] = [
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
function formatDays(days: number | null): string {
  return days === null ? '' : formatters.number(Math.round(days * 10) / 10);
}

const monthFormat = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "2026-03" → "mars 2026". */
function monthLabel(month: string): string {
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

interface FunnelBreakdownRow {
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
 * period, empty ones included) and per theme of its offer or need, with the median delays; read
 * from the stored funnel (its months are those of the 12 months before it was computed).
 */
export function funnelBreakdownOf(stored: StoredFunnel) {
  const now = stored.computedAt;
  const since = funnelSince(now);
  const groups = stored.figures.groups;
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

export async function loadFunnelBreakdown(deps: Pick<Deps, 'db' | 'clock'>, scope: Scope) {
  return funnelBreakdownOf(await territoryFunnel(deps, scope));
}

type FunnelBreakdown = ReturnType<typeof funnelBreakdownOf>;

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
