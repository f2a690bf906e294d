import { TZDate } from '@date-fns/tz';

/** The one time zone of the service: every "today", reminder hour and local time is read in it. */
const PARIS = 'Europe/Paris';

const pad = (n: number) => String(n).padStart(2, '0');

/** The calendar date in Paris of an instant, "2026-06-11" (as the date columns store it). */
export function parisToday(instant: Date): string {
  const local = new TZDate(instant.getTime(), PARIS);
  return `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
}

/** Wall-clock hour in Paris (0–23). */
export function parisHour(instant: Date): number {
  return new TZDate(instant.getTime(), PARIS).getHours();
}

/** The instant of a local date and time in Paris ("2026-06-10", "09:30"). */
export function parisInstant(date: string, time = '00:00'): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return new Date(new TZDate(year, month - 1, day, hours, minutes, PARIS).getTime());
}

/** Midnight of the Paris day that contains `instant`, as an instant. */
export function startOfParisDay(instant: Date): Date {
  return parisInstant(parisToday(instant));
}

/** ISO weekday of the Paris day of an instant: 1 Monday … 7 Sunday. */
export function parisWeekday(instant: Date): number {
  const day = new Date(`${parisToday(instant)}T12:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** The ISO week (Monday to Sunday) of the Paris day of an instant: "2026-W49". */
export function parisWeek(instant: Date): string {
  const day = new Date(`${parisToday(instant)}T00:00:00Z`);
  // The Thursday of the same week decides the year of the week (ISO 8601).
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
