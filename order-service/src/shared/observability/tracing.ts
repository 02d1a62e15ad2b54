// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Attributes, Context, ContextManager, Span, Tracer } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { NodeTracerProvider, Sampler } from '@opentelemetry/sdk-trace-node';
import { startupSetting } from '../config/startup-settings';
import { currentTrace, runInTrace } from '../context/origin';

export const DEFAULT_TRACE_ENDPOINT = 'http://localhost:4318/v1/traces';

/** Span attribute holding our X-Request-Id, on HTTP server spans and Kafka consumer spans (search by it in Jaeger). */
export const REQUEST_ID_ATTRIBUTE = 'request.id';

/** Makes the server span of each HTTP request (traceRequests); set once tracing has started. */
let requestTracer: Tracer | undefined;

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
 * services use are registered (pg, kafkajs, undici); each request's server span is made by
 * traceRequests. Without a collector the exporter fails
 * quietly: no diag logger is installed unless OTEL_LOG_LEVEL asks for one, so an absent Jaeger
 * costs a refused connection per batch, no log line.
 */
export function startTracing(serviceName: string, options: TracingOptions = {}): NodeTracerProvider | null {
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
  // The global provider, the context (the origin's AsyncLocalStorage unless asked otherwise) and W3C
  // traceparent + baggage propagation.
  provider.register({ contextManager: options.asyncContext === false ? new SynchronousContextManager() : sharedStorageContextManager() });
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations(options) });
  requestTracer = provider.getTracer('nest-ms-http');
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

export interface InstrumentationOptions {
  /**
   * false: no undici instrumentation, for an app whose every outgoing request makes its own client
   * span (traceOutgoing): the gateway. The instrumentation builds a URL and a dozen attributes per
   * request from undici's diagnostics channels, ~25 µs of the gateway's CPU per proxied request.
   */
  readonly undici?: boolean;
}

export interface TracingOptions extends InstrumentationOptions {
  /**
   * false: the active context lasts only while a function given to `context.with` runs, not
   * across its awaits (SynchronousContextManager): for an app that hands each request's trace to
   * the code needing it (requestTraceOf), the gateway. An AsyncLocalStorage in use copies its store
   * onto every promise the process makes (Node 20's async hooks): a tenth of the gateway's CPU per
   * proxied request (bench/findings.md).
   */
  readonly asyncContext?: boolean;
}

/**
 * OpenTelemetry's active context without AsyncLocalStorage: `with` makes a context active while
 * its function runs, synchronously, and `active()` is the root context anywhere else (after an
 * await, in a timer, in an event listener). The same as OpenTelemetry's StackContextManager for
 * browsers, whose package this app does not load. Binding an EventEmitter does nothing.
 */
export class SynchronousContextManager implements ContextManager {
  private current: Context | undefined;
  private root: Context | undefined;

  active(): Context {
    return this.current ?? this.rootContext();
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, target as (...a: unknown[]) => unknown, this, ...args);
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = undefined;
    return this;
  }

  private rootContext(): Context {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.root ??= (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).ROOT_CONTEXT;
    return this.root;
  }
}

/**
 * OpenTelemetry's active context kept in the AsyncLocalStorage that already carries each request's
 * or event's origin and unit of work (context/origin.ts), not in a storage of its own: on Node 20
 * every storage in use copies its store onto every promise the process makes, and that second
 * copy was part of what tracing cost the services per request (bench/findings.md). Emitters are
 * bound as OpenTelemetry's own manager binds them (listeners run in the context they were bound to).
 */
export function sharedStorageContextManager(): ContextManager {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { ROOT_CONTEXT } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  /* eslint-enable @typescript-eslint/no-require-imports */
  class SharedStorageContextManager extends AsyncLocalStorageContextManager {
    override active(): Context {
      return currentTrace<Context>() ?? ROOT_CONTEXT;
    }

    override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
      return runInTrace(context, thisArg == null ? fn : (fn.bind(thisArg) as F), ...args);
    }

    /** The storage is the origin's too, which lives on after tracing stops: nothing to turn off. */
    override disable(): this {
      return this;
    }

    /** Not in the API this app uses (1.9); refused rather than served from a storage nothing reads. */
    override attach(): never {
      throw new Error('context.attach is not supported: use context.with');
    }
  }
  return new SharedStorageContextManager();
}

/** The instrumentations of the libraries these services use, configured for signal over noise. */
export function instrumentations(options: InstrumentationOptions = {}): Instrumentation[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return [
    // No http instrumentation: the server spans are traceRequests', and every outgoing call is
    // undici's. No express, fastify or Nest instrumentation either: a span per middleware, hook or
    // handler only restates the server span's name, each created, ended and exported
    // (bench/findings.md).
    // A query outside any trace (health pings, the outbox relay's polling) is not worth a trace of its own.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    new KafkaJsInstrumentation(),
    // The gateway's readiness probes of each service, every few seconds: not traffic.
    ...(options.undici === false ? [] : [new UndiciInstrumentation({ ignoreRequestHook: (req) => isProbe(req.path) })]),
  ];
}

