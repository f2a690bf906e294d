import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, notifications, partnerships, requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createOffer, createRequestParties, sendRequest } from '../helpers/requests.js';

let app: App;
let id: number;
let parties: Awaited<ReturnType<typeof createRequestParties>>;
let outsider: Agent;
let outsiderId: number;
let otherPartner: Agent;
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

beforeAll(async () => {
  app = await createTestApp();
  parties = await createRequestParties(app, { acm: 'Accueil Les Hirondelles', partner: 'Compagnie Secrète' });
  id = await sendRequest(parties.acmAgent, parties.offer.id, { message: 'Projet confidentiel : un spectacle pour la fête des familles du quartier.' });
  const { payload, boundary } = multipart({ body: 'Voici notre programme.' }, [
    { field: 'attachment', filename: 'programme.png', type: 'image/png', data: png },
  ]);
  await parties.partnerAgent.postMultipart(`/demandes/${id}/messages`, payload, boundary);

  const outsiderUser = await createUser(app);
  outsiderId = outsiderUser.id;
  await createOrganisation(app, { kind: 'acm', name: 'Autre accueil', ownerId: outsiderUser.id });
  outsider = await signedInAgent(app, outsiderUser);
  const otherPartnerUser = await createUser(app);
  const otherPartnerOrg = await createOrganisation(app, { kind: 'partner', name: 'Autre partenaire', ownerId: otherPartnerUser.id });
  await createOffer(app, otherPartnerOrg.id, { title: 'Initiation au judo' });
  otherPartner = await signedInAgent(app, otherPartnerUser);
});
afterAll(async () => {
  await app.close();
});

async function attachmentUrl() {
  const [message] = (await app.deps.db.select().from(messages).where(eq(messages.requestId, id))).filter((m) => m.attachmentPath);
  return `/demandes/${id}/pieces-jointes/${message!.id}`;
}

