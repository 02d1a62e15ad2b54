// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);

/**
 * The database cannot be reached (down, restarting, connection cut): the HTTP edge answers 503,
 * a consumer waits for it.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | null;
  const code = err?.driverError?.code ?? err?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = typeof err?.message === 'string' ? err.message : '';
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(message);
}
