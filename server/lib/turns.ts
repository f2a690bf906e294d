/** Why a wait for a turn ended without one. */
export type NoTurn = 'timeout' | 'abandoned';

interface Waiter {
  grant: (release: () => void) => void;
  timer: NodeJS.Timeout;
}

/**
 * A fixed number of turns, given first come, first served. `take` resolves with the function that
 * gives the turn back (once; later calls do nothing), or rejects with a NoTurn reason when the
 * wait lasts too long or is abandoned.
 */
export class Turns {
  private active = 0;
  // A Set keeps arrival order and lets a waiter leave from anywhere in the line.
  private readonly line = new Set<Waiter>();

  constructor(readonly size: number) {}

  get busy(): number {
    return this.active;
  }

  get waiting(): number {
    return this.line.size;
  }

  /** A free turn taken at once (its giver-back), or null when all are taken: nobody is passed in line then. */
  tryTake(): (() => void) | null {
    if (this.active >= this.size) return null;
    this.active++;
    return this.releaser();
  }

  take(maxWaitMs: number, abandoned?: AbortSignal): Promise<() => void> {
    const free = this.tryTake();
    if (free) return Promise.resolve(free);
    if (abandoned?.aborted) return Promise.reject<() => void>('abandoned' satisfies NoTurn);
    return new Promise((resolve, reject) => {
      const leave = (why: NoTurn) => {
        if (!this.line.delete(waiter)) return;
        clearTimeout(waiter.timer);
        abandoned?.removeEventListener('abort', onAbort);
        reject(why);
      };
      const onAbort = () => leave('abandoned');
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(waiter.timer);
          abandoned?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        timer: setTimeout(() => leave('timeout'), maxWaitMs),
      };
      this.line.add(waiter);
      abandoned?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.line.values().next();
      if (next.done) {
        this.active--;
        return;
      }
      // The turn passes straight to the first in line: `active` does not change.
      this.line.delete(next.value);
      next.value.grant(this.releaser());
    };
  }
}
