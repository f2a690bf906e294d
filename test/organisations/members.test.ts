import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations, memberships } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, linkIn, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';
import { auditActions } from '../helpers/organisations.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function roleOf(organisationId: number, userId: number) {
  const [row] = await app.deps.db
    .select()
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

async function lastInvitationLink(email: string): Promise<string> {
  const mail = (await readMails(app)).filter((m) => m.to.includes(email)).at(-1);
  if (!mail) throw new Error(`no mail to ${email}`);
  return linkIn(mail.text);
}

describe('invitations', () => {
  it('invites by email; the invitee signs in from the link, comes back and joins with the role given', async () => {
    const owner = await createUser(app, { name: 'Sophie Owner' });
    const organisation = await createOrganisation(app, { name: 'Médiathèque Jacques-Prévert', ownerId: owner.id });
    const invitee = await createUser(app, { email: 'invitee@exemple.fr' });
    const ownerAgent = await signedInAgent(app, owner);

    const sent = await ownerAgent.post(`/structures/${organisation.id}/membres/inviter`, {
      email: 'Invitee@Exemple.fr',
      role: 'member',
      message: 'Bienvenue !',
    });
    expect(sent.statusCode).toBe(303);
    const [stored] = await app.deps.db.select().from(invitations).where(eq(invitations.organisationId, organisation.id));
    expect(stored).toMatchObject({ email: 'invitee@exemple.fr', role: 'member', acceptedAt: null });
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(7 * 86_400_000);
    const link = await lastInvitationLink('invitee@exemple.fr');
    expect(link).toMatch(/^\/invitations\/[A-Za-z0-9_-]{40,}$/);
    expect(stored!.tokenHash).not.toContain(link.split('/').at(-1));
    expect((await readMails(app)).find((m) => m.to.includes('invitee@exemple.fr'))?.text).toContain('Bienvenue !');

    const visitor = new Agent(app);
    const landing = await visitor.get(link);
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('Médiathèque Jacques-Prévert');
    expect(landing.body).toContain(`/connexion?suivant=${encodeURIComponent(link)}`);
    const signIn = await visitor.post('/connexion', { email: invitee.email, password: PASSWORD, suivant: link });
    expect(signIn.headers.location).toBe(link);
    const accept = await visitor.post(link);
    expect(accept.statusCode).toBe(303);
    expect(accept.headers.location).toMatch(new RegExp(`^/structures/${organisation.id}-`));
    expect(await roleOf(organisation.id, invitee.id)).toBe('member');
    expect(await auditActions(app, organisation.id)).toEqual(expect.arrayContaining(['organisation.invite', 'organisation.join']));

    const reused = await new Agent(app).get(link);
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('Invitation expirée');
    expect((await (await signedInAgent(app)).post(link)).statusCode).toBe(400);
  }, 90_000);

  it('shows a pending invitation to a newcomer at onboarding, and refuses an expired link', async () => {
    const owner = await createUser(app);
    const organisation = await createOrganisation(app, { kind: 'acm', name: 'ALSH Paul-Bert', ownerId: owner.id });
    await (await signedInAgent(app, owner)).post(`/structures/${organisation.id}/membres/inviter`, { email: 'nouvelle@exemple.fr', role: 'owner' });
    const link = await lastInvitationLink('nouvelle@exemple.fr');

    const newcomer = await createUser(app, { email: 'nouvelle@exemple.fr' });
    const welcome = await (await signedInAgent(app, newcomer)).get('/bienvenue');
    expect(welcome.body).toContain('Vous êtes invité·e');
    expect(welcome.body).toContain('ALSH Paul-Bert');

    app.deps.clock.advance(8 * 86_400_000);
    try {
      const expired = await (await signedInAgent(app, newcomer)).post(link);
      expect(expired.statusCode).toBe(400);
      expect(await roleOf(organisation.id, newcomer.id)).toBeNull();
    } finally {
      app.deps.clock.advance(-8 * 86_400_000);
    }
  });

  it('says next to the field when the address is invalid or already a member, and sends nothing', async () => {
    const owner = await createUser(app);
    const member = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: owner.id, memberIds: [member.id] });
    const agent = await signedInAgent(app, owner);
    const before = (await readMails(app)).length;
    const bad = await agent.post(`/structures/${organisation.id}/membres/inviter`, { email: 'pas-une-adresse', role: 'member' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="f-email-error"');
    expect(bad.body).toContain('Adresse e-mail invalide');
    const already = await agent.post(`/structures/${organisation.id}/membres/inviter`, { email: member.email, role: 'member' });
    expect(already.statusCode).toBe(422);
    expect(already.body).toContain('déjà membre');
    const noRole = await agent.post(`/structures/${organisation.id}/membres/inviter`, { email: 'x@exemple.fr', role: 'admin' });
    expect(noRole.statusCode).toBe(422);
    expect(noRole.body).toContain('id="f-role-error"');
    expect((await readMails(app)).length).toBe(before);
  });

  it('lets an owner cancel a pending invitation', async () => {
    const owner = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: owner.id });
    const agent = await signedInAgent(app, owner);
    await agent.post(`/structures/${organisation.id}/membres/inviter`, { email: 'annule@exemple.fr', role: 'member' });
    const link = await lastInvitationLink('annule@exemple.fr');
    const [invitation] = await app.deps.db.select().from(invitations).where(eq(invitations.organisationId, organisation.id));
    expect((await agent.get(`/structures/${organisation.id}/membres`)).body).toContain('annule@exemple.fr');
    await agent.post(`/structures/${organisation.id}/invitations/${invitation!.id}/annuler`);
    expect((await new Agent(app).get(link)).statusCode).toBe(400);
  });
});

