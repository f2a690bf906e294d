import { randomUUID } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/client.js';
import { jobRuns } from '../../db/schema/index.js';
import type { Clock } from './clock.js';

/** Why a job ran: its period came round, or code asked for it now (e.g. the search kick after a write). */
type JobTrigger = 'schedule' | 'demand';

export interface JobRun {
  job: string;
  trigger: JobTrigger;
  seconds: number;
  failed: boolean;
}

export interface Job {
  name: string;
  /** How often it should run. */
  everyMs: number;
  run(): Promise<unknown>;
}

/**
 * In-process scheduler. Several app instances may run it: before a run, an instance takes the
 * job's lease with a conditional UPDATE, so only one of them runs a given job at a time.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private readonly runListeners: ((run: JobRun) => void)[] = [];
  readonly instanceId = randomUUID();

  constructor(private readonly deps: { db: Db; clock: Clock; log: FastifyBaseLogger }) {}

  register(job: Job): void {
    this.jobs.set(job.name, job);
  }

  /** Called after every run this instance makes (metrics); returns the function that stops listening. */
  onRun(listener: (run: JobRun) => void): () => void {
    this.runListeners.push(listener);
    return () => {
      const at = this.runListeners.indexOf(listener);
      if (at >= 0) this.runListeners.splice(at, 1);
    };
  }

  list(): string[] {
    return [...this.jobs.keys()];
  }

  start(tickMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  async tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = (async () => {
      for (const job of this.jobs.values()) await this.runIfDue(job);
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  /** Runs a job now if its lease can be taken (tests call this directly). */
  async runNow(name: string): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`Unknown job ${name}`);
    return this.runJob(job, true);
  }

  private async runIfDue(job: Job): Promise<void> {
    await this.runJob(job, false);
  }

  private async runJob(job: Job, force: boolean): Promise<boolean> {
    const { db, clock, log } = this.deps;
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + Math.max(job.everyMs, 60_000));
    await db.insert(jobRuns).values({ name: job.name }).onConflictDoNothing();
    const dueBefore = new Date(now.getTime() - job.everyMs);
    const taken = await db
      .update(jobRuns)
      .set({ lockedUntil: leaseUntil, lockedBy: this.instanceId })
      .where(
        and(
          eq(jobRuns.name, job.name),
          or(isNull(jobRuns.lockedUntil), lt(jobRuns.lockedUntil, now)),
          force ? sql`true` : or(isNull(jobRuns.lastRunAt), lt(jobRuns.lastRunAt, dueBefore)),
        ),
      )
      .returning({ name: jobRuns.name });
    if (taken.length === 0) return false;
    let lastError: string | null = null;
    const started = performance.now();
    try {
      await job.run();
    } catch (error) {
      lastError = String((error as Error).message).slice(0, 500);
      log.error({ err: error, job: job.name }, 'job failed');
    }
    const run: JobRun = {
      job: job.name,
      trigger: force ? 'demand' : 'schedule',
      seconds: (performance.now() - started) / 1000,
      failed: lastError !== null,
    };
    for (const listener of [...this.runListeners]) listener(run);
    await db
      .update(jobRuns)
      .set({ lastRunAt: clock.now(), lockedUntil: null, lockedBy: null, lastError })
      .where(and(eq(jobRuns.name, job.name), eq(jobRuns.lockedBy, this.instanceId)));
    return true;
  }
}
