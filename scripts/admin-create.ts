// npm run admin:create -- EMAIL [--name "Prénom Nom"]
// Creates a confirmed administrator account (password from ADMIN_PASSWORD, or generated and
// printed once), or makes an existing account administrator.
import { randomBytes } from 'node:crypto';
import { findUserByEmail, insertUser, updateUser } from '../server/accounts/accounts.repository.js';
import { PASSWORD_MIN } from '../server/accounts/accounts.usecases.js';
import { hashPassword } from '../server/accounts/passwords.js';
import { loadConfig } from '../server/config.js';
import { exitOnStartupError, prepareDatabase } from '../server/lib/startup.js';
import { writeAudit } from '../server/organisations/organisations.repository.js';

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const args = [...argv];
  let name: string | undefined;
  const nameAt = args.indexOf('--name');
  if (nameAt >= 0) {
    name = args[nameAt + 1];
    args.splice(nameAt, 2);
  }
  const email = args[0]?.trim().toLowerCase();
  if (!email || args.length > 1) throw new UsageError('Usage : npm run admin:create -- adresse@exemple.fr [--name "Prénom Nom"]');
  if (!/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[a-z]{2,}$/i.test(email)) throw new UsageError(`Adresse e-mail invalide : ${email}`);
  return { email, name: name?.trim() || 'Administrateur Passerelle' };
}

async function run() {
  const { email, name } = parseArgs(process.argv.slice(2));
  const envPassword = process.env.ADMIN_PASSWORD;
  if (envPassword !== undefined && envPassword.length < PASSWORD_MIN) throw new UsageError(`ADMIN_PASSWORD : au moins ${PASSWORD_MIN} caractères.`);
  const config = loadConfig();
  const database = await prepareDatabase(config);
  try {
    const now = new Date();
    const existing = await findUserByEmail(database.db, email);
    if (existing) {
      await updateUser(database.db, existing.id, { isAdmin: true, emailVerifiedAt: existing.emailVerifiedAt ?? now, suspendedAt: null });
      await writeAudit(database.db, { actorId: null, action: 'user.admin_promote', entity: 'user', entityId: existing.id });
      console.log(`${email} est maintenant administrateur (mot de passe inchangé).`);
      return;
    }
    const password = envPassword ?? randomBytes(15).toString('base64url');
    const user = await insertUser(database.db, { email, name, passwordHash: await hashPassword(password), emailVerifiedAt: now, isAdmin: true });
    await writeAudit(database.db, { actorId: null, action: 'user.admin_create', entity: 'user', entityId: user.id });
    if (envPassword) console.log(`Administrateur ${email} créé avec le mot de passe de ADMIN_PASSWORD.`);
    else console.log(`Administrateur ${email} créé. Mot de passe (affiché une seule fois) : ${password}`);
  } finally {
    await database.close();
  }
}

run().catch((error) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(1);
  }
  exitOnStartupError(error);
});
