import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { closedPortUrl, FakeUpstream } from '../../test/support/fake-upstream';
import { UpstreamOptions } from '../config/upstreams';
import { UpstreamClient } from './upstream-client';
import { UpstreamBadResponseError, UpstreamTimeoutError, UpstreamUnavailableError } from './upstream.errors';

const REQUEST_ID = 'req-123';
const USER_ID = '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b';

describe('UpstreamClient', () => {
  let users: FakeUpstream;
  let orders: FakeUpstream;
  let nowhere: string;
  let sut: UpstreamClient;

  const clientWith = (overrides: Partial<UpstreamOptions> = {}): UpstreamClient =>
    new UpstreamClient({
      baseUrls: { 'user-service': [users.url], 'order-service': [orders.url], 'payment-service': [nowhere] },
      // Far above a loaded machine's answer times: only the test that waits for the deadline reaches it.
      timeoutMs: 1000,
      apiKey: 'secret-key',
      ...overrides,
    });

  beforeAll(async () => {
    [users, orders] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
    nowhere = await closedPortUrl();
  });
  afterAll(() => Promise.all([users.close(), orders.close()]));

  beforeEach(() => {
    sut = clientWith();
  });
  afterEach(() => sut.onApplicationShutdown());

  describe('forwarding', () => {
    it('sends method, path, query, JSON body, request id and api key to the service', async () => {
      users.answer(() => ({ status: 201, json: { id: USER_ID } }));

      await sut.forward('user-service', {
        method: 'PUT',
        path: `/users/${USER_ID}`,
        query: { limit: 5, offset: 10, skipped: undefined },
        body: { name: 'Ada', price: 12.5 },
        requestId: REQUEST_ID,
      });

      const got = users.last;
      expect(got.method).toBe('PUT');
      expect(got.url).toBe(`/users/${USER_ID}?limit=5&offset=10`);
      expect(JSON.parse(got.body)).toEqual({ name: 'Ada', price: 12.5 });
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['x-request-id']).toBe(REQUEST_ID);
      expect(got.headers['x-api-key']).toBe('secret-key');
    });

    it('sends no body, no content-type and no api key when there are none', async () => {
      await sut.onApplicationShutdown();
      sut = clientWith({ apiKey: undefined });
      users.answer(() => ({ status: 200, json: [] }));

      await sut.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });

      expect(users.last.body).toBe('');
      expect(users.last.headers['content-type']).toBeUndefined();
      expect(users.last.headers['x-api-key']).toBeUndefined();
    });

    it('keeps the path of a base URL', async () => {
      await sut.onApplicationShutdown();
      sut = clientWith({ baseUrls: { 'user-service': [`${users.url}/v1/`], 'order-service': [orders.url], 'payment-service': [nowhere] } });
      users.answer(() => ({ status: 200, json: {} }));

      await sut.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });

      expect(users.last.url).toBe('/v1/users');
    });

    it('reuses keep-alive connections instead of opening one per request', async () => {
      users.answer(() => ({ status: 200, json: {} }));

      for (let i = 0; i < 10; i++) await sut.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });

      const ports = users.received.slice(-10).map((r) => r.remotePort);
      // undici may open a second connection while the first finishes its bookkeeping; never ten.
      expect(new Set(ports).size).toBeLessThanOrEqual(2);
    });
  });

  describe('answers that pass through unchanged', () => {
    it.each([
      [400, { statusCode: 400, message: ['email must be an email'], error: 'Bad Request', requestId: REQUEST_ID }],
      [404, { statusCode: 404, message: `user ${USER_ID} not found`, error: 'Not Found', requestId: REQUEST_ID, code: 'USER.NOT_FOUND' }],
      [409, { statusCode: 409, message: 'a user with email a@b.co already exists', error: 'Conflict', requestId: REQUEST_ID }],
      [503, { statusCode: 503, message: 'database unavailable, try again shortly', error: 'Service Unavailable', requestId: REQUEST_ID }],
    ])('%i with its body', async (status, body) => {
      users.answer(() => ({ status, json: body }));

      const reply = await sut.forward('user-service', { method: 'GET', path: `/users/${USER_ID}`, requestId: REQUEST_ID });

      // The text as sent, for the client; parsed, for the gateway's own reading.
      expect(reply).toEqual({ status, body, totalCount: undefined, json: JSON.stringify(body) });
    });

    it('a list with its X-Total-Count', async () => {
      users.answer(() => ({ status: 200, json: [{ id: USER_ID }], headers: { 'X-Total-Count': '41' } }));

      const reply = await sut.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });

      expect(reply).toEqual({ status: 200, body: [{ id: USER_ID }], totalCount: '41', json: JSON.stringify([{ id: USER_ID }]) });
    });

    it('204 with no body', async () => {
      users.answer(() => ({ status: 204 }));

      const reply = await sut.forward('user-service', { method: 'DELETE', path: `/users/${USER_ID}`, requestId: REQUEST_ID });

      expect(reply).toEqual({ status: 204, body: undefined, totalCount: undefined });
    });

    it('a 4xx that is not JSON, rewritten into the error shape with its status kept', async () => {
      users.answer(() => ({ status: 404, raw: '<html>nope</html>', headers: { 'content-type': 'text/html' } }));

      const reply = await sut.forward('user-service', { method: 'GET', path: '/nowhere', requestId: REQUEST_ID });

      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ statusCode: 404, message: 'user-service: Not Found', error: 'Not Found', requestId: REQUEST_ID });
    });
  });

  describe('failures', () => {
    it('503 "<service> unavailable" when nothing listens on the port', async () => {
      const failure = sut.forward('payment-service', { method: 'GET', path: '/payments', requestId: REQUEST_ID });

      await expect(failure).rejects.toBeInstanceOf(UpstreamUnavailableError);
      await expect(failure).rejects.toMatchObject({ message: 'payment-service unavailable', status: 503 });
    });

    it('503 when the service drops the connection without answering', async () => {
      users.answer(() => ({ reset: true }));

      const failure = sut.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });

      await expect(failure).rejects.toMatchObject({ message: 'user-service unavailable', status: 503 });
    });

    it('504 once the service takes longer than the timeout, without waiting for it', async () => {
      orders.answer(() => ({ status: 200, json: {}, delayMs: 5000 }));
      const started = Date.now();

      const failure = sut.forward('order-service', { method: 'GET', path: '/orders', requestId: REQUEST_ID });

      await expect(failure).rejects.toBeInstanceOf(UpstreamTimeoutError);
      await expect(failure).rejects.toMatchObject({ message: 'order-service did not answer within 1000 ms', status: 504 });
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('504 when the answer\'s body stops coming, and the connection to the service is closed', async () => {
      // Headers and half a body, then nothing: the deadline covers the complete answer.
      let closed!: () => void;
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      const stalling = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"id":');
        req.socket.once('close', closed);
      });
      await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
      const client = clientWith({ baseUrls: { 'user-service': [`http://127.0.0.1:${(stalling.address() as AddressInfo).port}`], 'order-service': [orders.url], 'payment-service': [nowhere] } });
      try {
        const started = Date.now();

        const failure = client.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });

        await expect(failure).rejects.toBeInstanceOf(UpstreamTimeoutError);
        expect(Date.now() - started).toBeLessThan(4000);
        await connectionClosed;
      } finally {
        await client.onApplicationShutdown();
        await new Promise((resolve) => stalling.close(resolve));
      }
    });

    it('502 for a 500, without the service\'s details', async () => {
      orders.answer(() => ({ status: 500, json: { statusCode: 500, message: 'stack: at Foo.bar (secret.ts:1)' } }));

      const failure = sut.forward('order-service', { method: 'GET', path: '/orders', requestId: REQUEST_ID });

      await expect(failure).rejects.toBeInstanceOf(UpstreamBadResponseError);
      await expect(failure).rejects.toMatchObject({ status: 502, message: 'order-service failed to answer the request (HTTP 500)' });
    });

    it('502 for a 2xx whose body is not JSON', async () => {
      orders.answer(() => ({ status: 200, raw: 'hello', headers: { 'content-type': 'text/plain' } }));

      await expect(sut.forward('order-service', { method: 'GET', path: '/orders', requestId: REQUEST_ID })).rejects.toMatchObject({
        status: 502,
        message: 'order-service failed to answer the request (not JSON)',
      });
    });

    it('502 for a body that claims JSON but is not', async () => {
      orders.answer(() => ({ status: 200, raw: '{"broken', headers: { 'content-type': 'application/json' } }));

      await expect(sut.forward('order-service', { method: 'GET', path: '/orders', requestId: REQUEST_ID })).rejects.toMatchObject({
        status: 502,
        message: 'order-service failed to answer the request (invalid JSON)',
      });
    });
  });

  describe('probeAll', () => {
    const only = async (upstream: Parameters<UpstreamClient['probeAll']>[0], path: string, timeoutMs: number) => {
      const probes = await sut.probeAll(upstream, path, timeoutMs);
      expect(probes).toHaveLength(1);
      return probes[0].result;
    };

    it('is ok when the service answers 200', async () => {
      users.ready = true;
      await expect(only('user-service', '/health/ready', 1500)).resolves.toEqual({ ok: true });
    });

    it('names the status and the service\'s failing checks when it is not ready', async () => {
      users.ready = false;
      try {
        await expect(only('user-service', '/health/ready', 1500)).resolves.toEqual({
          ok: false,
          reason: 'HTTP 503',
          details: { database: { status: 'down' } },
        });
      } finally {
        users.ready = true;
      }
    });

    it('says the connection was refused when nothing listens', async () => {
      await expect(only('payment-service', '/health/ready', 1500)).resolves.toEqual({
        ok: false,
        reason: 'connection refused (ECONNREFUSED)',
      });
    });

    it('gives up after its own timeout', async () => {
      orders.answer(() => ({ status: 200, json: {}, delayMs: 2000 }));
      await expect(only('order-service', '/slow', 100)).resolves.toEqual({ ok: false, reason: 'no answer within 100 ms', timedOut: true });
    });

    it('names each instance by its base URL', async () => {
      await expect(sut.probeAll('order-service', '/health/ready', 1500)).resolves.toEqual([{ instance: orders.url, result: { ok: true } }]);
    });
  });

  it('records each attempt in gateway_upstream_duration_seconds, and each failed one in gateway_upstream_errors_total, by instance', async () => {
    users.answer(() => ({ status: 409, json: { statusCode: 409 } }));

    await sut.forward('user-service', { method: 'POST', path: '/users', body: {}, requestId: REQUEST_ID });
    await sut.forward('payment-service', { method: 'GET', path: '/payments', requestId: REQUEST_ID }).catch(() => undefined);

    const text = await register.metrics();
    const instance = (url: string) => url.replace(/[.]/g, '[.]');
    expect(text).toMatch(new RegExp(`gateway_upstream_duration_seconds_count\\{upstream="user-service",upstream_instance="${instance(users.url)}",method="POST",status_code="409"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`gateway_upstream_duration_seconds_count\\{upstream="payment-service",upstream_instance="${instance(nowhere)}",method="GET",status_code="unavailable"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`gateway_upstream_errors_total\\{upstream="payment-service",upstream_instance="${instance(nowhere)}",error="connect_failed",retried="false"\\} [1-9]`));
  });
});
