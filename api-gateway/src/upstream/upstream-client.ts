import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { AuthUser } from '../auth/auth-user';
import { Upstream, UPSTREAM_OPTIONS, UpstreamOptions, UPSTREAMS } from '../config/upstreams';
import { API_KEY_HEADER, SESSION_ID_HEADER, USER_ID_HEADER, USER_ROLES_HEADER } from '../shared/auth/api-key';
import { REQUEST_ID_HEADER } from '../shared/http/request-id';
import { traceOutgoing } from '../shared/observability/tracing';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '../shared/idempotency/idempotency-key';
import type { Inbound } from './inbound';
import { InstanceSet, ProbeResult, UpstreamInstance } from './upstream-instances';
import { UpstreamBadResponseError, UpstreamTimeoutError, UpstreamUnavailableError } from './upstream.errors';
import { upstreamDuration, upstreamErrors } from './upstream.metrics';

export type { ProbeResult } from './upstream-instances';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ForwardRequest extends Inbound {
  readonly method: HttpMethod;
  /** Path on the service, e.g. `/users/1f0c...`; the base URL's own path is put in front. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON when defined. */
  readonly body?: unknown;
  /** The token's user, passed on as X-User-Id / X-User-Roles (none when AUTH_ENABLED is off). */
  readonly caller?: AuthUser;
  /** The client's Idempotency-Key (already validated), passed on as it came; it lets a write be tried on another instance. */
  readonly idempotencyKey?: string;
}

/** A service's answer as the client will see it. */
export interface UpstreamReply {
  readonly status: number;
  /** Parsed JSON; undefined for an empty body (204). */
  readonly body: unknown;
  /** The service's X-Total-Count header, for lists. */
  readonly totalCount?: string;
  /** The service answered with the stored answer of an earlier request with the same Idempotency-Key. */
  readonly replayed?: boolean;
  /** The JSON text as the service sent it (when it sent JSON): relayed as is, not serialized again. */
  readonly json?: string;
}

/** One instance's readiness as a probe found it. */
export interface InstanceProbe {
  readonly instance: string;
  readonly result: ProbeResult;
}

/** How often each instance's readiness is checked in the background (it stops getting traffic within ~1 s). */
export const PROBE_INTERVAL_MS = 500;
/** The background probe's deadline (a miss counts only twice in a row, see UpstreamInstance.record). */
const WATCH_TIMEOUT_MS = 1000;

/** Methods that change nothing: repeating one on another instance is always safe. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Whether a failed attempt may be followed by one on another instance. */
interface Retry {
  /** The service has another instance, and this is the first attempt. */
  readonly possible: boolean;
  /** Repeating the request is safe even if the instance may have acted on it. */
  readonly safe: boolean;
}
const NO_RETRY: Retry = { possible: false, safe: false };

/**
 * A connection that failed gets the request tried on another instance when nothing was sent (any
 * method: the instance cannot have acted on it), or when repeating it is safe.
 */
const retries = (failure: UpstreamUnavailableError, retry: Retry): boolean => retry.possible && (retry.safe || failure.nothingSent);

/**
 * Forwards requests to the services, spread over each service's instances (one keep-alive pool per
 * instance; the least busy healthy one, in turn). 2xx, 4xx and 503 answers come back unchanged; any
 * other 5xx becomes 502 (the service's details stay in its own log). Connection failures become
 * 503, a missed deadline 504.
 * Health: every instance's /health/ready is probed every PROBE_INTERVAL_MS; one that refuses
 * connections or answers 503 gets no traffic until it is ready again, and a request that fails to
 * connect takes its instance out at once. A request that never reached its instance (connection
 * refused, connect timeout) is tried once on another instance, whatever its method. One whose
 * connection closed before an answer is tried again only if repeating it is safe: a GET, or a write
 * carrying an Idempotency-Key (the service answers a repeat with the first request's stored answer,
 * or 409 while that one still runs). A lost connection is what a rolling restart produces: the
 * stopping instance closes an idle keep-alive connection just as a request is written on it. Other
 * writes are never repeated (the service may have acted on them), nor is a request that timed out.
 * The deadline covers the whole exchange as the client lives it, retry included: waiting for one of
 * the pool's connections, connecting, and the complete answer. (undici's own
 * headersTimeout/bodyTimeout would exclude the wait, but tick at ~0.5 s resolution and would let a
 * stuck service hold a queue of clients for many timeouts.)
 * Each attempt is traced as a client span (traceOutgoing) whose W3C trace context goes with it.
 */
