import { type INestApplication, Logger } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import request from 'supertest';
import { closedPortUrl, FakeUpstream } from '../test/support/fake-upstream';
import { startGateway } from '../test/support/gateway';
import { UpstreamClient } from './upstream/upstream-client';

const ID = '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b';
const USER = { id: ID, email: 'ada@example.com', name: 'Ada', role: 'user', createdAt: '2025-01-31T12:00:00.000Z', updatedAt: '2025-01-31T12:00:00.000Z' };
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

/** The trace that is active each time `method` of Nest's Logger is called (where a line's traceId comes from). */
function tracesActiveAt(method: 'error' | 'warn'): Array<string | undefined> {
  const seen: Array<string | undefined> = [];
  jest.spyOn(Logger.prototype, method).mockImplementation(() => void seen.push(trace.getActiveSpan()?.spanContext().traceId));
  return seen;
}

describe('the request trace in the gateway, which runs no AsyncLocalStorage', () => {
  let users: FakeUpstream;
  let app: INestApplication;
  let stopTracing: (() => Promise<void>) | undefined;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    users = await FakeUpstream.start();
    // Tracing as main.ts starts it, recording nothing: the exporter loads its HTTP agent with a
    // dynamic import that Jest cannot run. Unrecorded spans still get their ids and travel alike.
    delete process.env.OTEL_SDK_DISABLED;
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    process.env.JAEGER_ENDPOINT = `${await closedPortUrl()}/v1/traces`;
    const { tracing } = await import('./tracing');
    stopTracing = tracing ? () => tracing.shutdown() : undefined;
    app = await startGateway({ USER_SERVICE_URL: users.url, ORDER_SERVICE_URL: users.url, PAYMENT_SERVICE_URL: users.url, UPSTREAM_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await app?.close();
    await users.close();
    await stopTracing?.();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  afterEach(() => jest.restoreAllMocks());

  it('is on, without an AsyncLocalStorage: the context does not follow an await', async () => {
    expect(stopTracing).toBeDefined();
    const key = Symbol('k');
    const after = await context.with(ROOT_CONTEXT.setValue(key, 1), async () => {
      await Promise.resolve();
      return context.active().getValue(key);
    });
    expect(after).toBeUndefined();
  });

  it("hands the service the caller's trace, from a client span of its own, after the guards' and pipes' awaits", async () => {
    users.answer(() => ({ status: 200, json: USER }));

    await http().get(`/api/users/${ID}`).set('traceparent', TRACEPARENT).expect(200);

    const [version, traceId, spanId, flags] = String(users.last.headers.traceparent).split('-');
    expect({ version, traceId, flags }).toEqual({ version: '00', traceId: CALLER_TRACE, flags: '00' });
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe(CALLER_SPAN);
  });

  it("writes the line of a failed request in the request's trace", async () => {
    const traces = tracesActiveAt('error');
    users.answer(() => ({ status: 500, json: { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' } }));

    await http().get(`/api/users/${ID}`).set('traceparent', TRACEPARENT).expect(502);

    expect(traces).toEqual([CALLER_TRACE]);
  });

  it("names the request's trace in the warning that takes a refusing instance out of the rotation", async () => {
    const traces = tracesActiveAt('warn');
    users.answer(() => ({ status: 200, json: [USER] }));
    // Built directly: no background probe finds the closed port first.
    const client = new UpstreamClient({ baseUrls: { 'user-service': [await closedPortUrl(), users.url], 'order-service': [users.url], 'payment-service': [users.url] }, timeoutMs: 1000 });
    const caller = trace.setSpanContext(ROOT_CONTEXT, { traceId: CALLER_TRACE, spanId: CALLER_SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    try {
      for (let i = 0; i < 2; i++) await client.forward('user-service', { method: 'GET', path: '/users', requestId: `r-${i}`, trace: caller });
    } finally {
      await client.onApplicationShutdown();
    }

    expect(traces).toEqual([CALLER_TRACE]);
  });
});
