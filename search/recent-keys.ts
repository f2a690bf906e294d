import { hash64 } from '../server/kernel/hash.js';

/**
 * Which keys were asked for recently, as 32-bit fingerprints in a fixed table: a key's slot is
 * overwritten by later keys that hash to it, so "recently" means within roughly the last
 * `slots` distinct keys. A typed array, so remembering costs the garbage collector nothing.
 */
export class RecentKeys {
  private readonly fingerprints: Uint32Array;
  private readonly mask: number;

  /** `slots` is rounded up to a power of two. */
  constructor(slots = 1 << 16) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, slots)));
    this.fingerprints = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Whether the key was asked for recently; remembers it either way. */
  askedBefore(key: string): boolean {
    const [fingerprint, slot] = hash64(key);
    const index = slot & this.mask;
    const mark = fingerprint || 1; // 0 means an empty slot
    if (this.fingerprints[index] === mark) return true;
    this.fingerprints[index] = mark;
    return false;
  }
}
