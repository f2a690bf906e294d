/** "2026-2027" for any date from 1 August 2026 to 31 July 2027. */
export function schoolYearOf(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(`${date.slice(0, 10)}T12:00:00Z`) : date;
  const year = d.getUTCFullYear();
  const start = d.getUTCMonth() >= 7 ? year : year - 1;
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
