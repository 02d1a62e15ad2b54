import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * helmet's headers for these options, worked out once. With no CSP nonces and no per-request
 * directive, helmet sets the same headers on every response; its middleware would rebuild them
 * (the CSP string among them) and set each one on every request.
 */
export function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  if (hasPerRequestDirective(options)) throw new Error('a Content-Security-Policy directive is computed per request: these headers are not the same for every response');
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let done = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('helmet did not answer synchronously: its headers depend on the request');
  return Object.freeze(headers);
}

/** A directive given as a function is worked out by helmet for each request (a nonce, usually). */
function hasPerRequestDirective(options: HelmetOptions): boolean {
  const policy = options.contentSecurityPolicy;
  const directives = typeof policy === 'object' && policy !== null ? Object.values(policy.directives ?? {}) : [];
  return directives.some((value) => typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function')));
}

/** helmet's headers on every response the app sends (one object set per reply, not one call per header). */
export function sendSecurityHeaders(fastify: FastifyInstance, options: HelmetOptions): void {
  const headers = helmetHeaders(options);
  fastify.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
