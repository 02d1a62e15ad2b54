import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { helmetHeaders } from './security-headers';

/** What helmet's own middleware sets on one response. */
function setByHelmet(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = { 'x-powered-by': 'Express' };
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

describe('helmet headers worked out once', () => {
  const options = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };

  it('are exactly what helmet sets on a response', () => {
    expect(helmetHeaders(options)).toEqual(setByHelmet(options));
    expect(Object.keys(helmetHeaders(options))).toEqual(expect.arrayContaining(['content-security-policy', 'strict-transport-security', 'x-frame-options']));
  });

  it('follow the options', () => {
    expect(helmetHeaders({ ...options, frameguard: { action: 'deny' } })['x-frame-options']).toBe('DENY');
    expect(helmetHeaders(options)['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(helmetHeaders({})['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('refuse a policy that depends on the request', () => {
    const perRequest = { contentSecurityPolicy: { directives: { scriptSrc: ["'self'", (_req: IncomingMessage, res: ServerResponse) => `'nonce-${String(res.getHeader?.('x'))}'`] } } };

    expect(() => helmetHeaders(perRequest)).toThrow();
  });
});
