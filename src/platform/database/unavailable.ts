/**
 * Says whether an error means "PostgreSQL cannot be reached right now" (down, restarting, shutting
 * down, the connection lost or not had in time) rather than a fault of the request or the code.
 * The API answers those 503 and the outbox retries the write; anything else stays an error.
 * Duck-typed: errors made by Node's own realm (sockets) fail `instanceof Error` inside a VM context.
 */
const PG_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']); // admin/crash shutdown, starting up, too many connections
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection is closed|database system is (shutting down|starting up|in recovery)/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (PG_UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08') || NET_CODES.has(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  // AggregateError (a connect to every address failed), TypeORM's wrapper, an error's cause.
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
