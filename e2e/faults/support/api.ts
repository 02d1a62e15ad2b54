// The public API as a client uses it, through the faults stack's gateway (see ../../support/http-client.ts).
import { randomUUID } from 'node:crypto';
import { httpCall, Reply } from '../../support/http-client';
import { GATEWAY_URL } from './harness';

export { inParallel, unexpected, type Reply } from '../../support/http-client';

export function call<T = any>(
  method: string,
  path: string,
  body?: unknown,
  opts: { timeoutMs?: number; headers?: Record<string, string>; base?: string } = {},
): Promise<Reply<T>> {
  return httpCall<T>(opts.base ?? GATEWAY_URL, method, path, body, opts);
}

export const PASSWORD = 'SecurePass123!';
export const email = (tag: string, i: number | string) => `${tag}-${i}-${randomUUID().slice(0, 8)}@example.com`;

export function createUser(tag: string, i: number | string): Promise<Reply<{ id: string; email: string }>> {
  return call('POST', '/api/users', { email: email(tag, i), name: `${tag} ${i}`, password: PASSWORD });
}

export function placeOrder(userId: string, n = 1): Promise<Reply<{ id: string; status: string; userId: string }>> {
  return call('POST', '/api/orders', { userId, items: [{ productId: 'product-fault-suite', quantity: n, price: 12.34 }] });
}
