// First import of main.ts: OpenTelemetry must patch http and undici before they load
// (its undici instrumentation adds W3C traceparent to every forwarded request).
import { startTracing } from './shared/observability/tracing';

export const tracing = startTracing('api-gateway');
