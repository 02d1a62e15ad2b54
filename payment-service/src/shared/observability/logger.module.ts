// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { requestIdOf } from '../http/request-id';

/** Paths pino removes from every line: secrets never reach a log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.accessToken',
  '*.apiKey',
  'password',
  'passwordHash',
  'token',
  'accessToken',
];

interface LogEnv {
  NODE_ENV: string;
  LOG_LEVEL: string;
}

/** JSON lines with service, requestId and the active trace; pretty only for a developer's terminal. */
export function loggerModule(service: string): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService<LogEnv, true>) => {
      const pretty = config.get('NODE_ENV', { infer: true }) === 'development' && process.stdout.isTTY === true;
      return {
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          base: { service },
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          genReqId: (req, res) => requestIdOf(req, res),
          customProps: (req) => ({ requestId: (req as { id?: unknown }).id }),
          mixin: traceFields,
          autoLogging: { ignore: (req) => isProbe(req.url) },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
        },
      };
    },
  });
}

/** Trace and span of whatever is active when a line is written (HTTP request or event handler). */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

function isProbe(url: string | undefined): boolean {
  return url === '/metrics' || (url?.startsWith('/health/') ?? false);
}
