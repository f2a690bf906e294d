// Preloaded into the app by `npm run bench -- --trace` (node --import): finds what the long event
// loop blocks are made of. A 5 ms timer notes how late it fires; when it fires more than
// TRACE_LATE_MS (default 15) late, the work done since its previous tick is written to
// TRACE_FILE (default /tmp/bench-trace.jsonl): the time spent in the snapshot's evaluate,
// byRelevance and positionsOf, in JSON.stringify, in GC pauses (by kind), and the CPU time the process got (the machine may be busy with others). A summary of every tick goes there too when the app exits. Not part of the app.
import { appendFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { OfferSnapshot } from '../search/snapshot.js';

const FILE = process.env.TRACE_FILE ?? '/tmp/bench-trace.jsonl';
const LATE_MS = Number(process.env.TRACE_LATE_MS ?? 15);
const TICK_MS = 5;

type Counter = 'evaluate' | 'byRelevance' | 'positionsOf' | 'json' | 'gcMinor' | 'gcMajor' | 'gcIncremental' | 'gcWeak';
const spent: Record<Counter, number> = { evaluate: 0, byRelevance: 0, positionsOf: 0, json: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeak: 0 };
const calls: Record<Counter, number> = { evaluate: 0, byRelevance: 0, positionsOf: 0, json: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeak: 0 };
/** The slowest single call of each kind since the last tick. */
const slowest: Record<Counter, number> = { evaluate: 0, byRelevance: 0, positionsOf: 0, json: 0, gcMinor: 0, gcMajor: 0, gcIncremental: 0, gcWeak: 0 };

/** Every call's duration since the bench's last "reset", per kind. */
const durations = new Map<Counter, number[]>();

function note(counter: Counter, ms: number): void {
  const list = durations.get(counter) ?? [];
  if (list.length === 0) durations.set(counter, list);
  list.push(ms);
  spent[counter] += ms;
  calls[counter]++;
  if (ms > slowest[counter]) slowest[counter] = ms;
}

function timed<T extends object, K extends keyof T>(target: T, name: K, counter: Counter): void {
  const original = target[name] as (...args: unknown[]) => unknown;
  (target as Record<K, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      note(counter, performance.now() - start);
    }
  };
}

function install(): void {
  timed(OfferSnapshot.prototype, 'evaluate', 'evaluate');
  timed(OfferSnapshot.prototype, 'byRelevance', 'byRelevance');
  timed(OfferSnapshot.prototype, 'positionsOf', 'positionsOf');
  timed(JSON, 'stringify', 'json');
  const gcKinds: Record<number, Counter> = { 1: 'gcMinor', 2: 'gcMajor', 4: 'gcIncremental', 8: 'gcWeak' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) note(gcKinds[(entry as PerformanceEntry & { detail: { kind: number } }).detail.kind] ?? 'gcMajor', entry.duration);
  }).observe({ entryTypes: ['gc'] });
  const delays: number[] = [];
  let expected = performance.now() + TICK_MS;
  let lines: string[] = [];
  let cpu = process.cpuUsage();
  let tickAt = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    expected = now + TICK_MS;
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const wall = now - tickAt;
    tickAt = now;
    delays.push(late);
    if (late > LATE_MS) {
      const round = (v: number) => Math.round(v * 10) / 10;
      const entry = {
        late: round(late),
        // CPU time of the process (every thread) over the wall time since the previous tick: far below it, the process waited for a core.
        cpu: `${round((used.user + used.system) / 1000)}/${round(wall)}`,
        ...Object.fromEntries(Object.keys(spent).map((k) => [k, `${round(spent[k as Counter])}/${calls[k as Counter]} max ${round(slowest[k as Counter])}`])),
      };
      lines.push(JSON.stringify(entry));
    }
    for (const k of Object.keys(spent) as Counter[]) {
      spent[k] = 0;
      calls[k] = 0;
      slowest[k] = 0;
    }
    if (lines.length >= 20) {
      appendFileSync(FILE, `${lines.join('\n')}\n`);
      lines = [];
    }
  }, TICK_MS);
  timer.unref();
  writeFileSync(FILE, '');
  // The bench resets the loop monitor before each scenario and asks its figures after it.
  process.on('message', (message) => {
    if (message === 'reset') {
      durations.clear();
      delays.length = 0;
      lines.push(JSON.stringify({ section: 'start' }));
    }
    if (message === 'report') {
      const summary: Record<string, string> = {};
      for (const [counter, list] of durations) summary[counter] = distribution(list);
      lines.push(JSON.stringify({ section: 'end', delays: distribution(delays), ...summary }));
      appendFileSync(FILE, `${lines.join('\n')}\n`);
      lines = [];
    }
  });
  process.on('exit', () => {
    delays.sort((a, b) => a - b);
    const at = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? 0;
    lines.push(JSON.stringify({ summary: true, ticks: delays.length, p99: at(99), max: delays[delays.length - 1] ?? 0 }));
    appendFileSync(FILE, `${lines.join('\n')}\n`);
  });
}

/** n, total, p50, p99 and max of some durations (ms). */
function distribution(list: number[]): string {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (p: number) => (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return `n ${sorted.length} total ${total.toFixed(0)} p50 ${at(50)} p99 ${at(99)} max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)}`;
}

install();
