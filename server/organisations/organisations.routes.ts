import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { currentUser, requireUser } from '../accounts/guards.js';
import { ageBands, orgTypes, priorityThemes, themes } from '../kernel/taxonomy.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { showFormErrors } from '../lib/forms.js';
import { formBody, formList, formText, IdParam, IdSlugParam, TokenParam } from '../lib/schemas.js';
import { addressAssets } from '../territories/location.js';
import { schoolZoneOf } from '../territories/territories.repository.js';
import type { App } from '../types.js';
import { logoUrl, readLogoUpload, removeLogo, setLogo } from './logo.js';
import {
  acceptInvitation,
  cancelInvitation,
  changeMemberRole,
  findValidInvitation,
  invalidInvitationReason,
  inviteMember,
  removeMembership,
} from './members.usecases.js';
import { isAdminOrMember, loadPublicOrganisation, organisationFormValues, organisationPageData } from './organisation-page.js';
import {
  findOrganisation,
  findOrganisationWithPlace,
  listMembers,
  listPendingInvitations,
  type Organisation,
  pendingInvitationsFor,
} from './organisations.repository.js';
import {
  acmLabels,
  createOrganisation,
  editableOrganisation,
  kindLabels,
  organisationPath,
  partnerLabels,
  roleLabels,
  statusLabels,
  updateOrganisationProfile,
} from './organisations.usecases.js';

const kindParam = { partenaire: 'partner', accueil: 'acm' } as const;

const OrganisationForm = formBody({
  name: formText(),
  type: formText(),
  description: formText(),
  siret: formText(),
  rna: formText(),
  website: formText(),
  email: formText(),
  phone: formText(),
  contactPublic: formText(),
  themes: formList(),
  federation: formText(),
  agrementNumber: formText(),
  organiser: formText(),
  tamNumber: formText(),
  capacity: formText(),
  ageMin: formText(),
  ageMax: formText(),
  pedt: formText(),
  planMercrediLabel: formText(),
  inclusion: formText(),
  address: formText(),
  commune: formText(),
  codeInsee: formText(),
  lat: formText(),
  lng: formText(),
});

/** Themes with the three Plan mercredi priorities first. */
const themeOptions = [...themes].sort((a, b) => Number(priorityThemes.includes(b.value)) - Number(priorityThemes.includes(a.value)));

function formData(kind: 'partner' | 'acm', extra: Record<string, unknown> = {}) {
  return {
    ...addressAssets,
    kind,
    kindLabel: kindLabels[kind],
    labels: kind === 'partner' ? partnerLabels : acmLabels,
    orgTypes,
    themeOptions,
    ageBands,
    yesNoOptions: [
      { value: 'oui', label: 'Oui' },
      { value: 'non', label: 'Non' },
    ],
    ...extra,
  };
}

const MemberParams = Type.Object({ id: IdParam.properties.id, userId: IdParam.properties.id });
const InvitationParams = Type.Object({ id: IdParam.properties.id, invitationId: IdParam.properties.id });

