import { Pool } from 'undici';
import type { Upstream } from '../config/upstreams';
import { upstreamHealthyInstances } from './upstream.metrics';

export type ProbeResult = { ok: true } | { ok: false; reason: string; details?: unknown; timedOut?: boolean };

/** Answers larger than this are refused (lists are capped at 100 rows; 10 MB is far above). */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/**
 * The pools close a connection idle this long themselves: sooner than a stopping service instance
 * closes it (its HTTP_DRAIN_MS, 3 s in the cluster profile), which would race a request written on
 * it. undici keeps it for the service's Keep-Alive hint less 1 s otherwise (4 s with Node's 5 s).
 */
const KEEPALIVE_IDLE_MS = 2000;

/**
 * One instance of a service: a keep-alive pool for the traffic, a small one for the health probes
 * (so a probe never queues behind a busy pool and reads "busy" as "down"), and whether it gets
 * traffic.
 */
export class UpstreamInstance {
  /** Its name in health details, logs and metrics: the base URL without a trailing slash. */
  readonly name: string;
  readonly pool: Pool;
  readonly probePool: Pool;
  readonly basePath: string;
  /** Scheme, host and port, as the client spans describe the server. */
  readonly origin: URL;
  /** Requests sent and not yet answered, for least-in-flight picking. */
  inFlight = 0;
  healthy = true;
  /** Why it is down, for logs; undefined while healthy. */
  reason: string | undefined;
  private missedProbes = 0;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.name = url.href.replace(/\/+$/, '');
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.origin = new URL(url.origin);
    const options = { maxResponseSize: MAX_RESPONSE_BYTES, keepAliveMaxTimeout: KEEPALIVE_IDLE_MS };
    this.pool = new Pool(url.origin, { connections: 64, ...options });
    this.probePool = new Pool(url.origin, { connections: 2, ...options });
  }

  /**
   * Applies a probe's answer; returns whether the instance changed state. A probe that got no
   * answer in time counts only the second time in a row: a busy instance is slow, not gone.
   */
  record(probe: ProbeResult): boolean {
    if (!probe.ok && probe.timedOut && ++this.missedProbes < 2) return false;
    if (probe.ok || !probe.timedOut) this.missedProbes = 0;
    return probe.ok ? this.set(true, undefined) : this.set(false, probe.reason);
  }

  /** A connection failure: no traffic until a probe finds it ready again. */
  markDown(reason: string): boolean {
    return this.set(false, reason);
  }

  /** Lets the traffic's requests finish; a probe still waiting is dropped (it must not hold up a shutdown). */
  close(): Promise<unknown> {
    return Promise.all([this.pool.close(), this.probePool.destroy()]);
  }

  private set(healthy: boolean, reason: string | undefined): boolean {
    const changed = this.healthy !== healthy;
    this.healthy = healthy;
    this.reason = reason;
    return changed;
  }
}

/** The instances of one service and the choice of the next one to use. */
export class InstanceSet {
  private turn = 0;

  constructor(
    readonly upstream: Upstream,
    readonly instances: readonly UpstreamInstance[],
  ) {
    this.refreshGauge();
  }

  /**
   * The healthy instance with the fewest requests in flight, ties taken in turn (so sequential
   * requests alternate evenly over the healthy ones). When none is healthy, any of them the same
   * way: failing fast would answer 503 just the same, while an instance that came back before its
   * probe noticed serves the request (with a single instance, the gateway behaves as it did before
   * it balanced).
   */
  pick(except?: UpstreamInstance): UpstreamInstance | undefined {
    const turn = this.turn++;
    const others = except === undefined ? this.instances : this.instances.filter((i) => i !== except);
    const healthy = others.filter((i) => i.healthy);
    const choices = healthy.length > 0 ? healthy : others;
    if (choices.length === 0) return undefined;
    let best = choices[turn % choices.length];
    for (let k = 1; k < choices.length; k++) {
      const candidate = choices[(turn + k) % choices.length];
      if (candidate.inFlight < best.inFlight) best = candidate;
    }
    return best;
  }

  /** Several instances to choose from: only then does an instance's state steer anything. */
  get balanced(): boolean {
    return this.instances.length > 1;
  }

  get healthyCount(): number {
    return this.instances.filter((i) => i.healthy).length;
  }

  refreshGauge(): void {
    upstreamHealthyInstances.set({ upstream: this.upstream }, this.healthyCount);
  }
}
