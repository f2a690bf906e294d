import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coordinatorScopes, memberships, organisations } from '../../db/schema/index.js';
import { createVerifiedUser } from '../../server/accounts/accounts.usecases.js';
import { readEml } from '../../server/lib/eml.js';
import type { App } from '../../server/types.js';
import { Agent } from './agent.js';

export const PASSWORD = 'mot-de-passe-solide';
let sequence = 0;

export async function createUser(app: App, values: { email?: string; name?: string; isAdmin?: boolean } = {}) {
  sequence++;
  return createVerifiedUser(app.deps, {
    email: values.email ?? `user${sequence}-${Math.random().toString(36).slice(2, 6)}@exemple.fr`,
    name: values.name ?? `Utilisateur ${sequence}`,
    password: PASSWORD,
    isAdmin: values.isAdmin,
  });
}

type OrganisationRow = typeof organisations.$inferInsert;

/** An organisation (partner by default) in Lyon, with `ownerId` as owner if given. */
export async function createOrganisation(app: App, values: Partial<OrganisationRow> & { ownerId?: number; memberIds?: number[] } = {}) {
  const { ownerId, memberIds = [], ...row } = values;
  const name = row.name ?? `Structure ${++sequence}`;
  const kind = row.kind ?? 'partner';
  const [organisation] = await app.deps.db
    .insert(organisations)
    .values({
      kind,
      name,
      slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      type: kind === 'partner' ? 'association' : null,
      address: '1 place Bellecour',
      postcode: '69002',
      codeInsee: '69382',
      lat: 45.7578,
      lng: 4.832,
      email: 'contact@exemple.fr',
      ...row,
    })
    .returning();
  if (ownerId) await app.deps.db.insert(memberships).values({ organisationId: organisation!.id, userId: ownerId, role: 'owner' });
  for (const userId of memberIds) await app.deps.db.insert(memberships).values({ organisationId: organisation!.id, userId, role: 'member' });
  return organisation!;
}

export async function addCoordinatorScope(app: App, userId: number, scope: 'region' | 'department' | 'epci' | 'commune', code: string) {
  await app.deps.db.insert(coordinatorScopes).values({ userId, scope, code });
}

/** An agent signed in as a new (or given) user; a demo account gives its own password. */
export async function signedInAgent(app: App, user?: { email: string; password?: string }) {
  const account: { email: string; password?: string } = user ?? (await createUser(app));
  const agent = new Agent(app);
  const response = await agent.post('/connexion', { email: account.email, password: account.password ?? PASSWORD });
  if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode}`);
  return agent;
}

export interface SentMail {
  file: string;
  to: string;
  subject: string;
  text: string;
  raw: string;
}

/** Sends the queued emails and reads them back from the .eml outbox, oldest first. */
export async function readMails(app: App): Promise<SentMail[]> {
  while ((await app.deps.mailer.flush()) > 0) {}
  let files: string[] = [];
  try {
    files = readdirSync(app.deps.mailer.outboxDir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
  return Promise.all(
    files.map(async (file) => {
      const raw = readFileSync(join(app.deps.mailer.outboxDir, file), 'utf8');
      const { to, subject, text } = await readEml(raw);
      return { file, to, subject, text, raw };
    }),
  );
}

/** The first link to BASE_URL in a text. */
export function linkIn(text: string): string {
  const match = /http:\/\/localhost:3000(\/[^\s)]+)/.exec(text);
  if (!match) throw new Error(`No link in: ${text}`);
  return match[1]!;
}
