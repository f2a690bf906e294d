import { describe, expect, it } from 'vitest';
import type { Session } from '../../server/partnerships/calendar.repository.js';
import { planCalendarRestore } from '../../server/partnerships/calendar-restore.js';

let nextId = 1;
function session(date: string, values: Partial<Session> = {}): Session {
  const now = new Date('2026-12-01T10:00:00Z');
  return {
    id: nextId++,
    partnershipId: 1,
    date,
    startTime: '14:00',
    endTime: '16:00',
    status: 'planned',
    cancelReason: null,
    childrenPresent: null,
    attendanceGroups: [],
    notes: '',
    manual: false,
    originalDate: null,
    reminderSentAt: null,
    createdAt: now,
    updatedAt: now,
    ...values,
  };
}

const signed = ['2027-01-06', '2027-01-13', '2027-01-20'];
const today = '2027-01-01';

describe('putting the sessions back as signed', () => {
  it('changes nothing when the sessions are the signed ones', () => {
    const plan = planCalendarRestore(
      signed,
      signed.map((d) => session(d)),
      today,
    );
    expect(plan).toEqual({ moves: [], reinstated: [], removed: [], added: [], blocked: [] });
  });

  it('moves a moved session back to the date it came from, and another one to the signed date left', () => {
    const moved = session('2027-01-12', { originalDate: '2027-01-13', manual: true });
    const other = session('2027-01-21', { manual: true, originalDate: '2026-12-30' });
    const plan = planCalendarRestore(signed, [session('2027-01-06'), moved, other], today);
    expect(plan.moves).toEqual([
      { id: moved.id, from: '2027-01-12', to: '2027-01-13', originalDate: '2027-01-13' },
      { id: other.id, from: '2027-01-21', to: '2027-01-20', originalDate: '2026-12-30' },
    ]);
    expect(plan.added).toEqual([]);
    expect(plan.blocked).toEqual([]);
  });

  it('reinstates a cancelled session, removes an added one and replans a signed date no session covers', () => {
    const cancelled = session('2027-01-13', { status: 'cancelled', cancelReason: 'Grève' });
    const added = session('2027-02-03', { manual: true });
    const plan = planCalendarRestore(signed, [session('2027-01-06'), cancelled, added], today);
    expect(plan.reinstated).toEqual([{ id: cancelled.id, date: '2027-01-13' }]);
    expect(plan.moves).toEqual([{ id: added.id, from: '2027-02-03', to: '2027-01-20', originalDate: null }]);
    const extra = session('2027-02-10', { manual: true });
    const second = planCalendarRestore(signed, [...signed.map((d) => session(d)), extra], today);
    expect(second.removed).toEqual([{ id: extra.id, date: '2027-02-10' }]);
    expect(planCalendarRestore(signed, [session('2027-01-06')], today).added).toEqual(['2027-01-13', '2027-01-20']);
  });

  it('leaves held and past sessions, and past signed dates, to the parties', () => {
    const held = session('2027-01-05', { status: 'held', childrenPresent: 12, originalDate: '2027-01-06' });
    const plan = planCalendarRestore(signed, [held, session('2027-01-13'), session('2027-01-20')], '2027-01-08');
    expect(plan.moves).toEqual([]);
    expect(plan.blocked).toEqual([
      { date: '2027-01-05', why: 'held' },
      { date: '2027-01-06', why: 'past' },
    ]);
    const today2 = '2027-01-15';
    const late = planCalendarRestore(signed, [session('2027-01-06'), session('2027-01-12', { originalDate: '2027-01-13' }), session('2027-01-20')], today2);
    expect(late.moves).toEqual([]);
    expect(late.blocked).toEqual([
      { date: '2027-01-12', why: 'past' },
      { date: '2027-01-13', why: 'past' },
    ]);
  });
});
