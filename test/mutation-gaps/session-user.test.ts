import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorScopes, notifications } from '../../db/schema/index.js';
import { createSession, currentUserOf, findSessionWithUser, loadCurrentUser } from '../../server/accounts/sessions.repository.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';

/** The signed-in user read with the session in one query (found by mutating sessions.repository.ts). */
describe('the signed-in user read with the session', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  async function unread(userId: number, titles: string[], read = false) {
    for (const title of titles) {
      await app.deps.db.insert(notifications).values({ userId, type: 'request_status', title, url: '/compte', readAt: read ? new Date() : null });
    }
  }

  it('reads the memberships by organisation name, the coordinator scopes and the unread count with the session', async () => {
    const user = await createUser(app);
    const other = await createUser(app);
    const zebre = await createOrganisation(app, { name: 'Zèbre sport', ownerId: user.id });
    const acm = await createOrganisation(app, { name: 'Accueil des Pentes', kind: 'acm', memberIds: [user.id, other.id] });
    await createOrganisation(app, { name: 'Autre structure', ownerId: other.id });
    await app.deps.db.insert(coordinatorScopes).values({ userId: user.id, scope: 'department', code: '69', label: 'Rhône' });
    await app.deps.db.insert(coordinatorScopes).values({ userId: other.id, scope: 'region', code: '84', label: null });
    await unread(user.id, ['Un', 'Deux']);
    await unread(user.id, ['Déjà lue'], true);
    await unread(other.id, ['Pas pour lui']);
    const now = new Date();
    const token = await createSession(app.deps.db, { userId: user.id, now, expiresAt: new Date(now.getTime() + 3_600_000) });

    const found = await findSessionWithUser(app.deps.db, token);
    expect(found?.user.id).toBe(user.id);
    expect(found?.memberships).toEqual([
      { organisationId: acm.id, role: 'member', kind: 'acm', name: 'Accueil des Pentes', slug: acm.slug, status: acm.status },
      { organisationId: zebre.id, role: 'owner', kind: 'partner', name: 'Zèbre sport', slug: zebre.slug, status: zebre.status },
    ]);
    expect(found?.coordinatorScopes).toEqual([{ scope: 'department', code: '69', label: 'Rhône' }]);
    expect(found?.unreadNotifications).toBe(2);
    expect(await findSessionWithUser(app.deps.db, 'not-a-token')).toBeNull();
  });

  it('gives a user with nothing yet no memberships, no scopes and zero unread notifications (never null)', async () => {
    const user = await createUser(app);
    const now = new Date();
    const token = await createSession(app.deps.db, { userId: user.id, now, expiresAt: new Date(now.getTime() + 3_600_000) });
    const found = await findSessionWithUser(app.deps.db, token);
    expect(found?.memberships).toEqual([]);
    expect(found?.coordinatorScopes).toEqual([]);
    expect(found?.unreadNotifications).toBe(0);
    expect(currentUserOf(found!.user, found!)).toStrictEqual({
      id: user.id,
      email: user.email,
      name: user.name,
      isAdmin: false,
      memberships: [],
      coordinatorScopes: [],
      unreadNotifications: 0,
    });
  });

  it('loads the same memberships and scopes without the session, and leaves the unread count out', async () => {
    const user = await createUser(app);
    const zebre = await createOrganisation(app, { name: 'Zèbre nature', ownerId: user.id });
    const acm = await createOrganisation(app, { name: 'Accueil du plateau', kind: 'acm', memberIds: [user.id] });
    await app.deps.db.insert(coordinatorScopes).values({ userId: user.id, scope: 'commune', code: '69123', label: 'Lyon' });
    await unread(user.id, ['Non lue']);
    const loaded = await loadCurrentUser(app.deps.db, user);
    expect(loaded).toStrictEqual({
      id: user.id,
      email: user.email,
      name: user.name,
      isAdmin: false,
      memberships: [
        { organisationId: acm.id, role: 'member', kind: 'acm', name: 'Accueil du plateau', slug: acm.slug, status: acm.status },
        { organisationId: zebre.id, role: 'owner', kind: 'partner', name: 'Zèbre nature', slug: zebre.slug, status: zebre.status },
      ],
      coordinatorScopes: [{ scope: 'commune', code: '69123', label: 'Lyon' }],
    });
    expect('unreadNotifications' in loaded).toBe(false);
  });

  it('shows in the header bell of a signed-in user the count of their unread notifications only', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    await unread(user.id, ['Un', 'Deux', 'Trois']);
    await unread(user.id, ['Déjà lue'], true);
    const page = await agent.get('/compte');
    expect(page.body).toMatch(/class="badge" data-count="3">3<span class="visually-hidden"> non lues/);
  });
});
