/**
 * The database cannot be reached: its connections are refused, cut or time out (a restart, a
 * failover, a network fault). Requests then answer 503 with a Retry-After instead of a 500.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message = 'database unreachable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

// postgres.js's own codes for a connection that closed, was ended or never opened.
const driverCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
// Node's socket errors.
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped.
const serverCodes = new Set(['57P01', '57P02', '57P03', '57P04']);

function unavailableItself(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  if (typeof code === 'string' && (driverCodes.has(code) || socketCodes.has(code) || serverCodes.has(code) || code.startsWith('08'))) return true;
  // A FATAL or PANIC error ends the session: e.g. "database … is not currently accepting connections".
  return severity === 'FATAL' || severity === 'PANIC';
}

/** True when the error, or one of its causes (drizzle wraps the driver's error), says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (unavailableItself(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
