import { parisToday } from './paris-time.js';

/** "2026-2027" for any date (or instant, read in Paris) from 1 August 2026 to 31 July 2027. */
export function schoolYearOf(date: Date | string): string {
  const day = typeof date === 'string' ? date.slice(0, 10) : parisToday(date);
  const year = Number(day.slice(0, 4));
  const start = Number(day.slice(5, 7)) >= 8 ? year : year - 1;
  return `${start}-${start + 1}`;
}

/** First and last day of a school year's availability period (September to early July). */
export function schoolYearBounds(schoolYear: string): { start: string; end: string } {
  const start = Number(schoolYear.slice(0, 4));
  return { start: `${start}-09-01`, end: `${start + 1}-07-04` };
}

export function nextSchoolYear(schoolYear: string): string {
  const start = Number(schoolYear.slice(0, 4)) + 1;
  return `${start}-${start + 1}`;
}
