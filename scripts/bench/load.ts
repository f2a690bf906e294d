import type { BenchOptions } from './app.js';

export async function runLoadBench(_options: BenchOptions): Promise<void> {
  throw new Error('not yet');
}
