import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, conventionVersions, partnershipReviews, partnershipSessions, partnerships } from '../../db/schema/index.js';
import { seedDemo } from '../../server/demo/index.js';
import { DEMO_PASSWORD, demoAccounts } from '../../server/demo/organisations.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
  await seedDemo(app.deps);
}, 600_000);
afterAll(async () => {
  await app.close();
});

async function demoAgent(email: string) {
  const agent = new Agent(app);
  const response = await agent.post('/connexion', { email, password: DEMO_PASSWORD });
  if (response.statusCode !== 303) throw new Error(`sign-in ${email}: ${response.statusCode}`);
  return agent;
}

describe('the demo seed', () => {
  it('gives the demo accounts partnerships at different steps', async () => {
    const rows = await app.deps.db.select().from(partnerships);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const versions = await app.deps.db.select().from(conventionVersions);
    expect(versions.length).toBeGreaterThanOrEqual(2);
    const reviews = await app.deps.db.select().from(partnershipReviews);
    expect(reviews.filter((r) => r.submittedAt)).toHaveLength(1);
    expect(rows.map((r) => r.status).sort()).toEqual(expect.arrayContaining(['active', 'awaiting_confirmation']));
    const sessions = await app.deps.db
      .select()
      .from(partnershipSessions)
      .where(
        inArray(
          partnershipSessions.partnershipId,
          rows.map((r) => r.id),
        ),
      );
    expect(sessions.some((s) => s.status === 'held')).toBe(true);

    const acm = await demoAgent(demoAccounts.acm);
    const list = await acm.get('/partenariats');
    expect(list.statusCode).toBe(200);
    for (const row of rows) {
      const page = await acm.get(`/partenariats/${row.id}`);
      if (page.statusCode === 200) {
        for (const path of ['/definition', '/formalisation', '/animation', '/bilan'])
          expect((await acm.get(`/partenariats/${row.id}${path}`)).statusCode).toBe(200);
      }
    }
    const partner = await demoAgent(demoAccounts.partner);
    const dashboard = await partner.get('/tableau-de-bord');
    expect(dashboard.body).toContain('Mes partenariats en cours');
    expect(dashboard.body).toContain('Signer la convention (l’autre partie a signé)');
    expect(dashboard.body).toContain('Remplir son bilan');
    expect(dashboard.body).toContain('Confirmer le partenariat pour démarrer');
    // The convention the ACM has signed can be signed by the partner: nothing is missing before signing.
    const signedOnce = (await app.deps.db.select().from(conventionSignatures)).filter((s) => !s.voidedAt);
    const waiting = rows.filter((r) => signedOnce.filter((s) => s.partnershipId === r.id).length === 1);
    expect(waiting.length).toBeGreaterThan(0);
    for (const row of waiting) {
      const formalisation = await partner.get(`/partenariats/${row.id}/formalisation`);
      expect(formalisation.statusCode).toBe(200);
      expect(formalisation.body).toContain('Signer la convention pour');
      expect(formalisation.body).not.toContain('id="f-missing"');
    }
    const coordinator = await demoAgent(demoAccounts.coordinator);
    const prescribed = rows.find((r) => r.prescribedBy)!;
    expect((await coordinator.get(`/partenariats/${prescribed.id}`)).statusCode).toBe(200);
    const signed = rows.find((r) => versions.some((v) => v.partnershipId === r.id && r.schoolYear === prescribed.schoolYear))!;
    const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, signed.id));
    expect(version?.signatures).toHaveLength(2);
  });
});
