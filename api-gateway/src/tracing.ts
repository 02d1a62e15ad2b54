// First import of main.ts: OpenTelemetry must patch pg and kafkajs before they load. No undici
// instrumentation: UpstreamClient makes each forwarded request's client span itself (traceOutgoing),
// child of the request's trace its handler hands it (Inbound). So no context needs to follow
// awaits, and the gateway runs no AsyncLocalStorage (tracing.ts, asyncContext).
import { loadNestWithLazyDateFormats } from './shared/observability/lazy-date-formats';
import { startTracing } from './shared/observability/tracing';

export const tracing = startTracing('api-gateway', { undici: false, asyncContext: false });
// Then Nest, before anything else loads it: its loggers' date formats are built on first use.
loadNestWithLazyDateFormats();
