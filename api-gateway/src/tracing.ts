// First import of main.ts: OpenTelemetry must patch http and undici before they load
// (its undici instrumentation adds W3C traceparent to every forwarded request).
import { loadNestWithLazyDateFormats } from './shared/observability/lazy-date-formats';
import { startTracing } from './shared/observability/tracing';

export const tracing = startTracing('api-gateway');
// Then Nest, before anything else loads it: its loggers' date formats are built on first use.
loadNestWithLazyDateFormats();
