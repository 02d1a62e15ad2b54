// First import of main.ts: OpenTelemetry must patch pg and kafkajs before they load. No undici
// instrumentation: UpstreamClient makes each forwarded request's client span itself (traceOutgoing).
import { loadNestWithLazyDateFormats } from './shared/observability/lazy-date-formats';
import { startTracing } from './shared/observability/tracing';

export const tracing = startTracing('api-gateway', { undici: false });
// Then Nest, before anything else loads it: its loggers' date formats are built on first use.
loadNestWithLazyDateFormats();
