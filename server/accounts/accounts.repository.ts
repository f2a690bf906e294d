import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { emailTokens, users } from '../../db/schema/index.js';
import { hashToken, newToken } from './sessions.repository.js';

export type User = typeof users.$inferSelect;

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return user ?? null;
}

export async function findUserById(db: Db, id: number): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

export async function insertUser(
  db: Db,
  values: { email: string; name: string; passwordHash: string; emailVerifiedAt?: Date | null; isAdmin?: boolean },
): Promise<User> {
  const [user] = await db
    .insert(users)
    .values({ ...values, email: values.email.toLowerCase() })
    .returning();
  return user!;
}

export async function updateUser(db: Db, id: number, values: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<void> {
  await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(users.id, id));
}

type TokenPurpose = 'confirm-email' | 'reset-password';

export async function createEmailToken(db: Db, values: { userId: number; purpose: TokenPurpose; expiresAt: Date }): Promise<string> {
  const { token, hash } = newToken();
  await db.insert(emailTokens).values({ ...values, tokenHash: hash });
  return token;
}

/**
 * Stores a token for the user if the user exists, else nothing: the same statement either way,
 * so that asking for a link takes the same time for a known and an unknown address.
 */
export async function createEmailTokenIfUser(db: Db, values: { userId: number; purpose: TokenPurpose; expiresAt: Date; tokenHash: string }): Promise<void> {
  await db.execute(sql`
    insert into email_tokens (token_hash, purpose, user_id, expires_at)
    select ${values.tokenHash}, ${values.purpose}, ${users.id}, ${values.expiresAt.toISOString()}::timestamptz
    from ${users} where ${users.id} = ${values.userId}`);
}

/** Ends every live token of a purpose for the user: a newer link, a use, a new password. */
export async function revokeEmailTokens(db: Db, userId: number, purpose: TokenPurpose, now: Date): Promise<void> {
  await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
}

/** Marks a valid, unused, unexpired token as used and returns its user id (or null). */
export async function consumeEmailToken(db: Db, token: string, purpose: 'confirm-email' | 'reset-password', now: Date): Promise<number | null> {
  const [row] = await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(and(eq(emailTokens.tokenHash, hashToken(token)), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
    .returning({ userId: emailTokens.userId });
  return row?.userId ?? null;
}

export async function findValidEmailToken(db: Db, token: string, purpose: 'confirm-email' | 'reset-password', now: Date) {
  const [row] = await db
    .select()
    .from(emailTokens)
    .where(and(eq(emailTokens.tokenHash, hashToken(token)), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
    .limit(1);
  return row ?? null;
}
