// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { DynamicModule, INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { pino, type DestinationStream, type Logger as PinoInstance, type LoggerOptions } from 'pino';
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

/** The last root logger loggerModule built: event handlers' loggers are its children. */
let lastRootLogger: PinoInstance | undefined;

/** The app's root logger (the last app's, when a process builds several, as tests do). */
export function rootLogger(): PinoInstance | undefined {
  return lastRootLogger;
}

/**
 * JSON lines with service, requestId and the active trace; pretty only for a developer's terminal.
 * `destination` (tests) receives the lines instead of stdout. Requests are logged by logRequests
 * (configureApp installs it), not by a per-request middleware: nestjs-pino gets the root logger and
 * no routes, so its PinoLogger and Logger write through it and Nest runs no middleware at all.
 */
export function loggerModule(service: string, destination?: DestinationStream): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService<LogEnv, true>) => {
      const pretty =
        !destination && config.get('NODE_ENV', { infer: true }) === 'development' && process.stdout.isTTY === true && hasPinoPretty();
      const options: LoggerOptions = {
        level: config.get('LOG_LEVEL', { infer: true }),
        base: { service },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        mixin: traceFields,
        // Whatever logs a request or a response gets these fields of it, never its headers.
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
      };
      const logger = destination ? pino(options, destination) : pino(options);
      lastRootLogger = logger;
      return { pinoHttp: { logger }, useExisting: true, forRoutes: [] };
    },
  });
}

/** The root logger loggerModule built for this app. */
export function rootLoggerOf(app: INestApplication): PinoInstance {
  return app.get<{ pinoHttp: { logger: PinoInstance } }>(PARAMS_PROVIDER_TOKEN, { strict: false }).pinoHttp.logger;
}

/**
 * Each request's logger and its access line, from one Fastify hook: lines written while the request
 * is handled carry its requestId (a child logger in nestjs-pino's store, which its Logger reads);
 * when the response closes, one line says how it ended (`req`, `res`, `responseTime` in ms), with
 * the request's trace. Probes and /metrics get no access line. One child per request and one
 * listener, where pino-http made two children, the request's serialized binding and three listeners.
 */
export function logRequests(fastify: FastifyInstance, root: PinoInstance): void {
  // The access line holds only what is built below (ids, method, URL, status, time), where none of
  // the redacted paths can occur; redacting it cost five times what writing it does.
  const accessLog = root.child({}, { redact: { paths: [] } });
  fastify.addHook('onRequest', (req, reply, done) => {
    const requestId = requestIdOf(req.raw);
    const logger = root.child({ requestId });
    if (!isProbe(req.url) && accessLog.isLevelEnabled('info')) {
      const started = Date.now();
      const active = context.active();
      const { method, url } = req.raw;
      reply.raw.once('close', () => {
        const statusCode = reply.raw.statusCode;
        const line = { requestId, req: { id: requestId, method, url }, res: { statusCode }, responseTime: Date.now() - started };
        context.with(active, () => {
          if (statusCode >= 500) accessLog.info(line, 'request errored');
          else if (!reply.raw.writableFinished) accessLog.info(line, 'request aborted');
          else accessLog.info(line, 'request completed');
        });
      });
    }
    storage.run(new Store(logger), done);
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
