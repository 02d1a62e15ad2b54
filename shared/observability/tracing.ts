// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { NodeTracerProvider, Sampler } from '@opentelemetry/sdk-trace-node';
import { startupSetting } from '../config/startup-settings';

export const DEFAULT_TRACE_ENDPOINT = 'http://localhost:4318/v1/traces';

/** Span attribute holding our X-Request-Id, on HTTP server spans and Kafka consumer spans (search by it in Jaeger). */
export const REQUEST_ID_ATTRIBUTE = 'request.id';

/**
 * Starts OpenTelemetry before Nest, fastify, pg, kafkajs or undici are loaded (their patches hook
 * require). Import this module first in main.ts. OTEL_SDK_DISABLED=true turns it off, and then
 * nothing of the SDK is even loaded.
 *
 * A tracer provider, one batch processor and the OTLP/HTTP exporter, not the all-in-one NodeSDK:
 * that one loads every exporter, the metrics and logs SDKs and the resource detectors, ~0.7 s of
 * CPU at each start for parts these services do not use. The standard variables still apply
 * (OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*); the sampler is read here (samplerFrom), so a mistyped one
 * stops the start instead of silently tracing everything. Only the instrumentations these
 * services use are registered (http, pg, kafkajs, undici). Without a collector the exporter fails
 * quietly: no diag logger is installed unless OTEL_LOG_LEVEL asks for one, so an absent Jaeger
 * costs a refused connection per batch, no log line.
 */
export function startTracing(serviceName: string): NodeTracerProvider | null {
  if (startupSetting('OTEL_SDK_DISABLED') === 'true') return null;
  // Required here, not imported at the top, so that a disabled SDK costs no start-up time.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BatchSpanProcessor, NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { DiagConsoleLogger, DiagLogLevel, diag } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const level = startupSetting('OTEL_LOG_LEVEL')?.toUpperCase() as keyof typeof DiagLogLevel | undefined;
  if (level && level in DiagLogLevel) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel[level]);
  let sampler: Sampler;
  try {
    sampler = samplerFrom(startupSetting('OTEL_TRACES_SAMPLER'), startupSetting('OTEL_TRACES_SAMPLER_ARG'));
  } catch (e) {
    // Before Nest and its one-line start failures exist: the same one line, the same exit code.
    console.error(`${serviceName} failed to start: ${(e as Error).message}`);
    process.exit(1);
  }
  const provider = new NodeTracerProvider({
    sampler,
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ 'service.name': startupSetting('OTEL_SERVICE_NAME') ?? serviceName })),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: startupSetting('JAEGER_ENDPOINT') ?? DEFAULT_TRACE_ENDPOINT, timeoutMillis: 2000 })),
    ],
  });
  // The global provider, AsyncLocalStorage context and W3C traceparent + baggage propagation.
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations() });
  return provider;
}

export const SAMPLERS = ['parentbased_always_on', 'parentbased_traceidratio', 'parentbased_always_off', 'always_on', 'traceidratio', 'always_off'] as const;

/**
 * OTEL_TRACES_SAMPLER (the specification's names) and OTEL_TRACES_SAMPLER_ARG (the ratio, 0..1,
 * default 1). Unset: parentbased_always_on, every request traced (development, tests). Production
 * at volume: parentbased_traceidratio with a ratio such as 0.1; a request not sampled costs a
 * non-recording span, and a request whose caller sampled it (traceparent) is always traced.
 * Throws, naming the variable, on anything else.
 */
export function samplerFrom(name: string | undefined, arg: string | undefined): Sampler {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const chosen = name?.trim() || 'parentbased_always_on';
  if (!(SAMPLERS as readonly string[]).includes(chosen)) throw new Error(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')} (got "${chosen}")`);
  const text = arg?.trim() ?? '';
  const ratio = text === '' ? 1 : Number(text);
  if (chosen.endsWith('traceidratio') && !(ratio >= 0 && ratio <= 1)) throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got "${arg}")`);
  const root = chosen.endsWith('always_on') ? new AlwaysOnSampler() : chosen.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  return chosen.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/** The instrumentations of the libraries these services use, configured for signal over noise. */
export function instrumentations(): Instrumentation[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return [
    new HttpInstrumentation({
      // Probes and scrapes every few seconds would bury the real traffic.
      ignoreIncomingRequestHook: (req) => isProbe(req.url),
      // Called when the response ends, after routing and the request id middleware have run.
      applyCustomAttributesOnSpan: (span: Span, req) => nameServerSpan(span, req as RoutedRequest),
    }),
    // No express or fastify instrumentation: the express one, even with every layer type ignored,
    // wrapped each middleware and router layer, ~0.7 ms of CPU per request (measured in the gateway: 2.7 -> 2.0 ms). All it gave
    // was the route template in the server span's name, which nameServerSpan sets at no cost.
    // No Nest instrumentation either: two spans per request (handler, controller method) that
    // only restate the server span's name, each created, ended and exported (bench/findings.md).
    // A query outside any trace (health pings, the outbox relay's polling) is not worth a trace of its own.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    new KafkaJsInstrumentation(),
    // The gateway's readiness probes of each service, every few seconds: not traffic.
    new UndiciInstrumentation({ ignoreRequestHook: (req) => isProbe(req.path) }),
  ];
}

/** What configureApp leaves on a request: its id and, once a route matched it, the route's template. */
export type RoutedRequest = IncomingMessage & { id?: unknown; routeTemplate?: string };

/**
 * The server span, named by method and route template ("POST /api/users/:id", never the raw path)
 * with `http.route`, as Jaeger lists operations; and our request id, to find a request's trace.
 */
export function nameServerSpan(span: Span, req: RoutedRequest): void {
  if (typeof req.id === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, req.id);
  const route = req.routeTemplate;
  if (typeof route !== 'string') return;
  span.setAttribute('http.route', route);
  span.updateName(`${req.method ?? 'GET'} ${route}`);
}

function isProbe(url: string | undefined): boolean {
  return url === '/metrics' || (url?.startsWith('/health/') ?? false);
}
