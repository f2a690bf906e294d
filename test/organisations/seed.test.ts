import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communes, coordinatorScopes, memberships, organisations, searchOutbox, users } from '../../db/schema/index.js';
import { DEMO_PASSWORD, demoAccounts, demoOrganisation, demoOrganisations, seedOrganisations } from '../../server/demo/organisations.js';
import { slugs } from '../../server/kernel/taxonomy.js';
import { isValidSiret } from '../../server/lib/validation.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
  await seedOrganisations(app.deps);
});
afterAll(async () => {
  await app.close();
});

async function allOrganisations() {
  return app.deps.db
    .select({ organisation: organisations, departmentCode: communes.departmentCode })
    .from(organisations)
    .innerJoin(communes, eq(communes.codeInsee, organisations.codeInsee));
}

describe('the demo directory', () => {
  it('has at least 60 partners and 20 ACMs in the Rhône, the Gironde and the Seine-Saint-Denis', async () => {
    const list = await allOrganisations();
    const partners = list.filter((o) => o.organisation.kind === 'partner');
    const acms = list.filter((o) => o.organisation.kind === 'acm');
    expect(partners.length).toBeGreaterThanOrEqual(60);
    expect(acms.length).toBeGreaterThanOrEqual(20);
    for (const department of ['69', '33', '93']) {
      expect(partners.filter((o) => o.departmentCode === department).length, department).toBeGreaterThanOrEqual(15);
      expect(acms.filter((o) => o.departmentCode === department).length, department).toBeGreaterThanOrEqual(5);
    }
    expect(new Set(list.map((o) => o.departmentCode))).toEqual(new Set(['69', '33', '93']));
  });

  it('covers every organisation type with valid identifiers, themes and points near their commune', async () => {
    const list = await allOrganisations();
    const partners = list.map((o) => o.organisation).filter((o) => o.kind === 'partner');
    expect(new Set(partners.map((o) => o.type))).toEqual(new Set(slugs.org_type));
    const sirets = partners.map((o) => o.siret).filter((s): s is string => Boolean(s));
    expect(sirets.length).toBeGreaterThan(30);
    expect(sirets.every(isValidSiret)).toBe(true);
    expect(new Set(sirets).size).toBe(sirets.length);
    const rnas = partners.map((o) => o.rna).filter(Boolean);
    expect(rnas.length).toBeGreaterThan(20);
    expect(rnas.every((r) => /^W\d{9}$/.test(r!))).toBe(true);
    expect(partners.every((o) => o.themes.length > 0 && o.themes.every((t) => (slugs.theme as string[]).includes(t)))).toBe(true);
    expect(partners.filter((o) => o.status === 'unverified').length).toBeGreaterThan(2);
    expect(partners.filter((o) => o.status === 'verified').length).toBeGreaterThan(partners.length * 0.7);
    expect(list.every((o) => o.organisation.lat !== null && o.organisation.address !== '')).toBe(true);
    expect((await app.deps.db.select().from(searchOutbox)).length).toBe(partners.length);
  });

  it('names its organisations in French as a person would write them (« Ville d’Aubervilliers », not « de Aubervilliers »)', async () => {
    const names = (await allOrganisations()).map((o) => o.organisation.name);
    expect(names.filter((n) => /\bde (?:[AEIOUYÉÈÊÎ]|Le |La |Les )/.test(n))).toEqual([]);
    expect(names.some((n) => /\bd’[AEIOUYÉ]/.test(n))).toBe(true);
  });

  it('creates the demo accounts of every role with the documented password', async () => {
    for (const email of Object.values(demoAccounts)) {
      const signIn = await new Agent(app).post('/connexion', { email, password: DEMO_PASSWORD });
      expect(signIn.statusCode, email).toBe(303);
    }
    const [admin] = await app.deps.db.select().from(users).where(eq(users.email, demoAccounts.admin));
    expect(admin?.isAdmin).toBe(true);

    const partnerAgent = new Agent(app);
    await partnerAgent.post('/connexion', { email: demoAccounts.partner, password: DEMO_PASSWORD });
    const partnerDashboard = await partnerAgent.get('/tableau-de-bord');
    expect(partnerDashboard.body).toContain('Judo Club de Lyon');

    const [acmUser] = await app.deps.db.select().from(users).where(eq(users.email, demoAccounts.acm));
    const owned = await app.deps.db.select().from(memberships).where(eq(memberships.userId, acmUser!.id));
    const rhoneAcms = await demoOrganisations(app.deps.db, { kind: 'acm', department: '69' });
    expect(owned.filter((m) => m.role === 'owner' && rhoneAcms.some((a) => a.id === m.organisationId))).toHaveLength(2);

    const [coordinator] = await app.deps.db.select().from(users).where(eq(users.email, demoAccounts.coordinator));
    expect(await app.deps.db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, coordinator!.id))).toEqual([
      { userId: coordinator!.id, scope: 'department', code: '69', label: 'Rhône (69)' },
    ]);
  });

  it('gives every organisation an owner, and lets other seed steps find demo organisations by external id', async () => {
    const list = await allOrganisations();
    const owners = await app.deps.db.select().from(memberships).where(eq(memberships.role, 'owner'));
    expect(new Set(owners.map((m) => m.organisationId)).size).toBe(list.length);
    expect((await demoOrganisation(app.deps.db, 'demo-org-1')).name).toBe('Judo Club de Lyon');
    expect((await demoOrganisation(app.deps.db, 'demo-acm-1')).kind).toBe('acm');
    expect((await demoOrganisations(app.deps.db, { kind: 'partner', department: '33' })).length).toBeGreaterThanOrEqual(15);
  });

  it('is deterministic: a second database gets the same directory', async () => {
    const other = await createTestApp();
    try {
      await seedOrganisations(other.deps);
      const pick = (rows: (typeof organisations.$inferSelect)[]) => rows.map((o) => [o.externalId, o.name, o.siret, o.lat, o.lng, o.address, o.status]).sort();
      expect(pick(await other.deps.db.select().from(organisations))).toEqual(pick(await app.deps.db.select().from(organisations)));
    } finally {
      await other.close();
    }
  });
});
