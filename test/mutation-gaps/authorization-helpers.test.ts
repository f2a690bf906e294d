import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUser, isMember, membershipOf } from '../../server/accounts/guards.js';
import type { CurrentUser, MembershipSummary } from '../../server/accounts/sessions.repository.js';
import { ForbiddenError, NotFoundError } from '../../server/lib/errors.js';
import { type Access, accessPartnership, actingSide, organisationIdOf, requireEditor, sideLabels } from '../../server/partnerships/access.js';
import type { Partnership } from '../../server/partnerships/partnerships.repository.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

function membership(organisationId: number, role: 'owner' | 'member'): MembershipSummary {
  return { organisationId, role, kind: 'partner', name: `Structure ${organisationId}`, slug: `structure-${organisationId}`, status: 'verified' };
}

function userWith(memberships: MembershipSummary[], values: Partial<CurrentUser> = {}): CurrentUser {
  return { id: 1, email: 'a@exemple.fr', name: 'A', isAdmin: false, memberships, coordinatorScopes: [], ...values };
}

const partnership = { id: 5, acmId: 10, partnerId: 20, status: 'active', prescribedBy: null } as unknown as Partnership;

function accessOf(values: Partial<Access>): Access {
  return { partnership, user: userWith([]), sides: ['acm'], role: 'party', canEdit: true, ...values };
}

describe('membership guards', () => {
  it('gives a member their membership, and a 404 to anyone else (signed out included)', () => {
    const user = userWith([membership(3, 'member'), membership(4, 'owner')]);
    expect(membershipOf(user, 3)).toEqual(membership(3, 'member'));
    expect(membershipOf(user, 4, { owner: true })).toEqual(membership(4, 'owner'));
    expect(() => membershipOf(user, 5)).toThrow(NotFoundError);
    expect(() => membershipOf(null, 3)).toThrow(NotFoundError);
  });

  it('refuses an owner-only action to a plain member, with a French reason', () => {
    const user = userWith([membership(3, 'member')]);
    expect(() => membershipOf(user, 3, { owner: true })).toThrow(new ForbiddenError('Seuls les responsables de la structure peuvent faire cela.'));
    expect(membershipOf(user, 3, { owner: false }).role).toBe('member');
  });

  it('tells whether a user belongs to an organisation', () => {
    const user = userWith([membership(3, 'member')]);
    expect(isMember(user, 3)).toBe(true);
    expect(isMember(user, 4)).toBe(false);
    expect(isMember(userWith([]), 3)).toBe(false);
    expect(isMember(null, 3)).toBe(false);
  });

  it('gives the signed-in user to a handler, and a 403 with a French message otherwise', async () => {
    const user = userWith([]);
    expect(currentUser({ user } as never)).toBe(user);
    expect(() => currentUser({ user: null } as never)).toThrow(new ForbiddenError('Votre session a expiré : reconnectez-vous.'));
  });
});

describe('the side a partnership party acts for', () => {
  it('is the one named in the form when the user belongs to it, else their only one', () => {
    expect(actingSide(accessOf({ sides: ['partner'] }))).toBe('partner');
    expect(actingSide(accessOf({ sides: ['acm', 'partner'] }), 'partner')).toBe('partner');
    expect(actingSide(accessOf({ sides: ['acm', 'partner'] }), 'acm')).toBe('acm');
    expect(actingSide(accessOf({ sides: ['acm', 'partner'] }), null)).toBe('acm');
    expect(actingSide(accessOf({ sides: ['partner'] }), 'autre')).toBe('partner');
  });

  it('refuses a side the user does not belong to', () => {
    expect(() => actingSide(accessOf({ sides: ['acm'] }), 'partner')).toThrow(new ForbiddenError('Vous ne faites pas partie de cette structure.'));
    expect(() => actingSide(accessOf({ sides: ['partner'] }), 'acm')).toThrow(new ForbiddenError('Vous ne faites pas partie de cette structure.'));
  });

  it('refuses any change to admins, coordinators and closed partnerships', () => {
    expect(() => actingSide(accessOf({ role: 'admin', sides: [] }))).toThrow(new ForbiddenError('Vous consultez ce partenariat en lecture seule.'));
    expect(() => requireEditor(accessOf({ role: 'coordinator', sides: [] }))).toThrow(new ForbiddenError('Vous consultez ce partenariat en lecture seule.'));
    const closed = { ...partnership, status: 'closed' } as Partnership;
    expect(() => requireEditor(accessOf({ partnership: closed }))).toThrow(new ForbiddenError('Ce partenariat est terminé : il ne peut plus être modifié.'));
    expect(() => requireEditor(accessOf({}))).not.toThrow();
  });

  it('maps a side to its organisation and its label', () => {
    expect(organisationIdOf(partnership, 'acm')).toBe(10);
    expect(organisationIdOf(partnership, 'partner')).toBe(20);
    expect(sideLabels).toEqual({ acm: 'Accueil', partner: 'Partenaire' });
  });
});

