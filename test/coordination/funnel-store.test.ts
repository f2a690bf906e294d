import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { requests } from '../../db/schema/index.js';
import { territoryFunnel } from '../../server/coordination/funnel.js';
import { FIGURE_JOBS, FIGURES_KICK_DELAY_MS } from '../../server/plugins/figures-kick.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { addCoordinatorScope, createUser, signedInAgent } from '../helpers/fixtures.js';
import { nextRuns } from '../helpers/jobs.js';
import { createOffer, createRequestParties, sendRequest } from '../helpers/requests.js';

let app: App;
let coordinator: Agent;
let parties: Awaited<ReturnType<typeof createRequestParties>>;
// The parties' ACM is in Lyon (Rhône).
const base = '/coordination/departement/69';

async function computedAt(table: 'territory_funnel' | 'territory_coverage' | 'territory_statistics') {
  const [row] = await rows<{ at: string }>(
    app.deps.db,
    sql`select computed_at::text as at from ${sql.raw(table)} where level = 'department' and code = '69' order by computed_at desc limit 1`,
  );
  return row?.at ?? null;
}

async function dirtySince() {
  const [row] = await rows<{ since: string }>(app.deps.db, sql`select since::text from figures_dirty where id = 1`);
  return row?.since ?? null;
}

/** The count of requests sent, as the page's chart says it. */
async function sentOnPage() {
  const page = await coordinator.get(base);
  expect(page.statusCode).toBe(200);
  return Number(/Demandes envoyées : (\d+) ;/.exec(page.body)![1]);
}

beforeAll(async () => {
  // The jobs are not ticking (only main.ts starts the scheduler): the kicks after writes run them.
  app = await createTestApp({ JOBS_ENABLED: true });
  parties = await createRequestParties(app);
  const user = await createUser(app, { name: 'Coline Coordinatrice' });
  await addCoordinatorScope(app, user.id, 'department', '69');
  coordinator = await signedInAgent(app, user);
  // The refresh kicked by this write holds the jobs' leases while it runs: let it finish.
  const refreshed = nextRuns(app.deps.scheduler, FIGURE_JOBS, { timeoutMs: 60_000 });
  await sendRequest(parties.acmAgent, parties.offer.id);
  await refreshed;
});
afterAll(async () => {
  await app.close();
});

describe('the stored coordinator funnel', () => {
  it('is computed by the first view, then only read: by later views and by both exports, with the same numbers', async () => {
    expect(await sentOnPage()).toBe(1);
    const stored = await computedAt('territory_funnel');
    expect(stored).not.toBeNull();
    // A request written behind the app's back (no write through it, so nothing marks the figures stale).
    await app.deps.db.insert(requests).values({
      acmId: parties.acm.id,
      partnerId: parties.partner.id,
      direction: 'acm_to_partner',
      status: 'sent',
      lastActivityAt: new Date(),
    });
    expect(await sentOnPage()).toBe(1);
    const csv = readAsExcel((await coordinator.get(`${base}/export/entonnoir.csv`)).rawPayload);
    expect(csv[0]).toMatchObject({ Étape: 'Demandes envoyées', Nombre: '1' });
    const breakdown = readAsExcel((await coordinator.get(`${base}/export/entonnoir-par-mois-et-theme.csv`)).rawPayload);
    expect(breakdown[0]).toMatchObject({ Découpage: 'Ensemble', 'Demandes envoyées': '1' });
    expect(await computedAt('territory_funnel')).toBe(stored);
    // The job recomputes it once its period has passed (here: made 11 minutes old); then page and export agree again.
    await app.deps.db.execute(sql`update territory_funnel set computed_at = computed_at - interval '11 minutes'`);
    const aged = await computedAt('territory_funnel');
    expect(await app.deps.scheduler.runNow('territory-funnel')).toBe(true);
    expect(await computedAt('territory_funnel')).not.toBe(aged);
    expect(await sentOnPage()).toBe(2);
    const after = readAsExcel((await coordinator.get(`${base}/export/entonnoir.csv`)).rawPayload);
    expect(after[0]).toMatchObject({ Nombre: '2' });
  });

  it('follows a write through the app within seconds: the write marks the figures stale and kicks the refresh jobs', async () => {
    // The coverage and the public statistics of the territory are stored too (first views).
    expect((await coordinator.get(`${base}/couverture`)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/territoires/departements/69/statistiques' })).statusCode).toBe(200);
    const before = {
      funnel: await computedAt('territory_funnel'),
      coverage: await computedAt('territory_coverage'),
      statistics: await computedAt('territory_statistics'),
    };
    const sent = await sentOnPage();
    const another = await createOffer(app, parties.partner.id);
    const refreshed = nextRuns(app.deps.scheduler, FIGURE_JOBS, { timeoutMs: FIGURES_KICK_DELAY_MS + 15_000 });
    await sendRequest(parties.acmAgent, another.id);
    expect(await dirtySince()).not.toBeNull();
    // Debounced: nothing yet right after the write.
    expect(await computedAt('territory_funnel')).toBe(before.funnel);
    await refreshed;
    expect(await computedAt('territory_funnel')).not.toBe(before.funnel);
    expect(await computedAt('territory_coverage')).not.toBe(before.coverage);
    expect(await computedAt('territory_statistics')).not.toBe(before.statistics);
    expect(await sentOnPage()).toBe(sent + 1);
  });

  it('leaves the figures alone after a write that cannot change them', async () => {
    const since = await dirtySince();
    const response = await coordinator.post('/notifications/tout-lu');
    expect(response.statusCode).toBeLessThan(400);
    expect(await dirtySince()).toBe(since);
  });

  it('computes a scope viewed for the first time once, however many views arrive together', async () => {
    const scope = { kind: 'commune' as const, code: '69382' };
    const [a, b, c] = await Promise.all([territoryFunnel(app.deps, scope), territoryFunnel(app.deps, scope), territoryFunnel(app.deps, scope)]);
    // One computation, one timestamp: the later views shared it (or read what it stored).
    expect(b.computedAt).toEqual(a.computedAt);
    expect(c.computedAt).toEqual(a.computedAt);
    expect(b.figures).toEqual(a.figures);
  });
});
