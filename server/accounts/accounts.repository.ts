import { and, eq, gt, isNull } from 'drizzle-orm';
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

export async function createEmailToken(db: Db, values: { userId: number; purpose: 'confirm-email' | 'reset-password'; expiresAt: Date }): Promise<string> {
  const { token, hash } = newToken();
  await db.insert(emailTokens).values({ ...values, tokenHash: hash });
  return token;
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
