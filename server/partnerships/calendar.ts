import joursFeries from '@socialgouv/jours-feries';
import type { SessionPeriodicity } from '../../db/schema/partnerships.js';
import { schoolYearOf } from '../kernel/school-year.js';

/** Dates are ISO strings ("2026-09-02"); arithmetic runs at noon UTC so that no time zone shifts a day. */
const DAY = 86_400_000;
const WEDNESDAY = 3;
const MAX_SESSIONS = 200;

export function toDate(iso: string): Date {
  return new Date(`${iso}T12:00:00Z`);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return isoDate(new Date(toDate(iso).getTime() + days * DAY));
}

export function weekday(iso: string): number {
  return toDate(iso).getUTCDay();
}

/** The first Wednesday on or after the date. */
export function nextWednesday(iso: string): string {
  return addDays(iso, (WEDNESDAY - weekday(iso) + 7) % 7);
}

/** A school holiday period: from the first day off to the first school day after (exclusive). */
interface HolidayPeriod {
  label: string;
  start: string;
  end: string;
}

export interface CalendarContext {
  /** Holiday periods of the ACM's zone (empty when unknown). */
  holidays: HolidayPeriod[];
  /** School years for which the zone's calendar is known. */
  knownSchoolYears: Set<string>;
  /** Alsace-Moselle has two more public holidays (Vendredi saint, Saint-Étienne). */
  alsace: boolean;
}

interface CalendarRules {
  periodStart: string | null;
  periodEnd: string | null;
  periodicity: SessionPeriodicity | null;
  /** 1 to 4, or -1 for the last Wednesday of the month. */
  monthlyWeek?: number | null;
  cycleCount?: number | null;
}

interface SkippedDate {
  date: string;
  reason: string;
}

export interface ComputedCalendar {
  dates: string[];
  skipped: SkippedDate[];
  /** School years touched by the period whose holidays are not known: only public holidays were skipped there. */
  unknownSchoolYears: string[];
}

const publicHolidayCache = new Map<string, Map<string, string>>();

/** Public holidays of a civil year ("2026-11-11" → "Armistice"), from @socialgouv/jours-feries. */
function publicHolidays(year: number, alsace = false): Map<string, string> {
  const key = `${year}-${alsace}`;
  const cached = publicHolidayCache.get(key);
  if (cached) return cached;
  const map = new Map<string, string>();
  for (const [name, date] of Object.entries(joursFeries(year, { alsace }) as Record<string, Date>)) {
    // The package builds local-time midnights; half a day more keeps the same calendar day in any zone.
    const local = new Date(date.getTime() + DAY / 2);
    const iso = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    map.set(iso, name === 'Fête Nationale' ? 'Fête nationale' : name);
  }
  publicHolidayCache.set(key, map);
  return map;
}

/** Why a Wednesday has no session, or null when it is a school Wednesday. */
function exclusionReason(iso: string, context: CalendarContext): string | null {
  const holiday = publicHolidays(Number(iso.slice(0, 4)), context.alsace).get(iso);
  if (holiday) return `jour férié (${holiday})`;
  const period = context.holidays.find((h) => h.start <= iso && iso < h.end);
  return period ? period.label : null;
}

function nthWednesdayOfMonth(year: number, month: number, week: number): string {
  const first = nextWednesday(`${year}-${String(month).padStart(2, '0')}-01`);
  if (week > 0) return addDays(first, (week - 1) * 7);
  const nextMonth = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return addDays(nextWednesday(nextMonth), -7);
}

function candidates(rules: CalendarRules, start: string, end: string): string[] {
  const list: string[] = [];
  if (rules.periodicity === 'mensuel') {
    let year = Number(start.slice(0, 4));
    let month = Number(start.slice(5, 7));
    while (`${year}-${String(month).padStart(2, '0')}` <= end.slice(0, 7) && list.length < MAX_SESSIONS) {
      const date = nthWednesdayOfMonth(year, month, rules.monthlyWeek ?? 1);
      if (date >= start && date <= end) list.push(date);
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
    }
    return list;
  }
  const step = rules.periodicity === 'quinzaine' ? 14 : 7;
  for (let date = nextWednesday(start); date <= end && list.length < MAX_SESSIONS * 2; date = addDays(date, step)) list.push(date);
  return list;
}

