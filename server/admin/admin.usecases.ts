import { findUserById, updateUser } from '../accounts/accounts.repository.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { deleteUserSessions } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { type ScopeKind, scopeKinds, scopeLabels } from '../kernel/scopes.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { writeAudit } from '../organisations/organisations.repository.js';
import { communeLabel, findCommune, findDepartment, findRegionByCode, resolveCommune, resolveEpci } from '../territories/territories.repository.js';
import { deleteScope, insertScope } from './admin.repository.js';

export { type ScopeKind, scopeKinds, scopeLabels };

async function targetUser(deps: Deps, id: number) {
  const user = await findUserById(deps.db, id);
  if (!user) throw new NotFoundError();
  return user;
}

/** Suspends an account: its sessions end at once and it can no longer sign in. */
export async function suspendUser(deps: Deps, admin: CurrentUser, userId: number): Promise<void> {
  if (userId === admin.id) throw new ConflictError('Vous ne pouvez pas suspendre votre propre compte.');
  const user = await targetUser(deps, userId);
  if (user.suspendedAt) throw new ConflictError('Ce compte est déjà suspendu.');
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    await updateUser(tx, userId, { suspendedAt: now });
    await deleteUserSessions(tx, userId);
    await writeAudit(tx, { actorId: admin.id, action: 'user.suspend', entity: 'user', entityId: userId, at: now });
  });
}

export async function reinstateUser(deps: Deps, admin: CurrentUser, userId: number): Promise<void> {
  const user = await targetUser(deps, userId);
  if (!user.suspendedAt) throw new ConflictError('Ce compte n’est pas suspendu.');
  await deps.db.transaction(async (tx) => {
    await updateUser(tx, userId, { suspendedAt: null });
    await writeAudit(tx, { actorId: admin.id, action: 'user.reinstate', entity: 'user', entityId: userId, at: deps.clock.now() });
  });
}

/** Resolves a scope code against the reference tables and returns the label to show. */
async function resolveScope(deps: Deps, form: FormReader, scope: ScopeKind): Promise<{ code: string; label: string } | null> {
  const raw = form.text('code', { required: true, max: 120 });
  if (!raw) return null;
  if (scope === 'region') {
    const region = await findRegionByCode(deps.db, raw);
    if (!region) form.fail('code', 'Code de région inconnu (exemple : 84 pour Auvergne-Rhône-Alpes).');
    return region ? { code: region.code, label: region.name } : null;
  }
  if (scope === 'department') {
    const department = await findDepartment(deps.db, raw.toUpperCase().padStart(2, '0'));
    if (!department) form.fail('code', 'Code de département inconnu (exemple : 69 pour le Rhône, 2A pour la Corse-du-Sud).');
    return department ? { code: department.code, label: `${department.name} (${department.code})` } : null;
  }
  if (scope === 'epci') {
    const found = await resolveEpci(deps.db, raw);
    if ('error' in found) {
      form.fail(
        'code',
        found.error === 'unknown'
          ? 'Intercommunalité introuvable : saisissez son numéro SIREN (9 chiffres) ou son nom.'
          : `Plusieurs intercommunalités correspondent (${found.candidates.map((e) => e.name).join(', ')}) : saisissez le numéro SIREN.`,
      );
      return null;
    }
    return { code: found.epci.code, label: found.epci.name };
  }
  const byCode = /^\d[\dAB]\d{3}$/i.test(raw) ? await findCommune(deps.db, raw.toUpperCase()) : null;
  if (byCode) return { code: byCode.codeInsee, label: communeLabel(byCode) };
  const resolved = await resolveCommune(deps.db, raw);
  if ('error' in resolved) {
    form.fail(
      'code',
      resolved.error === 'unknown'
        ? 'Commune introuvable : saisissez son code INSEE ou son nom.'
        : 'Plusieurs communes correspondent : précisez le code postal ou le code INSEE.',
    );
    return null;
  }
  return { code: resolved.commune.codeInsee, label: communeLabel(resolved.commune) };
}

/** Appoints a user coordinator of a région, département or commune (codes checked against the reference tables). */
export async function addCoordinatorScope(deps: Deps, admin: CurrentUser, userId: number, body: Record<string, unknown>): Promise<{ label: string }> {
  await targetUser(deps, userId);
  const form = new FormReader(body);
  const scope = form.oneOf('scope', scopeKinds, { required: true });
  const resolved = scope ? await resolveScope(deps, form, scope) : null;
  form.assertValid();
  const inserted = await deps.db.transaction(async (tx) => {
    const added = await insertScope(tx, { userId, scope: scope!, code: resolved!.code, label: resolved!.label });
    if (added) {
      await writeAudit(tx, {
        actorId: admin.id,
        action: 'user.scope_add',
        entity: 'user',
        entityId: userId,
        data: { scope, code: resolved!.code },
        at: deps.clock.now(),
      });
    }
    return added;
  });
  if (!inserted) throw new ValidationError({ code: 'Cette personne coordonne déjà ce territoire.' });
  return { label: `${scopeLabels[scope!]} : ${resolved!.label}` };
}

export async function removeCoordinatorScope(deps: Deps, admin: CurrentUser, userId: number, scope: ScopeKind, code: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if (!(await deleteScope(tx, userId, scope, code))) throw new NotFoundError();
    await writeAudit(tx, { actorId: admin.id, action: 'user.scope_remove', entity: 'user', entityId: userId, data: { scope, code }, at: deps.clock.now() });
  });
}
