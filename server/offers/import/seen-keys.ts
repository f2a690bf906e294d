import { hash64 } from '../../kernel/hash.js';

/**
 * The external_ids met so far in a file, with the line of each: a 64-bit hash per key in an
 * open-addressing table of typed arrays, 12 bytes a slot — about 25 MB at a million lines, where a
 * Map of the strings took 70. Two different keys share a hash with a probability of about 3e-8 over
 * a million lines: the later one would be reported as a duplicate, with the line of the other.
 */
export class SeenKeys {
  private high = new Uint32Array(1 << 16);
  private low = new Uint32Array(1 << 16);
  /** The line of the key in each slot; 0 marks an empty slot (lines count from 1). */
  private lines = new Uint32Array(1 << 16);
  private count = 0;

  /** The line where this key was first met, or undefined after recording it at this line. */
  firstLine(key: string, line: number): number | undefined {
    const [high, low] = hash64(key);
    const slot = this.find(high, low);
    if (this.lines[slot] !== 0) return this.lines[slot];
    this.high[slot] = high;
    this.low[slot] = low;
    this.lines[slot] = line;
    if (++this.count * 2 > this.lines.length) this.grow();
    return undefined;
  }

  private find(high: number, low: number): number {
    const mask = this.lines.length - 1;
    let slot = low & mask;
    while (this.lines[slot] !== 0 && (this.high[slot] !== high || this.low[slot] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { high, low, lines } = this;
    this.high = new Uint32Array(lines.length * 2);
    this.low = new Uint32Array(lines.length * 2);
    this.lines = new Uint32Array(lines.length * 2);
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      const slot = this.find(high[i]!, low[i]!);
      this.high[slot] = high[i]!;
      this.low[slot] = low[i]!;
      this.lines[slot] = lines[i]!;
    }
  }
}