let otelApi: typeof import('@opentelemetry/api') | undefined;

/** How a traced outgoing request ended: the answer's status, or the failure that stopped it. */
export type OutgoingOutcome = { readonly status: number } | { readonly error: Error };

/** The client span of one outgoing request. */
export interface OutgoingSpan {
  /** Ends it with its outcome; only the first call counts (an answer read, then found unusable, was still an answer). */
  end(outcome: OutgoingOutcome): void;
}

/**
 * A client span for one outgoing HTTP request to `path` on `server` (scheme, host and port; nothing
 * when tracing is off), child of the span in `parent` (the active context when not given),
 * with its W3C `traceparent` (and baggage) written into `headers`, so the service continues
 * the trace. Named and described as OpenTelemetry's HTTP client conventions say (and as the undici
 * instrumentation does): the method, `url.full`, `server.address` and `server.port`, the answer's
 * status; 4xx and 5xx answers and failures are errors. For an app that makes its requests in one
 * place, in place of the undici instrumentation (InstrumentationOptions.undici).
 */
export function traceOutgoing(
  method: string,
  server: URL,
  path: string,
  headers: Record<string, string>,
  parentContext?: Context,
  tracer: Tracer | undefined = requestTracer,
): OutgoingSpan | undefined {
  if (!tracer) return undefined;
  // Required on first use, not imported: a disabled SDK loads nothing of OpenTelemetry.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  otelApi ??= require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { context, propagation, SpanKind, SpanStatusCode, trace } = otelApi;
  const parent = parentContext ?? context.active();
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': server.origin + path,
        'server.address': server.hostname,
        'server.port': Number(server.port) || (server.protocol === 'https:' ? 443 : 80),
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), headers);
  let ended = false;
  return {
    end(outcome) {
      if (ended) return;
      ended = true;
      if ('status' in outcome) {
        span.setAttribute('http.response.status_code', outcome.status);
        if (outcome.status >= 400) {
          span.setAttribute('error.type', String(outcome.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } else {
        const { error } = outcome;
        span.setAttribute('error.type', (error as { code?: string }).code ?? error.name);
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      span.end();
    },
  };
}

/**
 * One server span per HTTP request of `server` (call it before the server listens; nothing when
 * tracing is off): the caller's trace continued from `traceparent`, the request handled inside
 * the span's context, the span ended when the response ends or the connection closes, named by
 * nameServerSpan, an error when the answer is a 5xx or never completed. Probes and scrapes get
 * no span, and nothing they do is traced. The request keeps its trace context (requestTraceOf),
 * for an app whose context does not follow awaits (TracingOptions.asyncContext).
 *
 * In place of the http instrumentation, which wraps every listener of every request and response
 * (a third of the gateway's CPU per request went to tracing, bench/findings.md). Only a request
 * with a body gets its listeners bound: Fastify reads the body in them, outside the listener's
 * own call, and the handler runs from the last one.
 */
export function traceRequests(server: Server, tracer: Tracer | undefined = requestTracer): void {
  if (!tracer) return;
  /* eslint-disable @typescript-eslint/no-require-imports */
  otelApi ??= require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = otelApi;
  const { suppressTracing } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const listeners = server.listeners('request') as RequestListener[];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (isProbe(path)) return context.with(suppressTracing(ROOT_CONTEXT), handle, undefined, req, res);
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = req.method ?? 'GET';
    const attributes: Attributes = { 'http.request.method': method, 'url.path': path };
    if (req.socket.remoteAddress) attributes['client.address'] = req.socket.remoteAddress;
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
    const active = trace.setSpan(parent, span);
    (req as TracedRequest)[REQUEST_TRACE] = active;
    if (span.isRecording()) {
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        nameServerSpan(span, req as RoutedRequest);
        if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response ended' });
        else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
    }
    if (hasBody(req)) context.bind(active, req);
    context.with(active, handle, undefined, req, res);
  });
}

const REQUEST_TRACE = Symbol('requestTrace');
type TracedRequest = IncomingMessage & { [REQUEST_TRACE]?: Context };

/** The trace context traceRequests made for a request: its server span's (none when tracing is off or for a probe). */
export function requestTraceOf(req: IncomingMessage): Context | undefined {
  return (req as TracedRequest)[REQUEST_TRACE];
}

/**
 * Runs `write` (a log line) in the request's trace when no span is active, so the line names the
 * trace and span it belongs to where the context does not follow awaits (the gateway); elsewhere
 * the active context is already the request's, or a span inside it.
 */
export function inRequestTrace<T>(req: IncomingMessage, write: () => T): T {
  const requestTrace = requestTraceOf(req);
  if (!requestTrace || !otelApi) return write();
  const { context, trace } = otelApi;
  return trace.getSpan(context.active()) ? write() : context.with(requestTrace, write);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
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