describe('who sees a partnership', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('gives each party its side, edit rights until closed, admins and the prescriber read-only, anyone else a 404', async () => {
    const fixture = await createPartnershipFixture(app);
    const { acm, partner, partnership: p } = fixture;
    const asUser = (memberships: MembershipSummary[], values: Partial<CurrentUser> = {}) => userWith(memberships, { id: 999_999, ...values });
    const acmSide = await accessPartnership(app.deps, p.id, asUser([membership(acm.id, 'member')]));
    expect(acmSide).toMatchObject({ sides: ['acm'], role: 'party', canEdit: true });
    expect(acmSide.partnership.id).toBe(p.id);
    expect(await accessPartnership(app.deps, p.id, asUser([membership(partner.id, 'owner')]))).toMatchObject({
      sides: ['partner'],
      role: 'party',
      canEdit: true,
    });
    const both = asUser([membership(acm.id, 'member'), membership(partner.id, 'member')]);
    expect(await accessPartnership(app.deps, p.id, both)).toMatchObject({ sides: ['acm', 'partner'], role: 'party' });
    expect(await accessPartnership(app.deps, p.id, asUser([], { isAdmin: true }))).toMatchObject({ sides: [], role: 'admin', canEdit: false });
    const stranger = await createUser(app);
    await expect(accessPartnership(app.deps, p.id, asUser([membership(acm.id + partner.id + 1000, 'owner')], { id: stranger.id }))).rejects.toThrow(
      NotFoundError,
    );
    await expect(accessPartnership(app.deps, p.id, null)).rejects.toThrow(NotFoundError);
    await expect(accessPartnership(app.deps, p.id + 100_000, asUser([], { isAdmin: true }))).rejects.toThrow(NotFoundError);

    const prescribed = await createPartnershipFixture(app, { partnership: { prescribedBy: stranger.id } });
    expect(await accessPartnership(app.deps, prescribed.partnership.id, asUser([], { id: stranger.id }))).toMatchObject({
      sides: [],
      role: 'coordinator',
      canEdit: false,
    });
    const closed = await createPartnershipFixture(app, { partnership: { status: 'closed' } });
    expect(await accessPartnership(app.deps, closed.partnership.id, asUser([membership(closed.acm.id, 'owner')]))).toMatchObject({
      role: 'party',
      canEdit: false,
    });
  });

  it('lets a coordinator read a partnership of an ACM in their territory, and gives a 404 to a coordinator of another one', async () => {
    const { partnership: p } = await createPartnershipFixture(app, { zone: 'A' });
    const coordinator = (code: string) => userWith([], { id: 999_998, coordinatorScopes: [{ scope: 'department', code, label: null }] });
    expect(await accessPartnership(app.deps, p.id, coordinator('69'))).toMatchObject({ sides: [], role: 'coordinator', canEdit: false });
    await expect(accessPartnership(app.deps, p.id, coordinator('75'))).rejects.toThrow(NotFoundError);
  });

  it('sends a visitor to sign in and back, refuses a signed-out form with a 403, and hides the admin area behind a 404', async () => {
    const visitor = new Agent(app);
    const page = await visitor.get('/compte?onglet=profil');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/connexion?suivant=%2Fcompte%3Fonglet%3Dprofil');
    expect((await visitor.get('/connexion')).body).toContain('<p class="flash flash-info">Connectez-vous pour accéder à cette page.</p>');
    const post = await visitor.post('/compte', { name: 'Pirate' });
    expect(post.statusCode).toBe(403);
    expect(post.body).toContain('Votre session a expiré : reconnectez-vous.');
    expect((await visitor.get('/admin')).statusCode).toBe(302);
    const member = await signedInAgent(app);
    expect((await member.get('/admin')).statusCode).toBe(404);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    expect((await admin.get('/admin')).statusCode).toBe(200);
  });
});
