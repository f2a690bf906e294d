import { expect, it } from 'vitest';
import { Turns } from '../../server/lib/turns.js';

it('counts a turn given back twice once, so that no more than its size are ever given', async () => {
  const turns = new Turns(1);
  const release = await turns.take(1_000);
  const next = turns.take(1_000);
  release();
  release();
  const second = await next;
  expect(turns.busy).toBe(1);
  const third = turns.take(50);
  await expect(third).rejects.toBe('timeout');
  second();
  expect(turns.busy).toBe(0);
});

it('leaves the line at once when the wait is abandoned (or refuses one abandoned already), and gives the turn to the next still waiting', async () => {
  const turns = new Turns(1);
  const release = await turns.take(1_000);
  const leaving = new AbortController();
  const abandoned = turns.take(1_000, leaving.signal);
  const staying = turns.take(1_000);
  leaving.abort();
  await expect(abandoned).rejects.toBe('abandoned');
  expect(turns.waiting).toBe(1);
  await expect(turns.take(1_000, leaving.signal)).rejects.toBe('abandoned');
  expect(turns.waiting).toBe(1);
  release();
  (await staying)();
  expect([turns.busy, turns.waiting]).toEqual([0, 0]);
});

it('gives a free turn at once without a wait, and none while others wait in line', async () => {
  const turns = new Turns(1);
  const release = turns.tryTake();
  expect(release).toBeTypeOf('function');
  expect(turns.tryTake()).toBeNull();
  const waiting = turns.take(1_000);
  release!();
  expect(turns.tryTake()).toBeNull(); // the turn went to the one in line
  (await waiting)();
  expect(turns.busy).toBe(0);
  expect(turns.tryTake()).toBeTypeOf('function');
});
