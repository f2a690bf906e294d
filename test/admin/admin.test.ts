import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorScopes, offerReports, organisations, sessions, users } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer } from '../helpers/offers.js';
import { auditActions, outboxFor } from '../helpers/organisations.js';

let app: App;
let admin: Agent;
let adminId: number;
beforeAll(async () => {
  app = await createTestApp();
  const user = await createUser(app, { isAdmin: true, name: 'Alice Admin' });
  adminId = user.id;
  admin = await signedInAgent(app, user);
});
afterAll(async () => {
  await app.close();
});

/** The table row (or row header, with `tag: 'th'`) holding this text. */
function rowOf(body: string, text: string, tag: 'tr' | 'th' = 'tr') {
  const pattern = tag === 'tr' ? /<tr>([\s\S]*?)<\/tr>/g : /<th scope="row">([\s\S]*?)<\/th>/g;
  return [...body.matchAll(pattern)].map((m) => m[1]!).find((row) => row.includes(text)) ?? '';
}

async function statusOf(id: number) {
  const [row] = await app.deps.db.select().from(organisations).where(eq(organisations.id, id));
  return row!;
}

describe('access', () => {
  const pages = ['/admin', '/admin/structures', '/admin/utilisateurs', '/admin/utilisateurs/1', '/admin/structures/1'];

  it('answers 404 to signed-in users who are not admins, and sends visitors to sign in', async () => {
    const owner = await createUser(app);
    await createOrganisation(app, { ownerId: owner.id });
    const coordinator = await createUser(app);
    await app.deps.db.insert(coordinatorScopes).values({ userId: coordinator.id, scope: 'department', code: '69' });
    for (const agent of [await signedInAgent(app), await signedInAgent(app, owner), await signedInAgent(app, coordinator)]) {
      for (const page of pages) expect((await agent.get(page)).statusCode, page).toBe(404);
    }
    for (const page of pages) expect((await new Agent(app).get(page)).statusCode, page).toBe(302);
  }, 90_000);

  it('refuses every admin action to a non-admin with a 404 and changes nothing', async () => {
    const organisation = await createOrganisation(app, { name: 'Intouchable' });
    const target = await createUser(app);
    const agent = await signedInAgent(app);
    expect((await agent.post(`/admin/structures/${organisation.id}/verifier`)).statusCode).toBe(404);
    expect((await agent.post(`/admin/structures/${organisation.id}/suspendre`, { reason: 'x' })).statusCode).toBe(404);
    expect((await agent.post(`/admin/utilisateurs/${target.id}/suspendre`)).statusCode).toBe(404);
    expect((await agent.post(`/admin/utilisateurs/${target.id}/territoires`, { scope: 'department', code: '69' })).statusCode).toBe(404);
    expect((await statusOf(organisation.id)).status).toBe('unverified');
    expect(await app.deps.db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, target.id))).toHaveLength(0);
  });
});

describe('navigation', () => {
  it('greets an admin with no structure on the dashboard with the administration, not an invitation to join a structure', async () => {
    const board = await admin.get('/tableau-de-bord');
    expect(board.body).not.toContain('membre d’aucune structure');
    expect(board.body).toContain('<a href="/admin">ouvrir l’administration</a>');
    const newcomer = await (await signedInAgent(app)).get('/tableau-de-bord');
    expect(newcomer.body).toContain('membre d’aucune structure');
  });

  it('marks Administration in the main navigation and the page’s section in the admin navigation', async () => {
    const organisation = await createOrganisation(app, { name: 'Club de la navigation' });
    const offer = await insertOffer(app, organisation.id, { title: 'Offre de la navigation', status: 'pending', submittedAt: new Date() });
    const current = (body: string) => [...body.matchAll(/<a href="([^"]+)" aria-current="page">/g)].map((m) => m[1]);
    const sections: [string, string][] = [
      ['/admin', '/admin'],
      ['/admin/structures', '/admin/structures'],
      [`/admin/structures/${organisation.id}`, '/admin/structures'],
      ['/admin/utilisateurs', '/admin/utilisateurs'],
      [`/admin/utilisateurs/${adminId}`, '/admin/utilisateurs'],
      ['/admin/moderation', '/admin/moderation'],
      [`/admin/moderation/${offer.id}`, '/admin/moderation'],
      ['/admin/signalements', '/admin/signalements'],
      ['/admin/import', '/admin/import'],
    ];
    for (const [page, section] of sections) expect(current((await admin.get(page)).body), page).toEqual(['/admin', section]);
    expect((await admin.get(`/admin/structures/${organisation.id}`)).body).toContain(
      `href="/structures/${organisation.id}-${organisation.slug}">Voir la page de la structure</a>`,
    );
  });
});