describe('members', () => {
  it('shows members the list read-only, hides it from outsiders, and refuses their changes', async () => {
    const owner = await createUser(app, { name: 'Propriétaire Un' });
    const member = await createUser(app, { name: 'Membre Deux' });
    const organisation = await createOrganisation(app, { ownerId: owner.id, memberIds: [member.id] });
    const path = `/structures/${organisation.id}/membres`;

    const ownerView = await (await signedInAgent(app, owner)).get(path);
    expect(ownerView.body).toContain('Inviter une personne');
    const memberAgent = await signedInAgent(app, member);
    const memberView = await memberAgent.get(path);
    expect(memberView.statusCode).toBe(200);
    expect(memberView.body).toContain('Propriétaire Un');
    expect(memberView.body).not.toContain('Inviter une personne');
    expect((await memberAgent.post(`${path}/inviter`, { email: 'x@exemple.fr', role: 'member' })).statusCode).toBe(403);
    expect((await memberAgent.post(`${path}/${owner.id}/role`, { role: 'member' })).statusCode).toBe(403);
    expect(await roleOf(organisation.id, owner.id)).toBe('owner');

    const outsider = await signedInAgent(app);
    expect((await outsider.get(path)).statusCode).toBe(404);
    expect((await outsider.post(`${path}/${member.id}/retirer`)).statusCode).toBe(404);
    expect(await roleOf(organisation.id, member.id)).toBe('member');
    expect((await new Agent(app).get(path)).statusCode).toBe(302);
  });

  it('changes roles and removes members, but never the last owner', async () => {
    const owner = await createUser(app);
    const member = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: owner.id, memberIds: [member.id] });
    const path = `/structures/${organisation.id}/membres`;
    const agent = await signedInAgent(app, owner);

    const demoteSelf = await agent.post(`${path}/${owner.id}/role`, { role: 'member' });
    expect(demoteSelf.statusCode).toBe(303);
    expect((await agent.get(path)).body).toContain('au moins un·e responsable');
    expect(await roleOf(organisation.id, owner.id)).toBe('owner');
    await agent.post(`${path}/${owner.id}/retirer`);
    expect(await roleOf(organisation.id, owner.id)).toBe('owner');

    await agent.post(`${path}/${member.id}/role`, { role: 'owner' });
    expect(await roleOf(organisation.id, member.id)).toBe('owner');
    await agent.post(`${path}/${member.id}/role`, { role: 'member' });
    expect(await roleOf(organisation.id, member.id)).toBe('member');
    await agent.post(`${path}/${member.id}/retirer`);
    expect(await roleOf(organisation.id, member.id)).toBeNull();
    expect(await auditActions(app, organisation.id)).toEqual(expect.arrayContaining(['organisation.member_role', 'organisation.member_remove']));
  });

  it('keeps one owner when two owners demote each other at the same moment', async () => {
    const first = await createUser(app);
    const second = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: first.id, memberIds: [second.id] });
    const path = `/structures/${organisation.id}/membres`;
    const firstAgent = await signedInAgent(app, first);
    expect((await firstAgent.post(`${path}/${second.id}/role`, { role: 'owner' })).statusCode).toBe(303);
    const secondAgent = await signedInAgent(app, second);

    await Promise.all([firstAgent.post(`${path}/${second.id}/role`, { role: 'member' }), secondAgent.post(`${path}/${first.id}/role`, { role: 'member' })]);

    const roles = [await roleOf(organisation.id, first.id), await roleOf(organisation.id, second.id)];
    expect(roles.filter((role) => role === 'owner')).toHaveLength(1);
    expect(roles.filter((role) => role === 'member')).toHaveLength(1);
  });

  it('lets a member leave the organisation', async () => {
    const owner = await createUser(app);
    const member = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: owner.id, memberIds: [member.id] });
    const leave = await (await signedInAgent(app, member)).post(`/structures/${organisation.id}/membres/${member.id}/retirer`);
    expect(leave.headers.location).toBe('/tableau-de-bord');
    expect(await roleOf(organisation.id, member.id)).toBeNull();
  });
});
