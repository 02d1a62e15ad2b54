// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { DynamicModule, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
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
  '*.refreshToken',
  '*.apiKey',
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
];

interface LogEnv {
  NODE_ENV: string;
  LOG_LEVEL: string;
}

/**
 * JSON lines with service, requestId and the active trace; pretty only for a developer's terminal.
 * `destination` (tests) receives the lines instead of stdout.
 */
export function loggerModule(service: string, destination?: DestinationStream): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService<LogEnv, true>) => {
      const pretty =
        !destination && config.get('NODE_ENV', { infer: true }) === 'development' && process.stdout.isTTY === true && hasPinoPretty();
      const options: PinoHttpOptions = {
        level: config.get('LOG_LEVEL', { infer: true }),
        base: { service },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        genReqId: (req, res) => requestIdOf(req, res),
        // One child logger per request carrying only `requestId` (lines written while handling it),
        // and the access line adds req and res. customProps would make two more children and
        // re-serialize the request id for the access line, on every request.
        quietReqLogger: true,
        customAttributeKeys: { reqId: 'requestId' },
        mixin: traceFields,
        autoLogging: { ignore: (req) => isProbe(req.url) },
        // The serializers below get the raw request and response: pino-http's wrapping would first
        // copy every header, the query and the remote address into an object these never read.
        wrapSerializers: false,
        serializers: {
          // Nest's middleware runs with `url` cut to the part after its mount path; the full one is `originalUrl`.
          req: (req: { id: unknown; method: string; url: string; originalUrl?: string }) => ({ id: req.id, method: req.method, url: req.originalUrl ?? req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
      };
      // Every route, in the path syntax of Express 5 (nestjs-pino's default, `*`, is the legacy one
      // Nest warns about at start).
      return { pinoHttp: destination ? [options, destination] : options, forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }] };
    },
  });
}

/**
 * Trace and span of whatever is active when a line is written (HTTP request or event handler):
 * pino calls it for every line, of the root logger and of every child.
 */
export function traceFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

function isProbe(url: string | undefined): boolean {
  return url === '/metrics' || (url?.startsWith('/health/') ?? false);
}

/** pino-pretty is a dev dependency: a production install without it still logs (JSON). */
function hasPinoPretty(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