describe('moderation', () => {
  it('keeps the summary and the structure out of the (bold) row header: only the offer’s title is', async () => {
    const organisation = await createOrganisation(app, { name: 'Club des résumés' });
    await insertOffer(app, organisation.id, { title: 'Offre à résumer', summary: 'Un résumé en graisse normale.', status: 'pending', submittedAt: new Date() });
    const queue = (await admin.get('/admin/moderation')).body;
    expect(rowOf(queue, 'Offre à résumer', 'th')).not.toContain('Un résumé en graisse normale.');
    expect(rowOf(queue, 'Offre à résumer')).toContain('<td class="muted small">Un résumé en graisse normale.</td>');

    const reported = await insertOffer(app, organisation.id, { title: 'Offre signalée' });
    await app.deps.db.insert(offerReports).values({ offerId: reported.id, reason: 'informations-inexactes', message: 'Les horaires ont changé.' });
    const reports = (await admin.get('/admin/signalements')).body;
    expect(rowOf(reports, 'Offre signalée', 'th')).not.toContain('Club des résumés');
    expect(rowOf(reports, 'Offre signalée')).toContain(`<td><a href="/admin/structures/${organisation.id}">Club des résumés</a></td>`);
  });
});

describe('organisations', () => {
  it('shows counts and links on the overview', async () => {
    const page = await admin.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/admin/structures?kind=partner&amp;status=unverified"');
    expect(page.body).toContain('aria-label="Administration"');
  });

  it('filters by kind and status, searches by text and paginates', async () => {
    for (let i = 0; i < 27; i++)
      await createOrganisation(app, { name: `Association Pagination ${String(i).padStart(2, '0')}`, rna: `W69000${String(i).padStart(4, '0')}` });
    await createOrganisation(app, { kind: 'acm', name: 'Accueil Filtré', status: 'verified' });
    const acms = await admin.get('/admin/structures?kind=acm&status=verified');
    expect(acms.body).toContain('Accueil Filtré');
    expect(acms.body).not.toContain('Association Pagination');

    const search = await admin.get('/admin/structures?q=pagination');
    expect(search.body).toContain('27\u00a0structures');
    expect(search.body).toContain('Page 1 sur 2');
    expect(search.body).toContain('href="/admin/structures?q=pagination&amp;page=2"');
    const second = await admin.get('/admin/structures?q=pagination&page=2');
    expect((second.body.match(/Association Pagination/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect((await admin.get('/admin/structures?q=W690000005')).body).toContain('Association Pagination 05');
    expect((await admin.get('/admin/structures?status=nope')).statusCode).toBe(400);
    expect((await admin.get('/admin/structures?page=0')).statusCode).toBe(400);
  }, 90_000);

  it('verifies an organisation: status, email to the owners, search sync for it and its offers, audit', async () => {
    const owner = await createUser(app, { email: 'owner-verify@exemple.fr' });
    const organisation = await createOrganisation(app, { name: 'Club à vérifier', ownerId: owner.id });
    const response = await admin.post(`/admin/structures/${organisation.id}/verifier`);
    expect(response.statusCode).toBe(303);
    expect((await statusOf(organisation.id)).status).toBe('verified');
    const mail = (await readMails(app)).find((m) => m.to.includes('owner-verify@exemple.fr'));
    expect(mail?.subject).toContain('est vérifiée');
    expect(await outboxFor(app, 'organisation', organisation.id)).toHaveLength(1);
    expect(await auditActions(app, organisation.id)).toContain('organisation.verify');
    const again = await admin.post(`/admin/structures/${organisation.id}/verifier`);
    expect(again.statusCode).toBe(303);
    expect((await admin.get(again.headers.location as string)).body).toContain('Seule une structure non vérifiée');
  });

  it('requires a reason to suspend, emails it to the owners, hides the page, then reinstates to the previous status', async () => {
    const owner = await createUser(app, { email: 'owner-suspend@exemple.fr' });
    const organisation = await createOrganisation(app, { name: 'Club à suspendre', slug: 'club-a-suspendre', status: 'verified', ownerId: owner.id });
    const noReason = await admin.post(`/admin/structures/${organisation.id}/suspendre`, { reason: '' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain('id="f-reason-error"');
    expect((await statusOf(organisation.id)).status).toBe('verified');

    const suspended = await admin.post(`/admin/structures/${organisation.id}/suspendre`, { reason: 'Structure fermée depuis juin.' });
    expect(suspended.statusCode).toBe(303);
    expect(await statusOf(organisation.id)).toMatchObject({ status: 'suspended', statusReason: 'Structure fermée depuis juin.' });
    const mail = (await readMails(app)).find((m) => m.to.includes('owner-suspend@exemple.fr'));
    expect(mail?.text).toContain('Structure fermée depuis juin.');
    expect((await new Agent(app).get(`/structures/${organisation.id}-club-a-suspendre`)).statusCode).toBe(404);
    expect((await admin.get(`/admin/structures/${organisation.id}`)).body).toContain('Structure fermée depuis juin.');

    await admin.post(`/admin/structures/${organisation.id}/retablir`);
    expect(await statusOf(organisation.id)).toMatchObject({ status: 'verified', statusReason: null });
    expect((await new Agent(app).get(`/structures/${organisation.id}-club-a-suspendre`)).statusCode).toBe(200);
    expect(await auditActions(app, organisation.id)).toEqual(expect.arrayContaining(['organisation.suspend', 'organisation.reinstate']));
    expect(await outboxFor(app, 'organisation', organisation.id)).toHaveLength(2);
  });
});

describe('users', () => {
  it('searches users by name or email', async () => {
    await createUser(app, { name: 'Bérénice Trouvable', email: 'berenice@exemple.fr' });
    const found = await admin.get('/admin/utilisateurs?q=trouvable');
    expect(found.body).toContain('berenice@exemple.fr');
    expect((await admin.get('/admin/utilisateurs?q=berenice%40')).body).toContain('Bérénice Trouvable');
    expect((await admin.get('/admin/utilisateurs?q=personne-inconnue')).body).toContain('Aucun utilisateur');
  });

  it('shows a profile for every user: platform roles, then the kinds of their structures, else “Sans structure”', async () => {
    await createUser(app, { name: 'Profil Sans Structure', email: 'profil-aucun@exemple.fr' });
    const partnerOwner = await createUser(app, { name: 'Profil Partenaire', email: 'profil-partenaire@exemple.fr' });
    const acmMember = await createUser(app, { name: 'Profil Accueil', email: 'profil-accueil@exemple.fr' });
    await createOrganisation(app, { ownerId: partnerOwner.id });
    await createOrganisation(app, { kind: 'acm', memberIds: [acmMember.id] });
    const list = (await admin.get('/admin/utilisateurs?q=profil-')).body;
    // Cells after the name: e-mail, structures, profile, sign-up date.
    const profile = (email: string) => [...rowOf(list, email).matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1])[2] ?? '';
    expect(profile('profil-aucun@exemple.fr')).toContain('Sans structure');
    expect(profile('profil-partenaire@exemple.fr')).toContain('Partenaire');
    expect(profile('profil-partenaire@exemple.fr')).not.toContain('Sans structure');
    expect(profile('profil-accueil@exemple.fr')).toContain('Accueil');
    expect(profile('profil-accueil@exemple.fr')).not.toContain('Partenaire');
  });

  it('answers a search holding a NUL byte or markup like any other text, never with a 500', async () => {
    for (const path of ['/admin/utilisateurs', '/admin/structures']) {
      const response = await admin.get(`${path}?q=tro%00uvable%27%22%3Cscript%3E`);
      expect(response.statusCode, path).toBe(200);
      expect(response.body).not.toContain('"<script>');
    }
    expect((await admin.get('/admin/utilisateurs?q=trou%00vable')).body).toContain('berenice@exemple.fr');
  });

  it('suspends an account (sessions closed, sign-in refused) and reinstates it; never its own', async () => {
    const target = await createUser(app);
    const targetAgent = await signedInAgent(app, target);
    await admin.post(`/admin/utilisateurs/${target.id}/suspendre`);
    expect(await app.deps.db.select().from(sessions).where(eq(sessions.userId, target.id))).toHaveLength(0);
    expect((await targetAgent.get('/tableau-de-bord')).statusCode).toBe(302);
    expect((await new Agent(app).post('/connexion', { email: target.email, password: PASSWORD })).statusCode).toBe(422);

    await admin.post(`/admin/utilisateurs/${target.id}/retablir`);
    expect((await new Agent(app).post('/connexion', { email: target.email, password: PASSWORD })).statusCode).toBe(303);

    await admin.post(`/admin/utilisateurs/${adminId}/suspendre`);
    const [self] = await app.deps.db.select().from(users).where(eq(users.id, adminId));
    expect(self?.suspendedAt).toBeNull();
  });

  it('appoints a coordinator of a département, a commune and a région, validates the codes, and removes a scope', async () => {
    const target = await createUser(app);
    const path = `/admin/utilisateurs/${target.id}`;
    expect((await admin.post(`${path}/territoires`, { scope: 'department', code: '69' })).statusCode).toBe(303);
    expect((await admin.post(`${path}/territoires`, { scope: 'commune', code: 'Villeurbanne' })).statusCode).toBe(303);
    expect((await admin.post(`${path}/territoires`, { scope: 'region', code: '75' })).statusCode).toBe(303);
    const scopes = await app.deps.db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, target.id));
    expect(scopes.map((s) => [s.scope, s.code, s.label]).sort()).toEqual([
      ['commune', '69266', 'Villeurbanne (69100)'],
      ['department', '69', 'Rhône (69)'],
      ['region', '75', 'Nouvelle-Aquitaine'],
    ]);

    const cases: [Record<string, string>, string, string][] = [
      [{ scope: 'department', code: '999' }, 'code', 'Code de département inconnu'],
      [{ scope: 'region', code: '99' }, 'code', 'Code de région inconnu'],
      [{ scope: 'commune', code: 'Zzyzx' }, 'code', 'Commune introuvable'],
      [{ scope: 'department', code: '' }, 'code', 'Ce champ est obligatoire.'],
      [{ scope: 'pays', code: 'FR' }, 'scope', 'Choisissez une valeur dans la liste.'],
      [{ scope: 'department', code: '69' }, 'code', 'coordonne déjà ce territoire'],
    ];
    for (const [form, field, message] of cases) {
      const response = await admin.post(`${path}/territoires`, form);
      expect(response.statusCode, message).toBe(422);
      expect(response.body).toContain(`id="f-${field}-error"`);
      expect(response.body).toContain(message);
    }

    const coordinatorAgent = await signedInAgent(app, target);
    const dashboard = await coordinatorAgent.get('/tableau-de-bord');
    expect(dashboard.body).toContain('Mes territoires de coordination');
    expect(dashboard.body).toContain('/territoires/departements/69');
    expect(dashboard.body).toContain('Rhône (69)');

    await admin.post(`${path}/territoires/commune/69266/retirer`);
    const left = await app.deps.db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, target.id));
    expect(left.map((s) => s.code).sort()).toEqual(['69', '75']);
    expect((await admin.post(`${path}/territoires/commune/69266/retirer`)).statusCode).toBe(404);
    expect((await admin.get(path)).body).toContain('Territoire de coordination ajouté');
  }, 90_000);
});
