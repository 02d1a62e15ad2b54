import type { Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { instrumentations, nameServerSpan, REQUEST_ID_ATTRIBUTE, startTracing } from './tracing';

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
  it('covers the libraries the services use: http, Nest, pg, kafkajs, undici (express is named by the http hook, cheaper)', () => {
    const list = instrumentations();
    try {
      expect(list.map((i) => i.instrumentationName).sort()).toEqual([
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-kafkajs',
        '@opentelemetry/instrumentation-nestjs-core',
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-undici',
      ]);
    } finally {
      for (const i of list) i.disable();
    }
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

    nameServerSpan(span, request({ method: 'PUT', url: '/api/users/8a6f2c1e', baseUrl: '/api', route: { path: '/users/:id' }, id: 'req-1' }));

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
