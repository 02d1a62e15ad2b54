// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { DynamicModule, INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger as PinoInstance, type LoggerOptions } from 'pino';
import { currentOrigin, runWithOrigin } from '../context/origin';
import { requestIdOf } from '../http/request-id';
import { requestTraceOf } from './tracing';

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
 * JSON lines with service, the origin's requestId (and eventId and topic) and the active trace;
 * pretty only for a developer's terminal.
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
        mixin: contextFields,
        // Whatever logs a request or a response gets these fields of it, never its headers.
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
      };
      const logger = destination ? pino(options, destination) : pretty ? pino(options) : pino(options, stdoutInBlocks());
      return { pinoHttp: { logger }, useExisting: true, forRoutes: [] };
    },
  });
}

/** A block of lines is written once it holds this much. */
export const LOG_BLOCK_BYTES = 8 * 1024;
/** The longest a line waits for its block: a quiet app's lines still appear at once to whoever reads them. */
export const LOG_BLOCK_MS = 20;

/** Where blocks go: pino's destination on stdout, which can also write what it holds synchronously. */
export interface BlockSink {
  write(text: string): unknown;
  flushSync?(): void;
}

export interface LinesInBlocks extends DestinationStream {
  /** Hands the block gathered so far to the sink. */
  flush(): void;
  /** Hands the block to the sink and has the sink write everything synchronously: for exit. */
  end(): void;
}

/**
 * Gathers log lines and hands them to `sink` in blocks: when LOG_BLOCK_BYTES have gathered, and
 * LOG_BLOCK_MS after a block's first line. A line written on its own cost a busy app a write to
 * stdout per line, a system call each: in the gateway the largest single cost per request after
 * the answer's own write (bench/findings.md). The sink writes asynchronously: a reader that stops
 * reading (a full pipe) never stops the app, its lines wait in memory as before.
 */
export function linesInBlocks(sink: BlockSink, blockBytes = LOG_BLOCK_BYTES, blockMs = LOG_BLOCK_MS): LinesInBlocks {
  let block = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (block === '') return;
    const out = block;
    block = '';
    sink.write(out);
  };
  return {
    write(line: string): void {
      block += line;
      if (block.length >= blockBytes) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, blockMs);
        timer.unref();
      }
    },
    flush,
    end(): void {
      flush();
      try {
        sink.flushSync?.();
      } catch {
        // Exiting: a closed or broken stdout has nowhere to put the lines.
      }
    },
  };
}

let stdoutBlocks: LinesInBlocks | undefined;

/** stdout in blocks, one writer for every logger of the process, its last lines written at exit. */
function stdoutInBlocks(): DestinationStream {
  stdoutBlocks ??= endedAtExit(linesInBlocks(pino.destination({ dest: 1, sync: false })));
  return stdoutBlocks;
}

/** Writes the gathered lines when the process exits: `exit` listeners run after process.exit() and an uncaught error too, not after SIGKILL. */
export function endedAtExit<T extends { end(): void }>(blocks: T, events: NodeJS.EventEmitter = process): T {
  events.once('exit', () => blocks.end());
  return blocks;
}

/** The root logger loggerModule built for this app. */
export function rootLoggerOf(app: INestApplication): PinoInstance {
  return app.get<{ pinoHttp: { logger: PinoInstance } }>(PARAMS_PROVIDER_TOKEN, { strict: false }).pinoHttp.logger;
}

export interface LogRequestsOptions {
  /**
   * Run each request with its origin (context/origin.ts): its requestId on every line written while
   * it is handled, and on the events its writes record. Off for the gateway, which records no
   * events, logs no line of its own while a request runs but the access line and a 5xx's (both
   * carry the requestId themselves), and so runs no AsyncLocalStorage for it.
   */
  readonly recordOrigin?: boolean;
}

/**
 * Each request's origin and its access line, from one Fastify hook: lines written while the
 * request is handled carry its requestId (the logger's mixin reads the origin); when the response
 * closes, one line says how it ended (`req`, `res`, `responseTime` in ms), with the request's
 * trace. Probes and /metrics get no access line. No child logger per request, no listener but one.
 * The origin is set before the body is read: Fastify runs the handler in the context the request
 * started in.
 */
export function logRequests(fastify: FastifyInstance, root: PinoInstance, options: LogRequestsOptions = {}): void {
  // The access line holds only what is built below (ids, method, URL, status, time), where none of
  // the redacted paths can occur; redacting it cost five times what writing it does.
  const accessLog = root.child({}, { redact: { paths: [] } });
  const withOrigin = options.recordOrigin !== false;
  fastify.addHook('onRequest', (req, reply, done) => {
    const requestId = requestIdOf(req.raw);
    if (!isProbe(req.url) && accessLog.isLevelEnabled('info')) {
      const started = Date.now();
      // The request's own trace, also where the context does not follow awaits (the gateway).
      const active = requestTraceOf(req.raw) ?? context.active();
      // As the client sent it (before literalBadEscapes, configure-app.ts).
      const { method } = req.raw;
      const url = req.originalUrl;
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
    if (withOrigin) runWithOrigin({ requestId }, done);
    else done();
  });
}

/**
 * What pino adds to every line, of the root logger and of every child: the origin's request id,
 * event id and topic (an HTTP request or an event handler), and the active trace and span.
 */
export function contextFields(): Record<string, string> {
  const origin = currentOrigin();
  const fields: Record<string, string> = {};
  if (origin?.requestId) fields.requestId = origin.requestId;
  if (origin?.eventId) fields.eventId = origin.eventId;
  if (origin?.topic) fields.topic = origin.topic;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    fields.traceId = spanContext.traceId;
    fields.spanId = spanContext.spanId;
  }
  return fields;
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
