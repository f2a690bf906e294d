import type { Deps } from '../deps.js';
import { AppError, ValidationError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import {
  consumeEmailToken,
  createEmailToken,
  createEmailTokenIfUser,
  findUserByEmail,
  findUserById,
  insertUser,
  revokeEmailTokens,
  type User,
  updateUser,
} from './accounts.repository.js';
import { dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { deleteUserSessions, newToken } from './sessions.repository.js';

const HOUR = 3600_000;
export const PASSWORD_MIN = 10;

function readNewPassword(form: FormReader, name = 'password', confirmName = 'passwordConfirm'): string {
  const password = form.raw(name);
  if (!password) form.fail(name, 'Choisissez un mot de passe.');
  else if (password.length < PASSWORD_MIN) form.fail(name, `Le mot de passe doit comporter au moins ${PASSWORD_MIN} caractères.`);
  else if (password.length > 200) form.fail(name, 'Le mot de passe doit comporter au plus 200 caractères.');
  if (password && form.raw(confirmName) !== password) form.fail(confirmName, 'Les deux mots de passe ne correspondent pas.');
  return password;
}

async function sendConfirmation(deps: Deps, user: User, db = deps.db): Promise<void> {
  const token = await createEmailToken(db, { userId: user.id, purpose: 'confirm-email', expiresAt: new Date(deps.clock.now().getTime() + 48 * HOUR) });
  await deps.mailer.queue(
    {
      to: user.email,
      subject: 'Confirmez votre adresse e-mail',
      template: 'confirm-email',
      data: { name: user.name, url: `${deps.config.BASE_URL}/confirmation/${token}` },
    },
    db,
  );
}

/**
 * Creates an account and emails a confirmation link. An address already registered gets an
 * email saying so, and the page shown is the same: sign-up does not reveal who has an account.
 */
export async function signUp(deps: Deps, body: Record<string, unknown>): Promise<{ email: string }> {
  const form = new FormReader(body);
  const name = form.text('name', { required: true, max: 100 });
  const email = form.email('email', { required: true });
  const password = readNewPassword(form);
  if (!form.bool('terms')) form.fail('terms', 'Acceptez les conditions d’utilisation pour créer un compte.');
  form.assertValid();
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, email!);
    if (existing) {
      await deps.mailer.queue(
        {
          to: existing.email,
          subject: 'Vous avez déjà un compte Passerelle',
          template: 'account-exists',
          data: { name: existing.name, url: `${deps.config.BASE_URL}/mot-de-passe-oublie` },
        },
        tx,
      );
      return;
    }
    const user = await insertUser(tx, { email: email!, name, passwordHash });
    await sendConfirmation(deps, user, tx);
  });
  return { email: email! };
}

export async function confirmEmail(deps: Deps, token: string): Promise<User | null> {
  const userId = await consumeEmailToken(deps.db, token, 'confirm-email', deps.clock.now());
  if (!userId) return null;
  await updateUser(deps.db, userId, { emailVerifiedAt: deps.clock.now() });
  return findUserById(deps.db, userId);
}

export async function resendConfirmation(deps: Deps, email: string): Promise<void> {
  const user = await findUserByEmail(deps.db, email);
  if (user && !user.emailVerifiedAt) await sendConfirmation(deps, user);
}

export class UnconfirmedEmailError extends AppError {
  constructor(readonly email: string) {
    super(403, 'Confirmez d’abord votre adresse e-mail : le lien vous a été envoyé à l’inscription.', 'unconfirmed');
  }
}

/** Returns the user when the credentials are right; the same message whatever was wrong. */
export async function authenticate(deps: Deps, body: Record<string, unknown>): Promise<User> {
  const form = new FormReader(body);
  const email = form.email('email', { required: true });
  const password = form.raw('password');
  if (!password) form.fail('password', 'Saisissez votre mot de passe.');
  form.assertValid();
  const user = await findUserByEmail(deps.db, email!);
  const ok = await verifyPassword(user?.passwordHash ?? dummyHash, password);
  if (!user || !ok) throw new ValidationError({ password: 'Adresse e-mail ou mot de passe incorrect.' });
  if (user.suspendedAt) throw new ValidationError({ email: 'Ce compte est suspendu. Écrivez à l’équipe Passerelle.' });
  if (!user.emailVerifiedAt) throw new UnconfirmedEmailError(user.email);
  return user;
}

