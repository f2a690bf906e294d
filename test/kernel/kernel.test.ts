import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../server/kernel/distance.js';
import { parisHour, parisInstant, parisToday, parisWeek, parisWeekday, startOfParisDay } from '../../server/kernel/paris-time.js';
import { schoolYearOf } from '../../server/kernel/school-year.js';

describe('Paris time', () => {
  it('turns the date at midnight in Paris, two hours before UTC in summer and one in winter', () => {
    expect(parisToday(new Date('2026-06-10T21:59:00Z'))).toBe('2026-06-10');
    expect(parisToday(new Date('2026-06-10T22:30:00Z'))).toBe('2026-06-11');
    expect(parisToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(parisHour(new Date('2026-06-10T05:00:00Z'))).toBe(7);
    expect(startOfParisDay(new Date('2026-06-10T22:30:00Z')).toISOString()).toBe('2026-06-10T22:00:00.000Z');
    expect(startOfParisDay(new Date('2026-01-15T12:00:00Z')).toISOString()).toBe('2026-01-14T23:00:00.000Z');
  });

  it('places local times on the right side of the daylight-saving changes', () => {
    expect(parisInstant('2026-03-28', '09:30').toISOString()).toBe('2026-03-28T08:30:00.000Z');
    expect(parisInstant('2026-03-29', '09:30').toISOString()).toBe('2026-03-29T07:30:00.000Z');
    expect(parisInstant('2026-10-25', '09:30').toISOString()).toBe('2026-10-25T08:30:00.000Z');
  });

  it('starts the school year on 1 August in Paris', () => {
    expect(schoolYearOf(new Date('2026-07-31T21:59:00Z'))).toBe('2025-2026');
    expect(schoolYearOf(new Date('2026-07-31T22:30:00Z'))).toBe('2026-2027');
    expect(schoolYearOf('2026-08-01')).toBe('2026-2027');
  });
});

describe('Paris weeks', () => {
  it('reads the ISO week and weekday of the Paris day, across the new year and at night', () => {
    expect(parisWeek(new Date('2026-12-04T10:00:00Z'))).toBe('2026-W49');
    expect(parisWeekday(new Date('2026-12-04T10:00:00Z'))).toBe(5);
    // Sunday 29 November, 23:30 UTC, is already Monday 30 November in Paris.
    expect(parisWeek(new Date('2026-11-29T23:30:00Z'))).toBe('2026-W49');
    expect(parisWeekday(new Date('2026-11-29T23:30:00Z'))).toBe(1);
    expect(parisWeek(new Date('2024-12-30T10:00:00Z'))).toBe('2025-W01');
    expect(parisWeek(new Date('2027-01-03T20:00:00Z'))).toBe('2026-W53');
    expect(parisWeek(new Date('2027-01-04T08:00:00Z'))).toBe('2027-W01');
  });
});

describe('distanceKm', () => {
  it('measures on the sphere of PostgreSQL earthdistance (Lyon–Paris ≈ 392 km)', () => {
    expect(distanceKm(45.764, 4.8357, 48.8566, 2.3522)).toBeCloseTo(392.4, 0);
    expect(distanceKm(45.764, 4.8357, 45.764, 4.8357)).toBe(0);
  });
});
