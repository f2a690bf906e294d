import type { Session } from './calendar.repository.js';

/**
 * How to put the sessions back as the signed calendar annex has them, when an amendment that
 * changed them is refused or withdrawn. Only what has not happened yet is touched: a session is
 * moved, reinstated or removed only if it is planned, after today and has no attendance, and a
 * session goes back or is added only on a date after today. The rest is left to the parties.
 */
export interface CalendarRestore {
  /** A session moved after the signature goes back to a signed date (times: the calendar's). */
  moves: { id: number; from: string; to: string; originalDate: string | null }[];
  /** A session cancelled after the signature is planned again. */
  reinstated: { id: number; date: string }[];
  /** A session added after the signature is removed. */
  removed: { id: number; date: string }[];
  /** A signed date no session covers any more gets a new session. */
  added: string[];
  /** What cannot be put back: sessions already held or past, signed dates already past. */
  blocked: { date: string; why: 'held' | 'past' }[];
}

export function planCalendarRestore(signedDates: string[], sessions: Session[], today: string): CalendarRestore {
  const signed = new Set(signedDates);
  const active = sessions.filter((s) => s.status !== 'cancelled').sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id);
  const covered = new Set(active.map((s) => s.date));
  let missing = [...signed].filter((d) => !covered.has(d)).sort();
  let extra = active.filter((s) => !signed.has(s.date));
  const movable = (s: Session) => s.status === 'planned' && s.date > today && s.childrenPresent === null;
  const plan: CalendarRestore = { moves: [], reinstated: [], removed: [], added: [], blocked: [] };
  const take = (date: string) => {
    missing = missing.filter((d) => d !== date);
  };

  // A moved session goes back to the date it was moved from, when that date is a signed one.
  for (const s of extra) {
    if (movable(s) && s.originalDate && s.originalDate > today && missing.includes(s.originalDate)) {
      plan.moves.push({ id: s.id, from: s.date, to: s.originalDate, originalDate: s.originalDate });
      take(s.originalDate);
    }
  }
  extra = extra.filter((s) => !plan.moves.some((m) => m.id === s.id));
  // A session cancelled after the signature is planned again.
  for (const s of sessions) {
    if (s.status === 'cancelled' && s.date > today && missing.includes(s.date)) {
      plan.reinstated.push({ id: s.id, date: s.date });
      take(s.date);
    }
  }
  // Other sessions moved or added go, in date order, to the signed dates left; any left over are removed.
  for (const s of extra) {
    if (!movable(s)) {
      plan.blocked.push({ date: s.date, why: s.status === 'held' || s.childrenPresent !== null ? 'held' : 'past' });
      continue;
    }
    const to = missing.find((d) => d > today);
    if (to) {
      plan.moves.push({ id: s.id, from: s.date, to, originalDate: s.originalDate });
      take(to);
    } else {
      plan.removed.push({ id: s.id, date: s.date });
    }
  }
  for (const d of missing) {
    if (d > today) plan.added.push(d);
    else plan.blocked.push({ date: d, why: 'past' });
  }
  return plan;
}

export function restoresAnything(plan: CalendarRestore): boolean {
  return plan.moves.length + plan.reinstated.length + plan.removed.length + plan.added.length > 0;
}
