import { createHmac, timingSafeEqual } from 'node:crypto';
import { TYPE_PATTERN } from './notification-types.js';

/**
 * Unsubscribe links work without signing in: the token names the user and the email type and is
 * signed with SESSION_SECRET, so it can only turn off that type for that user.
 */
function signature(secret: string, userId: number, type: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${userId}:${type}`).digest('base64url').slice(0, 32);
}

export function unsubscribeToken(secret: string, userId: number, type: string): string {
  return `${userId}.${type}.${signature(secret, userId, type)}`;
}

export const UNSUBSCRIBE_TOKEN_PATTERN = '^\\d{1,10}\\.[a-z][a-z0-9_]{1,49}\\.[A-Za-z0-9_-]{32}$';

export function verifyUnsubscribeToken(secret: string, token: string): { userId: number; type: string } | null {
  const [id, type, given] = token.split('.');
  if (!id || !type || !given || !/^\d{1,10}$/.test(id) || !TYPE_PATTERN.test(type)) return null;
  const userId = Number(id);
  const expected = Buffer.from(signature(secret, userId, type));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return { userId, type };
}
