// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BadRequestException, HttpException, HttpStatus, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from 'nestjs-pino';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiKeyStrategy } from '../auth/api-key.strategy';
import { jsonProblem } from '../events/json-limits';
import { logRequests, rootLoggerOf } from '../observability/logger.module';
import { recordHttpMetrics } from '../observability/metrics';
import { traceRequests, type RoutedRequest } from '../observability/tracing';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { drainKeepAliveOnClose } from './graceful-close';
import { pathOf, requestIdOf } from './request-id';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpAdapterOptions {
  /** The client IP (rate limits) comes from X-Forwarded-For only through this many proxies. */
  readonly trustProxy?: number;
}

/**
 * The HTTP server of every app (Fastify), for main.ts and the tests alike:
 * `NestFactory.create(AppModule, createHttpAdapter(), { bufferLogs: true })`, then configureApp.
 */
export function createHttpAdapter(options: HttpAdapterOptions = {}): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // A request that arrives on a kept-alive connection while the app closes is served (with
    // `Connection: close`, which Fastify adds from the close on), not refused with a 503.
    return503OnClosing: false,
    // A hop count as a function: Fastify ≥ 5.12 takes a bare number as trusting no proxy at all.
    trustProxy: options.trustProxy ? trustHops(options.trustProxy) : false,
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    rewriteUrl: (req: IncomingMessage) => literalBadEscapes(req.url ?? '/'),
    clientErrorHandler: answerUnparsedRequest,
    // As express routed: `/users/` is `/users`. No path segment is too long for the router (a
    // request line longer than any segment could be is refused by Node first, 431): a long id is a
    // 400 from validation, not the router's own 414, which skipped every hook (no request id, no
    // log line) and answered outside the API's error shape.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT_CHARS },
  });
}

/** What Node's HTTP parser reports, said so a client can act on it. */
const UNPARSED_REQUEST: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'request line and headers larger than 16 KB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request not received in time'],
  HPE_INVALID_URL: [400, 'malformed HTTP request: the path holds a character that must be percent-encoded'],
  HPE_INVALID_METHOD: [400, 'malformed HTTP request: unknown method'],
  HPE_INVALID_HEADER_TOKEN: [400, 'malformed HTTP request: a header holds a character HTTP does not allow'],
};

/**
 * A request Node's HTTP parser refuses (a raw non-ASCII byte in the path, a head over 16 KB, a
 * broken request line) never reaches Fastify's routes or hooks. Answered here in the API's error
 * shape, naming the problem where the parser does, with a request id of its own: the client's
 * cannot be read from a request that did not parse. The connection is closed after it, as Node does.
 */
function answerUnparsedRequest(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [statusCode, message] = UNPARSED_REQUEST[err.code ?? ''] ?? [400, `malformed HTTP request (${err.code ?? 'unreadable'})`];
  const requestId = randomUUID();
  const body = JSON.stringify({ statusCode, message, error: STATUS_CODES[statusCode], requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Node's limit on a request's head (16 KB by default): no path segment can be longer. */
const MAX_PATH_SEGMENT_CHARS = 16 * 1024;

/**
 * A path that is not valid percent-encoded UTF-8 (`%zz`, `%C0%AF`, a lone `%`) taken literally:
 * each `%` of it becomes `%25`. Left as it was, the router answers it itself with a 400 of its own
 * before any hook runs (no request id, no log line, a body outside the API's error shape, the path
 * echoed back); taken literally, a bad id is refused by its validation and an unknown path is a
 * 404, like any other. The query string is left alone: its parser takes bad escapes as text.
 */
export function literalBadEscapes(url: string): string {
  const end = url.indexOf('?');
  const path = end === -1 ? url : url.slice(0, end);
  if (!path.includes('%')) return url;
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    return path.replaceAll('%', '%25') + (end === -1 ? '' : url.slice(end));
  }
}

/**
 * Trusts the nearest `hops` proxies: X-Forwarded-For is read back that many addresses from the
 * connection's own, as express' numeric `trust proxy` did. Right only when every request reaches
 * the app through that many proxies (a client that connects directly could name any address).
 */
export function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

export interface ConfigureAppOptions {
  /**
   * Refuse requests without the right X-API-Key when API_KEY is set (probes aside). On for the
   * services, so none can forget it; the gateway turns it off: its callers are clients, who
   * authenticate with a JWT.
   */
  readonly requireApiKey?: boolean;
  /**
   * Run each request with its origin (context/origin.ts): its log lines, the events its writes
   * record and the calls it makes carry its id. On for the services; the gateway turns it off: it
   * records no events and hands the request id to each call itself. An AsyncLocalStorage in use
   * costs every promise of the process a copy of its store (Node 20's async hooks), ~8 % of the
   * gateway's CPU per request with three of them (bench/findings.md).
   */
  readonly recordOrigin?: boolean;
}

/** The ValidationPipe of every app; the DTO property tests use it too, so they check exactly this. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // "12" for a number is refused, not coerced: clients must send the type the API documents.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(firstFailures(errors)),
  });
}

/**
 * One message per field: the first rule it breaks, in the order the DTO writes them. A price sent
 * as text is told it must be a number, not also every range it never reached. class-validator
 * runs a property's rules bottom-up, so the rule written first is the last one in `constraints`.
 */
export function firstFailures(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const messages = Object.values(e.constraints ?? {});
    const own = messages.length ? [`${path}${messages[messages.length - 1]}`] : [];
    return [...own, ...firstFailures(e.children ?? [], `${path}${e.property}.`)];
  });
}

