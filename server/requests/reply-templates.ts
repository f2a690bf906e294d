import { membershipOf } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { MESSAGE_MAX } from './request-form.js';
import { deleteTemplate, findTemplate, insertTemplate, listTemplates, updateTemplate } from './requests.repository.js';

const MAX_TEMPLATES = 50;

/** Quick replies belong to a partner organisation: any of its members manages them. */
export function templateOwner(user: CurrentUser, organisationId: number | undefined) {
  const membership = organisationId ? membershipOf(user, organisationId) : user.memberships.find((m) => m.kind === 'partner');
  if (membership?.kind !== 'partner') throw new NotFoundError();
  return membership;
}

function readTemplate(body: Record<string, unknown>) {
  const form = new FormReader(body);
  const title = form.text('title', { required: true, max: 100 });
  const text = form.text('body', { required: true, max: MESSAGE_MAX, multiline: true, noMarkup: false });
  form.assertValid();
  return { title, body: text };
}

export async function createTemplate(deps: Deps, user: CurrentUser, organisationId: number, body: Record<string, unknown>) {
  templateOwner(user, organisationId);
  const values = readTemplate(body);
  if ((await listTemplates(deps.db, organisationId)).length >= MAX_TEMPLATES) {
    throw new ConflictError(`Vous avez déjà ${MAX_TEMPLATES} réponses rapides : supprimez-en une avant d’en ajouter.`);
  }
  return insertTemplate(deps.db, { organisationId, ...values, createdAt: deps.clock.now() });
}

/** A template of one of the user's partner organisations, or a 404. */
export async function ownTemplate(deps: Deps, user: CurrentUser, id: number) {
  const template = await findTemplate(deps.db, id);
  if (!template) throw new NotFoundError();
  templateOwner(user, template.organisationId);
  return template;
}

export async function editTemplate(deps: Deps, user: CurrentUser, id: number, body: Record<string, unknown>) {
  const template = await ownTemplate(deps, user, id);
  await updateTemplate(deps.db, id, readTemplate(body));
  return template;
}

export async function removeTemplate(deps: Deps, user: CurrentUser, id: number) {
  const template = await ownTemplate(deps, user, id);
  await deleteTemplate(deps.db, id);
  return template;
}
