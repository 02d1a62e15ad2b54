// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Starts OpenTelemetry before Nest, express, pg or kafkajs are loaded (their patches hook require).
 * Import this module first in main.ts. OTEL_SDK_DISABLED=true turns it off.
 */
export function startTracing(serviceName: string): NodeSDK | null {
  if (process.env.OTEL_SDK_DISABLED === 'true') return null;
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({
      url: process.env.JAEGER_ENDPOINT ?? 'http://localhost:4318/v1/traces',
      timeoutMillis: 2000,
    }),
    instrumentations: [
      getNodeAutoInstrumentations({
        // Noise without insight for these services.
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        // Our logger adds traceId/spanId itself (shared/observability/logger.module.ts).
        '@opentelemetry/instrumentation-pino': { enabled: false },
        '@opentelemetry/instrumentation-http': {
          ignoreIncomingRequestHook: (req) => req.url === '/metrics' || (req.url?.startsWith('/health/') ?? false),
        },
      }),
    ],
  });
  sdk.start();
  return sdk;
}
