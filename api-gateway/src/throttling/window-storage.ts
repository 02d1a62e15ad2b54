import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  /** When this window's count starts again from 0 (ms). */
  endsAt: number;
  /** While later than now, every request of the key is refused (ms; 0: not blocked). */
  blockedUntil: number;
}

/** Expired windows are dropped at most this often, by the request that finds the time has come. */
const SWEEP_EVERY_MS = 10_000;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * The rate limiter's counts: a fixed window per client, route and limit, O(1) per request.
 * @nestjs/throttler's own storage keeps every hit's expiry and filters the whole list on every
 * request, so one busy client with a high limit (the benchmark's, or many users behind one
 * proxy address) cost the gateway time in proportion to its request rate (bench/findings.md).
 * Behaviour kept: the request over the limit is refused and the key stays refused for
 * `blockDuration` (the window's length unless configured), then starts a new window; headers
 * and Retry-After come from the same fields. A fixed window lets a client that times it send up
 * to twice the limit across a window's edge, where the per-hit list would not: for a flood
 * guard, an accepted difference. No timer: expired windows go on a later request.
 */
export class WindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    if (now >= this.nextSweep) this.sweep(now);
    const id = `${throttlerName}:${key}`;
    let w = this.windows.get(id);
    if (!w) {
      w = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, w);
    }
    if (w.blockedUntil > now) return blocked(w, now, w.blockedUntil);
    if (w.blockedUntil !== 0 || now >= w.endsAt) {
      w.hits = 0;
      w.endsAt = now + ttl;
      w.blockedUntil = 0;
    }
    if (blockDuration <= 0) {
      // No block: refused while the window is full, counted again in the next one.
      if (w.hits >= limit) return blocked(w, now, w.endsAt, w.hits + 1);
      w.hits++;
      return { totalHits: w.hits, timeToExpire: seconds(w.endsAt - now), isBlocked: false, timeToBlockExpire: 0 };
    }
    w.hits++;
    if (w.hits > limit) {
      w.blockedUntil = now + blockDuration;
      return blocked(w, now, w.blockedUntil);
    }
    return { totalHits: w.hits, timeToExpire: seconds(w.endsAt - now), isBlocked: false, timeToBlockExpire: 0 };
  }

  private sweep(now: number): void {
    for (const [id, w] of this.windows) if (w.endsAt <= now && w.blockedUntil <= now) this.windows.delete(id);
    this.nextSweep = now + SWEEP_EVERY_MS;
  }
}

function blocked(w: Window, now: number, until: number, hits = w.hits): ThrottlerStorageRecord {
  return { totalHits: hits, timeToExpire: seconds(w.endsAt - now), isBlocked: true, timeToBlockExpire: seconds(until - now) };
}
