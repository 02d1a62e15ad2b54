import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { STATUS_CODES } from 'node:http';
import { Pool } from 'undici';
import type { AuthUser } from '../auth/auth-user';
import { Upstream, UPSTREAM_OPTIONS, UpstreamOptions, UPSTREAMS } from '../config/upstreams';
import { API_KEY_HEADER, SESSION_ID_HEADER, USER_ID_HEADER, USER_ROLES_HEADER } from '../shared/auth/api-key';
import { REQUEST_ID_HEADER } from '../shared/http/request-id';
import { UpstreamBadResponseError, UpstreamTimeoutError, UpstreamUnavailableError } from './upstream.errors';
import { upstreamDuration } from './upstream.metrics';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ForwardRequest {
  readonly method: HttpMethod;
  /** Path on the service, e.g. `/users/1f0c...`; the base URL's own path is put in front. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON when defined. */
  readonly body?: unknown;
  readonly requestId: string;
  /** The token's user, passed on as X-User-Id / X-User-Roles (none when AUTH_ENABLED is off). */
  readonly caller?: AuthUser;
}

/** A service's answer as the client will see it. */
export interface UpstreamReply {
  readonly status: number;
  /** Parsed JSON; undefined for an empty body (204). */
  readonly body: unknown;
  /** The service's X-Total-Count header, for lists. */
  readonly totalCount?: string;
  /** The JSON text as the service sent it (when it sent JSON): relayed as is, not serialized again. */
  readonly json?: string;
}

export type ProbeResult = { ok: true } | { ok: false; reason: string; details?: unknown };

/** Answers larger than this are refused (lists are capped at 100 rows; 10 MB is far above). */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

interface Target {
  readonly pool: Pool;
  readonly basePath: string;
}

/**
 * Forwards requests to the services over one keep-alive connection pool per service.
 * 2xx, 4xx and 503 answers come back unchanged; any other 5xx becomes 502 (the service's
 * details stay in its own log). Connection failures become 503, a missed deadline 504.
 * The deadline covers the whole exchange as the client lives it: waiting for one of the pool's
 * connections, connecting, and the complete answer. (undici's own headersTimeout/bodyTimeout
 * would exclude the wait, but tick at ~0.5 s resolution and would let a stuck service hold a
 * queue of clients for many timeouts.)
 * W3C trace context is added by OpenTelemetry's undici instrumentation when tracing is on.
 */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly targets: Record<Upstream, Target>;

  constructor(@Inject(UPSTREAM_OPTIONS) private readonly options: UpstreamOptions) {
    this.targets = Object.fromEntries(
      UPSTREAMS.map((name) => {
        const url = new URL(options.baseUrls[name]);
        const pool = new Pool(url.origin, { connections: 64, maxResponseSize: MAX_RESPONSE_BYTES });
        return [name, { pool, basePath: url.pathname.replace(/\/+$/, '') }];
      }),
    ) as Record<Upstream, Target>;
  }

  async forward(upstream: Upstream, req: ForwardRequest): Promise<UpstreamReply> {
    const stop = upstreamDuration.startTimer({ upstream, method: req.method });
    let outcome = 'unavailable';
    try {
      const reply = await this.exchange(upstream, req);
      outcome = String(reply.status);
      return reply;
    } catch (e) {
      if (e instanceof UpstreamTimeoutError) outcome = 'timeout';
      else if (e instanceof UpstreamBadResponseError) outcome = 'bad_response';
      throw e;
    } finally {
      stop({ status_code: outcome });
    }
  }

  /**
   * GETs a service's health endpoint; used by the gateway's readiness. Never throws. Not traced:
   * probes every few seconds would bury the real traces (the services ignore them too).
   */
  probe(upstream: Upstream, path: string, timeoutMs: number): Promise<ProbeResult> {
    return context.with(suppressTracing(context.active()), () => this.probeUntraced(upstream, path, timeoutMs));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.targets).map((t) => t.pool.close()));
  }

  private async probeUntraced(upstream: Upstream, path: string, timeoutMs: number): Promise<ProbeResult> {
    const { pool, basePath } = this.targets[upstream];
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const res = await pool.request({ method: 'GET', path: basePath + path, signal: deadline.signal });
      const text = await res.body.text();
      if (res.statusCode === 200) return { ok: true };
      return { ok: false, reason: `HTTP ${res.statusCode}`, details: healthErrors(text) };
    } catch (e) {
      return { ok: false, reason: deadline.signal.aborted ? `no answer within ${timeoutMs} ms` : describeFailure(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange(upstream: Upstream, req: ForwardRequest): Promise<UpstreamReply> {
    const { pool, basePath } = this.targets[upstream];
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    try {
      const res = await pool.request({
        method: req.method,
        path: basePath + req.path + queryString(req.query),
        headers: this.headersFor(req),
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: deadline.signal,
      });
      const text = await res.body.text();
      return toReply(upstream, res.statusCode, res.headers, text, req.requestId);
    } catch (e) {
      if (e instanceof UpstreamBadResponseError) throw e;
      if (deadline.signal.aborted) throw new UpstreamTimeoutError(upstream, this.options.timeoutMs);
      if (isResponseTooLarge(e)) throw new UpstreamBadResponseError(upstream, 'answer too large', e);
      throw new UpstreamUnavailableError(upstream, e);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Built from nothing, never copied from the client's request: a client's own X-User-Id,
   * X-User-Roles or X-API-Key never reach a service; the identity headers are the token's.
   */
  private headersFor(req: ForwardRequest): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', [REQUEST_ID_HEADER]: req.requestId };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers[API_KEY_HEADER] = this.options.apiKey;
    if (req.caller) {
      headers[USER_ID_HEADER] = req.caller.id;
      headers[USER_ROLES_HEADER] = req.caller.roles.join(',');
      headers[SESSION_ID_HEADER] = req.caller.sessionId;
    }
    return headers;
  }
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

function toReply(upstream: Upstream, status: number, headers: ResponseHeaders, text: string, requestId: string): UpstreamReply {
  const passesThrough = (status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503;
  if (!passesThrough) throw new UpstreamBadResponseError(upstream, `HTTP ${status}`);
  const totalCount = single(headers['x-total-count']);
  if (text.length === 0) return { status, body: undefined, totalCount };
  if (isJson(single(headers['content-type']))) {
    try {
      return { status, body: JSON.parse(text), totalCount, json: text };
    } catch (e) {
      throw new UpstreamBadResponseError(upstream, 'invalid JSON', e);
    }
  }
  if (status < 300) throw new UpstreamBadResponseError(upstream, 'not JSON');
  // An error page that is not JSON (a proxy in between, say): keep the status, use our error shape.
  const error = STATUS_CODES[status] ?? 'Error';
  return { status, body: { statusCode: status, message: `${upstream}: ${error}`, error, requestId }, totalCount };
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
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
};

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
