// First import of main.ts: OpenTelemetry must patch http, pg and kafkajs before they load.
import { startTracing } from './shared/observability/tracing';

export const tracing = startTracing('user-service');
