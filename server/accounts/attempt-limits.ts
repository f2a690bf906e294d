import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, tooManyAttemptsMessage } from '../lib/errors.js';
import { normalizeEmail } from '../lib/validation.js';
import type { App } from '../types.js';

interface Limit {
  max: number;
  windowMs: number;
}

/**
 * The limits of one family of attempts (sign-in, password reset…): per account whatever the IP
 * (a botnet guessing one password), per IP whatever the account (password spraying), and
 * optionally per IP and account, lower, so that one guesser does not lock a colleague out.
 */
interface AttemptLimits {
  perAccount: Limit;
  perIp: Limit;
  perIpAndAccount?: Limit;
}

class TooManyAttemptsError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, tooManyAttemptsMessage(retryAfterSeconds), 'rate_limited');
  }
}

/** The account an attempt is about: the submitted address, read exactly as the account lookup reads it. */
function submittedAccount(request: FastifyRequest): string {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? normalizeEmail(email).slice(0, 254) : '';
}

/** The client as the limits see it: an IPv6 client owns its whole /64. */
function clientOf(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

/**
 * A preHandler counting each attempt against every limit of the family, and refusing it (429)
 * once one is exceeded. `account` says who the attempt is about (the submitted address by default).
 */
export function limitAttempts(app: App, family: string, limits: AttemptLimits, account: (request: FastifyRequest) => string = submittedAccount) {
  const counter = (scope: string, limit: Limit, key: (request: FastifyRequest) => string | null) => {
    const count = app.createRateLimit({ max: limit.max, timeWindow: limit.windowMs, keyGenerator: (request) => `${family}|${scope}|${key(request)}` });
    return (request: FastifyRequest) => (key(request) === null ? null : count(request));
  };
  const counters = [
    counter('account', limits.perAccount, (request) => account(request) || null),
    counter('ip', limits.perIp, clientOf),
    ...(limits.perIpAndAccount ? [counter('ip+account', limits.perIpAndAccount, (request) => `${clientOf(request)}|${account(request)}`)] : []),
  ];
  return async function attemptLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const results = await Promise.all(counters.map((count) => count(request)));
    const exceeded = results.filter((result) => result && !result.isAllowed && result.isExceeded);
    if (exceeded.length === 0) return;
    const retryAfter = Math.max(...exceeded.map((result) => (result && !result.isAllowed ? result.ttlInSeconds : 0)));
    reply.header('retry-after', retryAfter);
    throw new TooManyAttemptsError(retryAfter);
  };
}