describe('who can see and act on a request', () => {
  it('answers 404 to any other signed-in user, for the thread, its attachment and every action, and writes nothing', async () => {
    const before = await app.deps.db.select().from(messages).where(eq(messages.requestId, id));
    for (const agent of [outsider, otherPartner]) {
      const page = await agent.get(`/demandes/${id}`);
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain('Projet confidentiel');
      expect((await agent.get(await attachmentUrl())).statusCode).toBe(404);
      expect((await agent.post(`/demandes/${id}/messages`, { body: 'Intrusion' })).statusCode).toBe(404);
      expect((await agent.post(`/demandes/${id}/accepter`)).statusCode).toBe(404);
      expect((await agent.post(`/demandes/${id}/decliner`, { declineCode: 'complet' })).statusCode).toBe(404);
      expect((await agent.post(`/demandes/${id}/retirer`)).statusCode).toBe(404);
    }
    expect(await app.deps.db.select().from(messages).where(eq(messages.requestId, id))).toHaveLength(before.length);
    const [row] = await app.deps.db.select().from(requests).where(eq(requests.id, id));
    expect(row!.status).toBe('in_discussion');
    expect(await app.deps.db.select().from(partnerships).where(eq(partnerships.requestId, id))).toHaveLength(0);
  });

  it('leaks nothing in the other users’ notifications, inboxes or dashboards', async () => {
    const theirs = await app.deps.db.select().from(notifications).where(eq(notifications.userId, outsiderId));
    expect(theirs).toHaveLength(0);
    for (const agent of [outsider, otherPartner]) {
      expect((await agent.get('/notifications')).body).not.toContain('Les Hirondelles');
      for (const box of ['recues', 'envoyees']) {
        const inbox = await agent.get(`/demandes?boite=${box}&q=confidentiel`);
        expect(inbox.statusCode).toBe(200);
        expect(inbox.body).not.toContain('Compagnie Secrète');
        expect(inbox.body).not.toContain(`/demandes/${id}"`);
      }
    }
    expect((await new Agent(app).get(`/demandes/${id}`)).statusCode).toBe(302);
  });

  it('lets members of both organisations and admins read the thread and download the attachment', async () => {
    for (const agent of [parties.acmAgent, parties.partnerAgent, await signedInAgent(app, await createUser(app, { isAdmin: true }))]) {
      const page = await agent.get(`/demandes/${id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Projet confidentiel');
      const file = await agent.get(await attachmentUrl());
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.headers['content-disposition']).toMatch(/^attachment; filename="programme\.png"/);
      expect(file.rawPayload.equals(png)).toBe(true);
    }
  });

  it('lets only the addressed partner accept or decline, and only the ACM withdraw', async () => {
    const accept = await parties.acmAgent.post(`/demandes/${id}/accepter`);
    expect(accept.statusCode).toBe(403);
    expect(accept.body).toContain('Seule la structure à qui la demande est adressée');
    expect((await parties.acmAgent.post(`/demandes/${id}/decliner`, { declineCode: 'complet' })).statusCode).toBe(403);
    expect((await parties.partnerAgent.post(`/demandes/${id}/retirer`)).statusCode).toBe(403);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    expect((await admin.post(`/demandes/${id}/accepter`)).statusCode).toBe(403);
    const [row] = await app.deps.db.select().from(requests).where(eq(requests.id, id));
    expect(row!.status).toBe('in_discussion');
  });

  it('requires a CSRF token for every action and writes nothing without it', async () => {
    const before = await app.deps.db.select().from(messages).where(eq(messages.requestId, id));
    const post = await parties.partnerAgent.post(`/demandes/${id}/messages`, { body: 'Sans jeton' }, { csrf: false });
    expect(post.statusCode).toBe(403);
    expect((await parties.partnerAgent.post(`/demandes/${id}/accepter`, {}, { csrf: false })).statusCode).toBe(403);
    const { payload, boundary } = multipart({ body: 'Sans jeton' });
    expect((await parties.partnerAgent.postMultipart(`/demandes/${id}/messages`, payload, boundary, { csrf: false })).statusCode).toBe(403);
    expect(await app.deps.db.select().from(messages).where(eq(messages.requestId, id))).toHaveLength(before.length);
    const created = await parties.acmAgent.post(
      `/demandes/nouvelle?offre=${parties.offer.id}`,
      { message: 'Une demande sans jeton CSRF, refusée.' },
      { csrf: false },
    );
    expect(created.statusCode).toBe(403);
  });
});

describe('the "Proposer un partenariat" button', () => {
  function render(user: unknown, target: Record<string, unknown>) {
    return app.deps.eta.render('/partials/requests/propose-button', { user, ...target });
  }

  it('links ACM members to the form, visitors to sign in, and shows nothing to partners', async () => {
    const offer = { id: 12 };
    const acmUser = { memberships: [{ kind: 'acm', organisationId: 1 }] };
    const partnerUser = { memberships: [{ kind: 'partner', organisationId: 2 }] };
    expect(render(acmUser, { offer })).toContain('href="/demandes/nouvelle?offre=12"');
    expect(render(acmUser, { organisation: { id: 7, kind: 'partner' } })).toContain('href="/demandes/nouvelle?structure=7"');
    expect(render(null, { offer })).toContain('href="/connexion?suivant=%2Fdemandes%2Fnouvelle%3Foffre%3D12"');
    expect(render(partnerUser, { offer }).trim()).toBe('');
    expect(render(acmUser, { organisation: { id: 3, kind: 'acm' } }).trim()).toBe('');
  });

  it('sends a visitor who opens the form to sign in, then back to the form', async () => {
    const response = await new Agent(app).get(`/demandes/nouvelle?offre=${parties.offer.id}`);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`/connexion?suivant=${encodeURIComponent(`/demandes/nouvelle?offre=${parties.offer.id}`)}`);
  });
});
