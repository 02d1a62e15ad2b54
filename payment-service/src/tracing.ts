// First import of main.ts: OpenTelemetry must patch http, pg and kafkajs before they load.
import { loadNestWithLazyDateFormats } from './shared/observability/lazy-date-formats';
import { startTracing } from './shared/observability/tracing';

export const tracing = startTracing('payment-service');
// Then Nest, before anything else loads it: its loggers' date formats are built on first use.
loadNestWithLazyDateFormats();
