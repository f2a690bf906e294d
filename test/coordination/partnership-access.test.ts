import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipSessions, partnerships } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
let sessionId: number;
beforeAll(async () => {
  app = await createTestApp();
  // The ACM is in Lyon 2e (69382, Rhône, Auvergne-Rhône-Alpes).
  f = await createPartnershipFixture(app);
  const [session] = await app.deps.db
    .insert(partnershipSessions)
    .values({ partnershipId: f.partnership.id, date: '2026-12-09', startTime: '14:00', endTime: '16:00', status: 'planned' })
    .returning();
  sessionId = session!.id;
});
afterAll(async () => {
  await app.close();
});

const pages = ['', '/definition', '/recherche', '/formalisation', '/animation', '/bilan', '/historique', '/convention/imprimer', '/convention.pdf'];

/** Every state-changing form of the workspace, with a body its schema accepts. */
function posts(id: number): [string, Record<string, string>][] {
  return [
    [`/partenariats/${id}/definition`, { title: 'Changé' }],
    [`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Changé' }],
    [`/partenariats/${id}/intervenants`, {}],
    [`/partenariats/${id}/confirmer`, { side: 'acm' }],
    [`/partenariats/${id}/refuser`, { side: 'acm', reason: 'Non' }],
    [`/partenariats/${id}/agenda`, {}],
    [`/partenariats/${id}/formalisation/mode`, { formalisation: 'minutes' }],
    [`/partenariats/${id}/convention/sections/objet`, {}],
    [`/partenariats/${id}/convention/commentaires`, { side: 'acm', section: 'objet', body: 'Un commentaire' }],
    [`/partenariats/${id}/convention/signer`, { side: 'acm', signerName: 'X', signerRole: 'Y', textHash: 'abc', consent: 'on' }],
    [`/partenariats/${id}/compte-rendu`, { date: '2026-12-01', participants: 'X', minutes: 'Y' }],
    [`/partenariats/${id}/compte-rendu/valider`, { side: 'acm' }],
    [`/partenariats/${id}/calendrier`, {}],
    [`/partenariats/${id}/seances`, { date: '2026-12-16', startTime: '14:00', endTime: '16:00' }],
    [`/partenariats/${id}/seances/${sessionId}`, { status: 'held' }],
    [`/partenariats/${id}/rendez-vous`, { date: '2026-12-01' }],
    [`/partenariats/${id}/echeances`, { dueDate: '2026-12-20', label: 'Rendre le bilan', responsible: 'acm' }],
    [`/partenariats/${id}/bilan`, { side: 'acm' }],
    [`/partenariats/${id}/decision`, { decision: 'renew' }],
  ];
}

async function coordinatorOf(scope: 'region' | 'department' | 'commune', code: string): Promise<Agent> {
  const user = await createUser(app);
  await addCoordinatorScope(app, user.id, scope, code);
  return signedInAgent(app, user);
}

async function expectUnchanged() {
  const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, f.partnership.id));
  expect(row?.title).toBe('Judo du mercredi');
  expect(row?.status).toBe('active');
  const [session] = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.id, sessionId));
  expect(session?.status).toBe('planned');
}

describe('a coordinator and the partnerships of their territory', () => {
  it('lets a coordinator of the ACM’s département read every page of a partnership they did not prescribe', async () => {
    const agent = await coordinatorOf('department', '69');
    for (const path of pages) expect((await agent.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(200);
    const page = await agent.get(`/partenariats/${f.partnership.id}/definition`);
    expect(page.body).toContain('lecture seule (coordination du territoire)');
    expect(page.body).toContain('<a href="/coordination">Coordination du territoire</a>');
    expect(page.body).not.toContain(`action="/partenariats/${f.partnership.id}/definition"`);
    expect(page.body).not.toContain('name="side"');
    const formalisation = await agent.get(`/partenariats/${f.partnership.id}/formalisation`);
    expect(formalisation.body).not.toContain(`action="/partenariats/${f.partnership.id}/convention/signer"`);
    // The parties' next steps are told, not offered as links to act on.
    const overview = (await agent.get(`/partenariats/${f.partnership.id}`)).body;
    const steps = /<section class="card next-steps"[\s\S]*?<\/section>/.exec(overview)![0];
    expect(steps).toMatch(/<ul class="action-list">\s*<li>[^<]+<\/li>/);
    expect(steps).not.toContain('<a ');
  });

  it('lets coordinators of the ACM’s commune and région in too', async () => {
    for (const agent of [await coordinatorOf('commune', '69382'), await coordinatorOf('region', '84')]) {
      expect((await agent.get(`/partenariats/${f.partnership.id}`)).statusCode).toBe(200);
    }
  });

  it('refuses every change of an in-scope coordinator with a 403 or 404, never a 500, and changes nothing', async () => {
    const agent = await coordinatorOf('department', '69');
    for (const [path, body] of posts(f.partnership.id)) {
      const response = await agent.post(path, body);
      expect([403, 404], `${path}: ${response.statusCode}`).toContain(response.statusCode);
    }
    await expectUnchanged();
  });

  it('answers 404 to a coordinator of another territory on every page and every form', async () => {
    const agent = await coordinatorOf('department', '33');
    for (const path of pages) expect((await agent.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(404);
    for (const [path, body] of posts(f.partnership.id)) expect((await agent.post(path, body)).statusCode, path).toBe(404);
    await expectUnchanged();
  });

  it('answers 404 to a plain user, even a member of another organisation of the same commune', async () => {
    const user = await createUser(app);
    await createOrganisation(app, { kind: 'acm', ownerId: user.id });
    const agent = await signedInAgent(app, user);
    for (const path of pages) expect((await agent.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(404);
    for (const [path, body] of posts(f.partnership.id)) expect((await agent.post(path, body)).statusCode, path).toBe(404);
    await expectUnchanged();
  });

  it('lets an admin read and refuses their changes with a 403 or 404', async () => {
    const agent = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const path of pages) expect((await agent.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(200);
    for (const [path, body] of posts(f.partnership.id)) {
      const response = await agent.post(path, body);
      expect([403, 404], `${path}: ${response.statusCode}`).toContain(response.statusCode);
    }
    await expectUnchanged();
  });

  it('still lets the parties change their partnership', async () => {
    const response = await f.acmAgent.post(`/partenariats/${f.partnership.id}/echeances`, {
      dueDate: '2026-12-20',
      label: 'Rendre le bilan',
      responsible: 'acm',
    });
    expect(response.statusCode).toBe(303);
  });
});