/** The app's Fastify instance, for hooks and routes outside Nest's controllers. */
export function fastifyOf(app: INestApplication): FastifyInstance {
  return (app as NestFastifyApplication).getHttpAdapter().getInstance();
}

/**
 * Everything a running app and its tests must share: logger, body limit, validation, errors,
 * request ids, shutdown hooks (with keep-alive clients drained on close). main.ts and the
 * integration tests both call it, on an app created with `createHttpAdapter()` and
 * `{ bufferLogs: true, bodyParser: false }` (the JSON parser is this one's).
 * Hooks that answer a request themselves run at `preParsing`, after every `onRequest` hook (helmet,
 * CORS, the access log), so their answers carry the same headers and are logged like the rest.
 */
export function configureApp(app: INestApplication, options: ConfigureAppOptions = {}): void {
  const fastify = fastifyOf(app);
  app.useLogger(app.get(Logger));
  const config = app.get(ConfigService, { strict: false });
  drainKeepAliveOnClose(app.getHttpServer() as Server, { idleGraceMs: config.get<number>('HTTP_DRAIN_MS') ?? 0 });
  traceRequests(app.getHttpServer() as Server);
  fastify.addHook('onRequest', (req, reply, done) => {
    requestIdOf(req.raw, reply.raw);
    // For the trace's server span, named when the response ends (tracing.ts).
    if (!req.is404) (req.raw as RoutedRequest).routeTemplate = req.routeOptions.url;
    done();
  });
  // The request's id is its origin: its log lines, the events its writes record and the calls it makes carry it.
  logRequests(fastify, rootLoggerOf(app), { recordOrigin: options.recordOrigin });
  recordHttpMetrics(fastify);
  parseJsonBodiesOnly(fastify);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  if (options.requireApiKey !== false) {
    const strategy = new ApiKeyStrategy(config.get<string>('API_KEY'));
    app.useGlobalGuards(new ApiKeyGuard(strategy));
    // Swagger's pages are plain Fastify routes, outside Nest's guards: the same key guards them,
    // so a service's internal API is described only to who may call it.
    if (strategy.enabled) {
      fastify.addHook('preParsing', (req, reply, _payload, done) => {
        if (!isDocsPath(pathOf(req.url)) || strategy.authenticate(req.headers)) return done();
        void reply
          .status(401)
          .send({ statusCode: 401, message: 'missing or wrong X-API-Key', error: 'Unauthorized', requestId: requestIdOf(req.raw) });
      });
    }
  }
  app.enableShutdownHooks();
}

const isDocsPath = (path: string) => path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-');

const JSON_CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * JSON is the one body type the API takes: any other is a 415 before it is read, as is a body sent
 * compressed (Fastify decodes no Content-Encoding: it would read as malformed JSON). Parsed here
 * rather than by Fastify's parser so each failure names its cause: a body that is not JSON, or
 * JSON no handler can take. Found by the fuzz run, each a
 * 500 before: JSON parses to any depth but the ValidationPipe walks bodies recursively (5,000
 * nested arrays, 10 KB, overflowed its stack); and JSON can carry U+0000 and unpaired surrogates,
 * which no PostgreSQL text or jsonb column takes.
 */
function parseJsonBodiesOnly(fastify: FastifyInstance): void {
  // Checked before any parser, where the reply is at hand: the 415 says which codings are taken
  // (RFC 7694). A request without a body may carry the header; it has nothing to decode.
  fastify.addHook('preParsing', (req, reply, payload, done) => {
    const coding = req.headers['content-encoding']?.trim().toLowerCase();
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    if (!coding || coding === 'identity' || !hasBody) return done(null, payload);
    void reply.header('Accept-Encoding', 'identity');
    done(new HttpException(`Content-Encoding "${coding.slice(0, 40)}" is not supported: send the JSON body uncompressed`, HttpStatus.UNSUPPORTED_MEDIA_TYPE));
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_req, _payload, done) =>
    done(new HttpException('Content-Type must be application/json', HttpStatus.UNSUPPORTED_MEDIA_TYPE)),
  );
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req: FastifyRequest, text: string | Buffer, done) => {
    const charset = JSON_CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(new HttpException({ message: `unsupported charset "${charset}": JSON bodies are UTF-8` }, HttpStatus.UNSUPPORTED_MEDIA_TYPE));
    }
    const source = String(text);
    // As express' parser: an empty body is an empty object. Every request body is an object: an
    // array, or a bare value (`12`, `"x"`), validated as one would be refused for every field it lacks.
    if (source.trim() === '') return done(null, {});
    if (!/^\s*\{/.test(source)) return done(new BadRequestException('malformed JSON body: a JSON object ({…}) is expected'));
    let body: unknown;
    try {
      body = JSON.parse(source);
    } catch (e) {
      return done(new BadRequestException(`malformed JSON body: ${(e as Error).message.slice(0, 200)}`));
    }
    const problem = jsonProblem(body);
    if (problem) return done(new BadRequestException(`JSON body ${problem}`));
    done(null, body);
  });
}