@Injectable()
export class UpstreamClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Upstream');
  private readonly services: Record<Upstream, InstanceSet>;
  private readonly watchers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(@Inject(UPSTREAM_OPTIONS) private readonly options: UpstreamOptions) {
    this.services = Object.fromEntries(
      UPSTREAMS.map((name) => [name, new InstanceSet(name, options.baseUrls[name].map((url) => new UpstreamInstance(url)))]),
    ) as Record<Upstream, InstanceSet>;
  }

  async forward(upstream: Upstream, req: ForwardRequest): Promise<UpstreamReply> {
    const service = this.services[upstream];
    const deadline = new Deadline();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    try {
      const first = service.pick()!;
      const retry = { possible: service.balanced, safe: this.mayRepeat(req) };
      try {
        return await this.attempt(service, first, req, deadline, retry);
      } catch (e) {
        if (!(e instanceof UpstreamUnavailableError) || !retries(e, retry)) throw e;
        return await this.attempt(service, service.pick(first)!, req, deadline, NO_RETRY);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * GETs one service's health endpoint on every instance at once; used by the gateway's readiness.
   * Never throws. What it finds also decides which instances get traffic.
   */
  probeAll(upstream: Upstream, path: string, timeoutMs: number): Promise<InstanceProbe[]> {
    const service = this.services[upstream];
    return Promise.all(
      service.instances.map(async (instance) => ({ instance: instance.name, result: await this.check(service, instance, path, timeoutMs) })),
    );
  }

  /**
   * Starts the background readiness probe of each instance of a service that has several. A
   * service with one instance gets every call whatever its state (see InstanceSet.pick), so
   * probing it would only cost CPU on both sides; its state is what readiness reports.
   */
  onApplicationBootstrap(): void {
    for (const service of Object.values(this.services)) {
      if (!service.balanced) continue;
      for (const instance of service.instances) {
        const tick = async (): Promise<void> => {
          await this.check(service, instance, '/health/ready', WATCH_TIMEOUT_MS);
          if (this.closed) return;
          const next = setTimeout(() => {
            this.watchers.delete(next);
            void tick();
          }, PROBE_INTERVAL_MS);
          next.unref();
          this.watchers.add(next);
        };
        void tick();
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.watchers) clearTimeout(t);
    this.watchers.clear();
    await Promise.all(Object.values(this.services).flatMap((s) => s.instances.map((i) => i.close())));
  }

  /** Whether a request that may have reached an instance can be sent again (to another one). */
  private mayRepeat(req: ForwardRequest): boolean {
    return SAFE_METHODS.has(req.method) || Boolean(req.idempotencyKey);
  }

  private async attempt(
    service: InstanceSet,
    instance: UpstreamInstance,
    req: ForwardRequest,
    signal: Deadline,
    retry: Retry,
  ): Promise<UpstreamReply> {
    const { upstream } = service;
    const stop = upstreamDuration.startTimer({ upstream, upstream_instance: instance.name, method: req.method });
    let outcome = 'unavailable';
    instance.inFlight++;
    const path = instance.basePath + req.path + queryString(req.query);
    const headers = this.headersFor(req);
    const span = traceOutgoing(req.method, instance.origin, path, headers, req.trace);
    try {
      const res = await instance.pool.request({
        method: req.method,
        path,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
      const text = await res.body.text();
      span?.end({ status: res.statusCode });
      const reply = toReply(upstream, res.statusCode, res.headers, text, req.requestId);
      outcome = String(reply.status);
      return reply;
    } catch (e) {
      span?.end({ error: e instanceof Error ? e : new Error(String(e)) });
      const failure = this.failure(upstream, e, signal);
      if (failure instanceof UpstreamTimeoutError) outcome = 'timeout';
      else if (failure instanceof UpstreamBadResponseError) outcome = 'bad_response';
      const unavailable = failure instanceof UpstreamUnavailableError;
      upstreamErrors.inc({
        upstream,
        upstream_instance: instance.name,
        error: unavailable && failure.nothingSent ? 'connect_failed' : unavailable ? 'connection_lost' : outcome,
        retried: String(unavailable && retries(failure, retry)),
      });
      if (failure instanceof UpstreamUnavailableError) this.takeOut(service, instance, describeFailure(e), req);
      throw failure;
    } finally {
      instance.inFlight--;
      stop({ status_code: outcome });
    }
  }

  private failure(upstream: Upstream, e: unknown, signal: Deadline): Error {
    if (e instanceof UpstreamBadResponseError) return e;
    if (signal.aborted) return new UpstreamTimeoutError(upstream, this.options.timeoutMs);
    if (isResponseTooLarge(e)) return new UpstreamBadResponseError(upstream, 'answer too large', e);
    return new UpstreamUnavailableError(upstream, e, nothingSent(e));
  }

  /** Probes one instance and applies what it found. Not traced: probes every half second would bury the real traces. */
  private async check(service: InstanceSet, instance: UpstreamInstance, path: string, timeoutMs: number): Promise<ProbeResult> {
    const result = await context.with(suppressTracing(context.active()), () => probe(instance, path, timeoutMs));
    if (this.closed || !service.balanced) return result;
    const wasHealthy = instance.healthy;
    if (instance.record(result)) {
      service.refreshGauge();
      if (wasHealthy) this.logger.warn(`${service.upstream} instance ${instance.name} gets no traffic: ${instance.reason}`);
      else this.logger.log(`${service.upstream} instance ${instance.name} is ready again`);
    }
    return result;
  }

  /**
   * The request that found the instance down names it, and its trace: the gateway runs requests
   * without an origin for the log's mixin, and its active context does not follow awaits.
   */
  private takeOut(service: InstanceSet, instance: UpstreamInstance, reason: string, req: Inbound): void {
    if (!service.balanced || !instance.markDown(reason)) return;
    service.refreshGauge();
    context.with(req.trace ?? context.active(), () =>
      this.logger.warn({ requestId: req.requestId, msg: `${service.upstream} instance ${instance.name} gets no traffic: ${reason}` }),
    );
  }

  /**
   * Built from nothing, never copied from the client's request: a client's own X-User-Id,
   * X-User-Roles or X-API-Key never reach a service; the identity headers are the token's.
   */
  private headersFor(req: ForwardRequest): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', [REQUEST_ID_HEADER]: req.requestId };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = req.idempotencyKey;
    if (this.options.apiKey) headers[API_KEY_HEADER] = this.options.apiKey;
    if (req.caller) {
      headers[USER_ID_HEADER] = req.caller.id;
      headers[USER_ROLES_HEADER] = req.caller.roles.join(',');
      headers[SESSION_ID_HEADER] = req.caller.sessionId;
    }
    return headers;
  }
}

/**
 * A request's deadline as undici takes it: an EventEmitter that emits `abort`, one of the two
 * signal shapes its API accepts. An AbortController, with its EventTarget and listener, cost
 * ~11 µs of the gateway's CPU per proxied request (a CPU profile, bench/findings.md).
 */
export class Deadline extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

async function probe(instance: UpstreamInstance, path: string, timeoutMs: number): Promise<ProbeResult> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    const res = await instance.probePool.request({ method: 'GET', path: instance.basePath + path, signal: deadline.signal });
    const text = await res.body.text();
    if (res.statusCode === 200) return { ok: true };
    return { ok: false, reason: `HTTP ${res.statusCode}`, details: healthErrors(text) };
  } catch (e) {
    if (deadline.signal.aborted) return { ok: false, reason: `no answer within ${timeoutMs} ms`, timedOut: true };
    return { ok: false, reason: describeFailure(e) };
  } finally {
    clearTimeout(timer);
  }
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

function toReply(upstream: Upstream, status: number, headers: ResponseHeaders, text: string, requestId: string): UpstreamReply {
  const passesThrough = (status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503;
  if (!passesThrough) throw new UpstreamBadResponseError(upstream, `HTTP ${status}`);
  const totalCount = single(headers['x-total-count']);
  const replayed = single(headers[IDEMPOTENT_REPLAYED_HEADER]) === 'true' ? { replayed: true } : {};
  if (text.length === 0) return { status, body: undefined, totalCount, ...replayed };
  if (isJson(single(headers['content-type']))) {
    try {
      return { status, body: JSON.parse(text), totalCount, json: text, ...replayed };
    } catch (e) {
      throw new UpstreamBadResponseError(upstream, 'invalid JSON', e);
    }
  }
  if (status < 300) throw new UpstreamBadResponseError(upstream, 'not JSON');
  // An error page that is not JSON (a proxy in between, say): keep the status, use our error shape.
  const error = STATUS_CODES[status] ?? 'Error';
  return { status, body: { statusCode: status, message: `${upstream}: ${error}`, error, requestId }, totalCount, ...replayed };
}

function queryString(query: ForwardRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const isJson = (contentType: string | undefined): boolean =>
  contentType !== undefined && /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());

function isResponseTooLarge(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
}

const FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
};

/**
 * The connection never got as far as carrying the request (refused, unreachable, no such host,
 * connect timeout): the service cannot have seen it, so another instance may get it.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function nothingSent(e: unknown): boolean {
  const err = e as { code?: unknown; syscall?: unknown; cause?: { code?: unknown; syscall?: unknown } } | null;
  const code = String(err?.code ?? err?.cause?.code ?? '');
  return NOT_SENT.has(code) || (err?.syscall ?? err?.cause?.syscall) === 'connect';
}

function describeFailure(e: unknown): string {
  const err = e as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = String(err?.code ?? err?.cause?.code ?? 'unknown');
  return FAILURES[code] ? `${FAILURES[code]} (${code})` : `request failed (${code})`;
}

/** The failing checks of a service's own readiness answer (terminus' `error` object), if any. */
function healthErrors(text: string): unknown {
  try {
    return (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    return undefined;
  }
}
