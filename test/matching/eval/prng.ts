import { prng as seededNext } from '../../../server/kernel/prng.js';

/** The kernel's seeded generator with the draws the evaluation catalogue makes: the same catalogue on every machine. */
export function prng(seed: number) {
  const next = seededNext(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const weighted = <T>(entries: readonly [T, number][]): T => {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries.at(-1)![0];
  };
  const chance = (p: number) => next() < p;
  const sample = <T>(values: readonly T[], count: number): T[] => {
    const pool = [...values];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    return out;
  };
  return { next, int, pick, weighted, chance, sample };
}