export default async function organisationsRoutes(app: App) {
  const { deps } = app;

  app.get('/bienvenue', { preHandler: requireUser }, async (request, reply) => {
    const user = currentUser(request);
    const invitations = await pendingInvitationsFor(deps.db, user.email, deps.clock.now());
    return reply.page('organisations/onboarding', { title: 'Bienvenue sur Passerelle', invitations, roleLabels, kindLabels });
  });

  app.get(
    '/structures/nouvelle',
    {
      preHandler: requireUser,
      schema: { querystring: Type.Object({ type: Type.Optional(Type.Union([Type.Literal('partenaire'), Type.Literal('accueil')])) }) },
    },
    async (request, reply) => {
      const type = request.query.type;
      if (!type) return reply.redirect('/bienvenue');
      const kind = kindParam[type];
      return reply.page(
        'organisations/form',
        formData(kind, { title: kind === 'partner' ? 'Présenter votre structure' : 'Présenter votre accueil', typeParam: type }),
      );
    },
  );

  app.post(
    '/structures/nouvelle',
    {
      preHandler: requireUser,
      schema: { querystring: Type.Object({ type: Type.Union([Type.Literal('partenaire'), Type.Literal('accueil')]) }), body: OrganisationForm },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const type = request.query.type;
      const kind = kindParam[type];
      return createOrganisation(deps, user, kind, request.body).then(
        (organisation) => {
          reply.flash(
            'success',
            kind === 'partner'
              ? `« ${organisation.name} » est créée. Elle sera vérifiée par l’équipe Passerelle ; vous pouvez déjà publier des offres.`
              : `« ${organisation.name} » est créé. Vous pouvez maintenant chercher des partenaires.`,
          );
          return reply.redirect(organisationPath(organisation), 303);
        },
        showFormErrors(
          reply,
          'organisations/form',
          request.body,
          formData(kind, { title: kind === 'partner' ? 'Présenter votre structure' : 'Présenter votre accueil', typeParam: type }),
        ),
      );
    },
  );

  async function editPage(reply: FastifyReply, organisation: Organisation, extra: Record<string, unknown> = {}, status = 200) {
    const found = (await findOrganisationWithPlace(deps.db, organisation.id))!;
    return reply.page(
      'organisations/form',
      formData(found.organisation.kind, {
        title: `Modifier « ${found.organisation.name} »`,
        organisation: found.organisation,
        logo: logoUrl(found.organisation.logoPath),
        schoolZone: found.department?.schoolZone ?? null,
        values: organisationFormValues(found),
        ...extra,
      }),
      status,
    );
  }

  app.get('/structures/:id/modifier', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const user = currentUser(request);
    return editPage(reply, await editableOrganisation(deps, user, request.params.id));
  });

  app.post('/structures/:id/modifier', { preHandler: requireUser, schema: { params: IdParam, body: OrganisationForm } }, async (request, reply) => {
    const user = currentUser(request);
    const organisation = await editableOrganisation(deps, user, request.params.id);
    return updateOrganisationProfile(deps, user, organisation.id, request.body).then(
      async (updated) => {
        reply.flash('success', 'Les informations de la structure ont été enregistrées.');
        return reply.redirect(organisationPath(updated), 303);
      },
      async (error) => {
        const schoolZone = organisation.codeInsee ? await schoolZoneOf(deps.db, organisation.codeInsee) : null;
        return showFormErrors(
          reply,
          'organisations/form',
          request.body,
          formData(organisation.kind, { title: `Modifier « ${organisation.name} »`, organisation, schoolZone, logo: logoUrl(organisation.logoPath) }),
        )(error);
      },
    );
  });

  app.post('/structures/:id/logo', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const user = currentUser(request);
    const organisation = await editableOrganisation(deps, user, request.params.id);
    const upload = await readLogoUpload(request.isMultipart() ? await request.file() : undefined);
    try {
      await setLogo(deps, user, organisation.id, upload);
    } catch (error) {
      if (error instanceof ValidationError) return editPage(reply, organisation, { logoErrors: error.fields }, 422);
      throw error;
    }
    reply.flash('success', 'Le logo a été enregistré.');
    return reply.redirect(`/structures/${organisation.id}/modifier`, 303);
  });

  app.post('/structures/:id/logo/supprimer', { preHandler: requireUser, schema: { params: IdParam, body: formBody({}) } }, async (request, reply) => {
    await removeLogo(deps, currentUser(request), request.params.id);
    reply.flash('success', 'Le logo a été retiré.');
    return reply.redirect(`/structures/${request.params.id}/modifier`, 303);
  });

  app.get(
    '/medias/logos/:file',
    { schema: { params: Type.Object({ file: Type.String({ pattern: '^\\d{1,9}-[a-f0-9]{12}\\.webp$' }) }) } },
    async (request, reply) => {
      const data = await deps.storage.get(`logos/${request.params.file}`);
      if (!data) throw new NotFoundError();
      return reply
        .type('image/webp')
        .header('Cache-Control', 'public, max-age=31536000, immutable')
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Security-Policy', "default-src 'none'; sandbox")
        .send(data);
    },
  );

  async function membersPage(reply: FastifyReply, userId: number, organisationId: number, extra: Record<string, unknown> = {}, status = 200) {
    const organisation = await findOrganisation(deps.db, organisationId);
    if (!organisation) throw new NotFoundError();
    const user = reply.request.user!;
    const role = user.memberships.find((m) => m.organisationId === organisationId)?.role;
    const canManage = role === 'owner' || (user.isAdmin && !role);
    const [members, invitations] = await Promise.all([
      listMembers(deps.db, organisationId),
      canManage ? listPendingInvitations(deps.db, organisationId, deps.clock.now()) : Promise.resolve([]),
    ]);
    return reply.page(
      'organisations/members',
      {
        title: `Membres de « ${organisation.name} »`,
        organisation,
        organisationPath: organisationPath(organisation),
        members,
        invitations,
        canManage,
        currentUserId: userId,
        ownerCount: members.filter((m) => m.role === 'owner').length,
        roleLabels,
        roleOptions: [
          { value: 'member', label: 'Membre : modifie la structure, publie et répond' },
          { value: 'owner', label: 'Responsable : gère aussi les membres' },
        ],
        ...extra,
      },
      status,
    );
  }

  app.get('/structures/:id/membres', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const user = currentUser(request);
    if (!isAdminOrMember(user, request.params.id)) throw new NotFoundError();
    return membersPage(reply, user.id, request.params.id);
  });

  app.post(
    '/structures/:id/membres/inviter',
    {
      preHandler: requireUser,
      schema: { params: IdParam, body: formBody({ email: formText(), role: formText(), message: formText() }) },
      config: { rateLimit: { max: 30, timeWindow: 60 * 60_000 } },
    },
    async (request, reply) => {
      const user = currentUser(request);
      try {
        const { email } = await inviteMember(deps, user, request.params.id, request.body);
        reply.flash('success', `Invitation envoyée à ${email}. Le lien est valable 7 jours.`);
        return reply.redirect(`/structures/${request.params.id}/membres`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return membersPage(reply, user.id, request.params.id, { values: request.body, errors: error.fields }, 422);
        throw error;
      }
    },
  );

  /** Member changes answer with a flash: a refused change (last owner) is explained on the list. */
  async function memberAction(reply: FastifyReply, organisationId: number, action: () => Promise<void>, success: string) {
    try {
      await action();
      reply.flash('success', success);
    } catch (error) {
      if (!(error instanceof ConflictError) && !(error instanceof ValidationError)) throw error;
      reply.flash('error', error instanceof ConflictError ? error.message : 'Choisissez un rôle dans la liste.');
    }
    return reply.redirect(`/structures/${organisationId}/membres`, 303);
  }

  app.post(
    '/structures/:id/membres/:userId/role',
    { preHandler: requireUser, schema: { params: MemberParams, body: formBody({ role: formText() }) } },
    async (request, reply) => {
      const user = currentUser(request);
      const { id, userId } = request.params;
      return memberAction(reply, id, () => changeMemberRole(deps, user, id, userId, request.body), 'Le rôle a été modifié.');
    },
  );

  app.post(
    '/structures/:id/membres/:userId/retirer',
    { preHandler: requireUser, schema: { params: MemberParams, body: formBody({}) } },
    async (request, reply) => {
      const user = currentUser(request);
      const { id, userId } = request.params;
      if (userId === user.id) {
        try {
          await removeMembership(deps, user, id, userId);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          reply.flash('error', error.message);
          return reply.redirect(`/structures/${id}/membres`, 303);
        }
        reply.flash('success', 'Vous avez quitté la structure.');
        return reply.redirect('/tableau-de-bord', 303);
      }
      return memberAction(reply, id, () => removeMembership(deps, user, id, userId), 'La personne a été retirée de la structure.');
    },
  );

  app.post(
    '/structures/:id/invitations/:invitationId/annuler',
    { preHandler: requireUser, schema: { params: InvitationParams, body: formBody({}) } },
    async (request, reply) => {
      const user = currentUser(request);
      const { id, invitationId } = request.params;
      return memberAction(reply, id, () => cancelInvitation(deps, user, id, invitationId), 'L’invitation a été annulée.');
    },
  );

  /** The page of a link that no longer works, saying why (expired on…, already used) and whom to ask. */
  async function invalidInvitation(reply: FastifyReply, token: string) {
    const why = await invalidInvitationReason(deps, token);
    return reply.page('organisations/invitation-invalid', { title: 'Invitation expirée', ...why }, 400);
  }

  app.get('/invitations/:token', { schema: { params: TokenParam } }, async (request, reply) => {
    const found = await findValidInvitation(deps, request.params.token);
    if (!found) return invalidInvitation(reply, request.params.token);
    const user = request.user;
    const alreadyMember = Boolean(user?.memberships.some((m) => m.organisationId === found.organisation.id));
    return reply.page('organisations/invitation', {
      title: found.organisation.unclaimed ? `Revendiquer « ${found.organisation.name} »` : `Rejoindre « ${found.organisation.name} »`,
      claim: found.organisation.unclaimed,
      invitation: found.invitation,
      organisation: found.organisation,
      kindLabel: kindLabels[found.organisation.kind],
      roleLabel: roleLabels[found.invitation.role],
      token: request.params.token,
      next: `/invitations/${request.params.token}`,
      alreadyMember,
    });
  });

  app.post('/invitations/:token', { preHandler: requireUser, schema: { params: TokenParam, body: formBody({}) } }, async (request, reply) => {
    const user = currentUser(request);
    const { organisation, path, claimed } = await acceptInvitation(deps, user, request.params.token).catch((error) => {
      if (error?.code === 'invitation_invalid') return { organisation: null, path: null, claimed: false };
      throw error;
    });
    if (!organisation) return invalidInvitation(reply, request.params.token);
    reply.flash(
      'success',
      claimed
        ? `Vous êtes responsable de « ${organisation.name} » : complétez sa présentation, puis enregistrez.`
        : `Vous avez rejoint « ${organisation.name} ».`,
    );
    return reply.redirect(path!, 303);
  });

  app.get('/structures/:idSlug', { schema: { params: IdSlugParam } }, async (request, reply) => {
    const { found, redirect } = await loadPublicOrganisation(deps, request.user, request.params.idSlug, 'partner');
    if (redirect) return reply.redirect(redirect, 301);
    return reply.page('organisations/partner', { ...(await organisationPageData(deps, request.user, found)), statusLabels });
  });

  app.get('/accueils/:idSlug', { preHandler: requireUser, schema: { params: IdSlugParam } }, async (request, reply) => {
    const { found, redirect } = await loadPublicOrganisation(deps, request.user, request.params.idSlug, 'acm');
    if (redirect) return reply.redirect(redirect, 301);
    return reply.page('organisations/acm', { ...(await organisationPageData(deps, request.user, found)), statusLabels });
  });
}