/**
 * Mails a one-hour reset link that replaces any earlier one. A known and an unknown address take
 * the same path (token, rendered email, one transaction with the same statements): the answer and
 * its timing do not reveal who has an account. The email is queued; the mail job sends it.
 */
export async function requestPasswordReset(deps: Deps, body: Record<string, unknown>): Promise<void> {
  const form = new FormReader(body);
  const email = form.email('email', { required: true });
  form.assertValid();
  const found = await findUserByEmail(deps.db, email!);
  const user = found && !found.suspendedAt ? found : null;
  const now = deps.clock.now();
  const { token, hash } = newToken();
  const message = {
    to: user?.email ?? email!,
    subject: 'Réinitialisez votre mot de passe',
    template: 'reset-password',
    data: { name: user?.name ?? '', url: `${deps.config.BASE_URL}/reinitialisation/${token}` },
  };
  await deps.db.transaction(async (tx) => {
    const userId = user?.id ?? 0;
    await revokeEmailTokens(tx, userId, 'reset-password', now);
    await createEmailTokenIfUser(tx, { userId, purpose: 'reset-password', expiresAt: new Date(now.getTime() + HOUR), tokenHash: hash });
    if (user) await deps.mailer.queue(message, tx);
    else deps.mailer.render(message.template, { ...message.data, subject: message.subject });
  });
}

/** Sets a new password from a reset link; every reset link and every session of the user end. */
export async function resetPassword(deps: Deps, token: string, body: Record<string, unknown>): Promise<User> {
  const form = new FormReader(body);
  const password = readNewPassword(form);
  form.assertValid();
  const now = deps.clock.now();
  const userId = await consumeEmailToken(deps.db, token, 'reset-password', now);
  if (!userId) throw new AppError(400, 'Ce lien de réinitialisation a expiré ou a déjà servi. Demandez-en un nouveau.', 'token_invalid');
  await updateUser(deps.db, userId, { passwordHash: await hashPassword(password), emailVerifiedAt: now });
  await revokeEmailTokens(deps.db, userId, 'reset-password', now);
  await deleteUserSessions(deps.db, userId);
  return (await findUserById(deps.db, userId))!;
}

export async function updateProfile(deps: Deps, userId: number, body: Record<string, unknown>): Promise<void> {
  const form = new FormReader(body);
  const name = form.text('name', { required: true, max: 100 });
  const jobTitle = form.optionalText('jobTitle', { max: 100 });
  const phone = form.phone('phone');
  form.assertValid();
  await updateUser(deps.db, userId, { name, jobTitle, phone });
}

/** Changes the password and revokes the user's reset links and other sessions. */
export async function changePassword(deps: Deps, userId: number, sessionToken: string | null, body: Record<string, unknown>): Promise<void> {
  const form = new FormReader(body);
  const current = form.raw('currentPassword');
  const password = readNewPassword(form);
  if (!current) form.fail('currentPassword', 'Saisissez votre mot de passe actuel.');
  form.assertValid();
  const user = await findUserById(deps.db, userId);
  if (!user || !(await verifyPassword(user.passwordHash, current))) throw new ValidationError({ currentPassword: 'Mot de passe actuel incorrect.' });
  await updateUser(deps.db, userId, { passwordHash: await hashPassword(password) });
  await revokeEmailTokens(deps.db, userId, 'reset-password', deps.clock.now());
  await deleteUserSessions(deps.db, userId, sessionToken ?? undefined);
}

/** Used by `npm run admin:create` and the demo seed. */
export async function createVerifiedUser(
  deps: Pick<Deps, 'db' | 'clock'>,
  values: { email: string; name: string; password: string; isAdmin?: boolean },
): Promise<User> {
  const existing = await findUserByEmail(deps.db, values.email);
  if (existing) {
    if (values.isAdmin && !existing.isAdmin) await updateUser(deps.db, existing.id, { isAdmin: true });
    return existing;
  }
  return insertUser(deps.db, {
    email: values.email,
    name: values.name,
    passwordHash: await hashPassword(values.password),
    emailVerifiedAt: deps.clock.now(),
    isAdmin: values.isAdmin ?? false,
  });
}
