import { instrumentations, startTracing } from './tracing';

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
  it('covers exactly the libraries the services use: http, express, Nest, pg, kafkajs, undici', () => {
    const list = instrumentations();
    try {
      expect(list.map((i) => i.instrumentationName).sort()).toEqual([
        '@opentelemetry/instrumentation-express',
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
