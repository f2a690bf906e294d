import { count } from 'drizzle-orm';
import { organisations } from '../../db/schema/index.js';
import type { Deps } from '../deps.js';
import { needsSeed } from './needs.js';
import { observatorySeed } from './observatory.js';
import { offersSeed } from './offers.js';
import { organisationsSeed } from './organisations.js';
import { partnershipsSeed } from './partnerships.js';
import { requestsSeed } from './requests.js';

/** One step of the demo seed; steps run in order, each after the previous one's data exists. */
export interface SeedStep {
  name: string;
  run(deps: Deps): Promise<void>;
}

// Each domain appends its step here (organisations first, then offers, requests, partnerships, needs).
const seedSteps: SeedStep[] = [organisationsSeed, offersSeed, requestsSeed, partnershipsSeed, needsSeed, observatorySeed];

export async function seedDemo(deps: Deps): Promise<void> {
  for (const step of seedSteps) {
    const startedAt = performance.now();
    await step.run(deps);
    deps.log.info({ step: step.name, ms: Math.round(performance.now() - startedAt) }, 'demo seed step done');
  }
}

/** Seeds the demo on an empty database (first start); a database with organisations is left alone. */
export async function seedDemoIfEmpty(deps: Deps): Promise<boolean> {
  const [{ value } = { value: 0 }] = await deps.db.select({ value: count() }).from(organisations);
  if (value > 0) return false;
  await seedDemo(deps);
  return true;
}