/**
 * The session dates of a rule: Wednesdays of the period at the chosen rhythm, without the school
 * holidays of the ACM's zone and the public holidays. A fortnightly rhythm keeps its two-week beat
 * across holidays (the Wednesday that falls in them is dropped, not moved); a monthly one takes the
 * nth Wednesday of each month and drops it when it is off; a cycle takes the first N school
 * Wednesdays from the start; a one-off session takes the first school Wednesday.
 */
export function computeSessionDates(rules: CalendarRules, context: CalendarContext): ComputedCalendar {
  if (!rules.periodStart || !rules.periodicity) return { dates: [], skipped: [], unknownSchoolYears: [] };
  const start = rules.periodStart;
  const open = rules.periodicity === 'cycle' || rules.periodicity === 'ponctuel';
  const end = rules.periodEnd ?? (open ? addDays(start, 366) : start);
  const wanted =
    rules.periodicity === 'cycle' ? Math.max(1, Math.min(rules.cycleCount ?? 1, MAX_SESSIONS)) : rules.periodicity === 'ponctuel' ? 1 : MAX_SESSIONS;
  const dates: string[] = [];
  const skipped: SkippedDate[] = [];
  for (const date of candidates(rules, start, end)) {
    if (dates.length >= wanted) break;
    const reason = exclusionReason(date, context);
    if (reason) skipped.push({ date, reason });
    else dates.push(date);
  }
  const last = dates.at(-1) ?? end;
  const years = new Set<string>();
  for (let date = start; date <= last; date = addDays(date, 28)) years.add(schoolYearOf(date));
  years.add(schoolYearOf(last));
  const unknownSchoolYears = [...years].filter((y) => !context.knownSchoolYears.has(y)).sort();
  return { dates, skipped, unknownSchoolYears };
}

/** Holiday rows of one zone (school_holidays) as periods; summer runs until the next rentrée. */
export function holidayPeriods(rows: { schoolYear: string; label: string; startDate: string | null; endDate: string | null }[]): HolidayPeriod[] {
  const rentrees = new Map(rows.filter((r) => !r.startDate && r.endDate).map((r) => [r.schoolYear, r.endDate!]));
  const periods: HolidayPeriod[] = [];
  for (const row of rows) {
    if (row.startDate && row.endDate) periods.push({ label: row.label, start: row.startDate, end: row.endDate });
    else if (row.startDate) {
      const nextYear = `${Number(row.schoolYear.slice(5, 9))}-${Number(row.schoolYear.slice(5, 9)) + 1}`;
      periods.push({ label: row.label, start: row.startDate, end: rentrees.get(nextYear) ?? `${row.startDate.slice(0, 4)}-09-01` });
    } else if (row.endDate) {
      periods.push({ label: 'Avant la rentrée', start: `${row.endDate.slice(0, 4)}-08-01`, end: row.endDate });
    }
  }
  return periods;
}

/** Default times of the Wednesday slots (editable per partnership). */
export const slotTimes: Record<string, { start: string; end: string }> = {
  'mercredi-matin': { start: '09:30', end: '11:30' },
  'mercredi-apres-midi': { start: '14:00', end: '16:00' },
  'mercredi-journee': { start: '09:30', end: '16:00' },
};

export function durationHours(start: string, end: string): number {
  const [sh, sm] = start.split(':').map(Number) as [number, number];
  const [eh, em] = end.split(':').map(Number) as [number, number];
  return Math.max(0, eh * 60 + em - (sh * 60 + sm)) / 60;
}

/** Shifts a date by one school year, keeping the weekday (52 weeks). */
export function nextYearSameWeekday(iso: string): string {
  return addDays(iso, 364);
}
