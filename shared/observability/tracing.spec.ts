import { context, createContextKey, diag, DiagLogLevel, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { EventEmitter } from 'node:events';
import { currentOrigin, currentTrace, currentUnit, runInUnit, runWithOrigin } from '../context/origin';
import http, { type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import {
  inRequestTrace,
  instrumentations,
  nameServerSpan,
  REQUEST_ID_ATTRIBUTE,
  requestTraceOf,
  samplerFrom,
  startTracing,
  sharedStorageContextManager,
  SynchronousContextManager,
  traceOutgoing,
  traceRequests,
  type RoutedRequest,
} from './tracing';

describe('startTracing', () => {
  const saved = process.env.OTEL_SDK_DISABLED;
  afterEach(() => {
    if (saved === undefined) delete process.env.OTEL_SDK_DISABLED;
    else process.env.OTEL_SDK_DISABLED = saved;
  });

  it('starts nothing when OTEL_SDK_DISABLED=true', () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    expect(startTracing('svc')).toBeNull();
  });
});

describe('instrumentations', () => {
  it('covers the libraries the services use: pg, kafkajs, undici (server spans are traceRequests\')', () => {
    const list = instrumentations();
    try {
      expect(list.map((i) => i.instrumentationName).sort()).toEqual([
        '@opentelemetry/instrumentation-kafkajs',
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-undici',
      ]);
    } finally {
      for (const i of list) i.disable();
    }
  });

  it('leaves undici out for an app that makes its own client spans (the gateway)', () => {
    const list = instrumentations({ undici: false });
    try {
      expect(list.map((i) => i.instrumentationName).sort()).toEqual(['@opentelemetry/instrumentation-kafkajs', '@opentelemetry/instrumentation-pg']);
    } finally {
      for (const i of list) i.disable();
    }
  });
});

describe('samplerFrom (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG)', () => {
  it('traces every request unless told otherwise, following the caller\'s decision', () => {
    const sampler = samplerFrom(undefined, undefined);
    expect(sampler).toBeInstanceOf(ParentBasedSampler);
    expect(sampler.toString()).toContain('AlwaysOnSampler');
  });

  it('builds each sampler of the specification, with its ratio', () => {
    expect(samplerFrom('always_off', undefined)).toBeInstanceOf(AlwaysOffSampler);
    expect(samplerFrom('always_on', undefined)).toBeInstanceOf(AlwaysOnSampler);
    expect(samplerFrom('traceidratio', '0.25').toString()).toBe('TraceIdRatioBased{0.25}');
    const parented = samplerFrom(' parentbased_traceidratio ', '0.1');
    expect(parented).toBeInstanceOf(ParentBasedSampler);
    expect(parented.toString()).toContain('TraceIdRatioBased{0.1}');
    expect(samplerFrom('traceidratio', '').toString()).toBe('TraceIdRatioBased{1}');
  });

  it('refuses what it does not know, naming the variable', () => {
    expect(() => samplerFrom('sometimes', undefined)).toThrow(/^OTEL_TRACES_SAMPLER must be one of parentbased_always_on, /);
    for (const arg of ['1.5', '-0.1', 'half']) expect(() => samplerFrom('parentbased_traceidratio', arg)).toThrow(/^OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1/);
  });
});

describe('nameServerSpan', () => {
  const fakeSpan = () => {
    const attributes: Record<string, unknown> = {};
    let name = 'GET';
    const span = {
      setAttribute: (key: string, value: unknown) => ((attributes[key] = value), span),
      updateName: (next: string) => ((name = next), span),
    };
    return { span: span as unknown as Span, attributes, name: () => name };
  };
  const request = (fields: Record<string, unknown>) => fields as unknown as IncomingMessage;

  it('names the span by method and route template, never the raw path, and keeps the request id', () => {
    const { span, attributes, name } = fakeSpan();

    nameServerSpan(span, request({ method: 'PUT', url: '/api/users/8a6f2c1e', routeTemplate: '/api/users/:id', id: 'req-1' }));

    expect(name()).toBe('PUT /api/users/:id');
    expect(attributes).toEqual({ 'http.route': '/api/users/:id', [REQUEST_ID_ATTRIBUTE]: 'req-1' });
  });

  it('leaves the name alone when no route matched (a 404 of an unknown path)', () => {
    const { span, attributes, name } = fakeSpan();

    nameServerSpan(span, request({ method: 'GET', url: '/nowhere/8a6f2c1e' }));

    expect(name()).toBe('GET');
    expect(attributes).toEqual({});
  });
});

describe('traceRequests', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const CALLER_SPAN = '00f067aa0ba902b7';
  let server: Server;
  let base: string;
  /** What the app's listener saw: the active span's id while handling, and while reading the body; the span the request keeps. */
  let seen: { handling?: string; readingBody?: string; suppressed?: boolean; kept?: string };
  let lastRequest: IncomingMessage | undefined;

  const app: RequestListener = (req, res) => {
    const routed = req as RoutedRequest;
    lastRequest = req;
    seen.handling = trace.getActiveSpan()?.spanContext().spanId;
    const kept = requestTraceOf(req);
    seen.kept = kept && trace.getSpan(kept)?.spanContext().spanId;
    seen.suppressed = isTracingSuppressed(context.active());
    routed.id = 'req-42';
    if (req.url?.startsWith('/things/')) routed.routeTemplate = '/things/:id';
    if (req.url === '/broken') {
      res.statusCode = 503;
      return res.end();
    }
    if (req.url === '/hang-up') return req.socket.destroy();
    // As Fastify reads a body: listeners added now, run when the body arrives, outside this call.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.readingBody = trace.getActiveSpan()?.spanContext().spanId;
      res.end(Buffer.concat(chunks));
    });
  };

  /** A POST whose body comes 30 ms after its headers, so the server reads it in later callbacks. */
  const slowPost = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-length': '5' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end('hello'), 30);
    });

  beforeAll(async () => {
    provider.register();
    server = http.createServer(app);
    traceRequests(server, tracer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => {
    exporter.reset();
    seen = {};
  });

  /** The server spans once the response has ended on the server (the span ends at its close). */
  const spansAfter = async (response: Promise<unknown>) => {
    await response.catch(() => undefined);
    for (let i = 0; i < 50 && exporter.getFinishedSpans().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return exporter.getFinishedSpans();
  };

  it("continues the caller's trace in one server span, named by route, handler and body reading inside it", async () => {
    const [span, ...others] = await spansAfter(
      slowPost('/things/8a6f2c1e?x=1', { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }),
    );

    expect(others).toEqual([]);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.name).toBe('POST /things/:id');
    expect(span.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/things/8a6f2c1e',
      'http.route': '/things/:id',
      'http.response.status_code': 200,
      [REQUEST_ID_ATTRIBUTE]: 'req-42',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(seen).toEqual({ handling: span.spanContext().spanId, readingBody: span.spanContext().spanId, suppressed: false, kept: span.spanContext().spanId });
  });

  it("writes a line in the request's trace where no span is active, and leaves an active span alone", async () => {
    const [span] = await spansAfter(fetch(`${base}/things/1`));
    const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId;

    expect(inRequestTrace(lastRequest!, activeSpanId)).toBe(span.spanContext().spanId);
    const inner = tracer.startSpan('inner');
    expect(context.with(trace.setSpan(context.active(), inner), () => inRequestTrace(lastRequest!, activeSpanId))).toBe(inner.spanContext().spanId);
    inner.end();
  });

  it('starts a trace of its own without a caller, and marks a 5xx as an error', async () => {
    const [span] = await spansAfter(fetch(`${base}/broken`));

    expect(span.parentSpanContext).toBeUndefined();
    expect(span.name).toBe('GET');
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends the span as an error when the connection closes before the response ends', async () => {
    const [span] = await spansAfter(fetch(`${base}/hang-up`));

    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response ended' });
  });

  it('makes no span for probes and scrapes, and traces nothing they do', async () => {
    for (const path of ['/health/ready', '/metrics?x=1']) {
      await (await fetch(`${base}${path}`)).text();
      expect([path, seen.suppressed]).toEqual([path, true]);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('leaves the server alone when tracing is off', () => {
    const plain = http.createServer(app);
    traceRequests(plain, undefined);
    expect(plain.listeners('request')).toEqual([app]);
  });
});

describe('traceOutgoing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const server = new URL('http://orders.internal:3002');

  beforeAll(() => provider.register());
  afterAll(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  it('makes a client span, child of the active one, and hands the service its traceparent', () => {
    const parent = tracer.startSpan('POST /api/orders');
    const headers: Record<string, string> = { accept: 'application/json' };

    context.with(trace.setSpan(context.active(), parent), () => traceOutgoing('POST', server, '/orders?limit=5', headers, undefined, tracer))!.end({ status: 201 });
    parent.end();

    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('POST');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': 'http://orders.internal:3002/orders?limit=5',
      'server.address': 'orders.internal',
      'server.port': 3002,
      'http.response.status_code': 201,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(headers.accept).toBe('application/json');
  });

  it('marks a 4xx or 5xx answer and a failure as errors', () => {
    traceOutgoing('GET', server, '/orders/1', {}, undefined, tracer)!.end({ status: 404 });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3002'), { code: 'ECONNREFUSED' });
    traceOutgoing('GET', server, '/orders/2', {}, undefined, tracer)!.end({ error: refused });

    const [answered, failed] = exporter.getFinishedSpans();
    expect(answered.status.code).toBe(SpanStatusCode.ERROR);
    expect(answered.attributes['error.type']).toBe('404');
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connect ECONNREFUSED 127.0.0.1:3002' });
    expect(failed.attributes['error.type']).toBe('ECONNREFUSED');
    expect(failed.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('ends once: a failure after the answer was read leaves the answer\'s outcome, without the SDK\'s warnings', () => {
    // OTEL_LOG_LEVEL=warn shows a warning for every operation on an ended span.
    const warnings: unknown[][] = [];
    const log = (...args: unknown[]) => warnings.push(args);
    diag.setLogger({ error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    const span = traceOutgoing('GET', server, '/orders/3', {}, undefined, tracer)!;

    try {
      span.end({ status: 200 });
      span.end({ error: new Error('not JSON') });
    } finally {
      diag.disable();
    }

    expect(warnings).toEqual([]);
    const [ended] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(ended.attributes['http.response.status_code']).toBe(200);
    expect(ended.status.code).toBe(SpanStatusCode.UNSET);
    expect(ended.events).toEqual([]);
  });

  it('makes the span a child of the context handed to it, whatever context is active', () => {
    const handed = tracer.startSpan('GET /api/users/:id');
    const active = tracer.startSpan('something else');
    const headers: Record<string, string> = {};

    context.with(trace.setSpan(context.active(), active), () =>
      traceOutgoing('GET', server, '/users/1', headers, trace.setSpan(context.active(), handed), tracer),
    )!.end({ status: 200 });

    const [span] = exporter.getFinishedSpans();
    expect(span.parentSpanContext?.spanId).toBe(handed.spanContext().spanId);
    expect(headers.traceparent).toBe(`00-${handed.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('does nothing, and adds no header, when tracing is off', () => {
    const headers: Record<string, string> = {};

    expect(traceOutgoing('GET', server, '/orders', headers, undefined, undefined)).toBeUndefined();
    expect(headers).toEqual({});
  });
});

describe('SynchronousContextManager (an app without AsyncLocalStorage)', () => {
  const sut = new SynchronousContextManager();
  const KEY = createContextKey('test');
  const valueIn = () => sut.active().getValue(KEY);

  it('makes a context active while its function runs, nested ones in turn, and none after', () => {
    const outer = ROOT_CONTEXT.setValue(KEY, 'outer');
    const seen: unknown[] = [];

    const result = sut.with(outer, (a: number, b: number) => {
      seen.push(valueIn());
      sut.with(outer.setValue(KEY, 'inner'), () => seen.push(valueIn()));
      seen.push(valueIn());
      return a + b;
    }, undefined, 2, 3);

    expect(result).toBe(5);
    expect(seen).toEqual(['outer', 'inner', 'outer']);
    expect(sut.active()).toBe(ROOT_CONTEXT);
  });

  it('restores the previous context when the function throws', () => {
    expect(() => sut.with(ROOT_CONTEXT.setValue(KEY, 'x'), () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(sut.active()).toBe(ROOT_CONTEXT);
  });

  it('does not carry a context across an await: the code that needs it is handed it', async () => {
    const after = await sut.with(ROOT_CONTEXT.setValue(KEY, 'x'), async () => {
      await Promise.resolve();
      return valueIn();
    });
    expect(after).toBeUndefined();
  });

  it('binds a function to a context, and leaves an event emitter as it is', () => {
    const bound = sut.bind(ROOT_CONTEXT.setValue(KEY, 'bound'), function (this: { n: number }, add: number) {
      return [valueIn(), this.n + add];
    });
    const emitter = new EventEmitter();

    expect(bound.call({ n: 1 }, 2)).toEqual(['bound', 3]);
    expect(sut.bind(ROOT_CONTEXT, emitter)).toBe(emitter);
  });
});

describe('sharedStorageContextManager (the services: one AsyncLocalStorage for trace, origin and unit)', () => {
  const sut = sharedStorageContextManager();
  const KEY = createContextKey('test');
  const valueIn = () => sut.active().getValue(KEY);

  it('carries a context across awaits, nested ones in turn, and none outside', async () => {
    const outer = ROOT_CONTEXT.setValue(KEY, 'outer');
    const seen = await sut.with(outer, async (a: number) => {
      await Promise.resolve();
      const inner = await sut.with(outer.setValue(KEY, 'inner'), async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return valueIn();
      });
      return [a, valueIn(), inner, valueIn()];
    }, undefined, 7);

    expect(seen).toEqual([7, 'outer', 'inner', 'outer']);
    expect(sut.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps the origin and the unit when a span becomes active, and the trace when they change', async () => {
    const traced = ROOT_CONTEXT.setValue(KEY, 'request trace');
    const unit = { name: 'unit' };
    const seen = await runWithOrigin({ requestId: 'req-1' }, () =>
      sut.with(traced, () =>
        runInUnit(unit, async () => {
          await Promise.resolve();
          const inSpan = sut.with(traced.setValue(KEY, 'child span'), () => [currentOrigin()?.requestId, currentUnit(), valueIn()]);
          return [inSpan, [currentOrigin()?.requestId, currentUnit(), valueIn()]];
        }),
      ),
    );

    expect(seen).toEqual([
      ['req-1', unit, 'child span'],
      ['req-1', unit, 'request trace'],
    ]);
  });

  it("keeps the context in the origin's storage, not in one of its own", async () => {
    const traced = ROOT_CONTEXT.setValue(KEY, 'x');
    expect(sut.with(traced, () => currentTrace())).toBe(traced);
    const underOrigin = await sut.with(traced, () => runWithOrigin({ requestId: 'req-2' }, async () => {
      await Promise.resolve();
      return valueIn();
    }));
    expect(underOrigin).toBe('x');
    expect(currentTrace()).toBeUndefined();
  });

  it("binds a function, and an emitter's listeners, to a context", () => {
    const bound = sut.bind(ROOT_CONTEXT.setValue(KEY, 'bound'), function (this: { n: number }, add: number) {
      return [valueIn(), this.n + add];
    });
    expect(bound.call({ n: 1 }, 2)).toEqual(['bound', 3]);

    const emitter = sut.bind(ROOT_CONTEXT.setValue(KEY, 'emitter'), new EventEmitter());
    const heard: unknown[] = [];
    emitter.on('data', () => heard.push(valueIn()));
    sut.with(ROOT_CONTEXT.setValue(KEY, 'elsewhere'), () => emitter.emit('data'));
    expect(heard).toEqual(['emitter']);
  });

  it('is not turned off with tracing: the storage is the origin\'s too', async () => {
    sut.disable();
    const seen = await runWithOrigin({ requestId: 'req-3' }, async () => {
      await Promise.resolve();
      return sut.with(ROOT_CONTEXT.setValue(KEY, 'still'), () => [currentOrigin()?.requestId, valueIn()]);
    });
    expect(seen).toEqual(['req-3', 'still']);
  });
});
