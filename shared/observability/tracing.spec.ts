import type { Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { instrumentations, nameServerSpan, REQUEST_ID_ATTRIBUTE, samplerFrom, startTracing } from './tracing';

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
  it('covers the libraries the services use: http, pg, kafkajs, undici (express and Nest are named by the http hook, cheaper)', () => {
    const list = instrumentations();
    try {
      expect(list.map((i) => i.instrumentationName).sort()).toEqual([
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-kafkajs',
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-undici',
      ]);
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
