// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the process looks at its own CPU use (one cheap timer; it keeps no process alive). */
export const IDLE_CHECK_MS = 1000;
/** Less CPU than this in a check's interval is idle: timers, polls and heartbeats stay below it. */
export const IDLE_CPU_MICROS = 10_000;
/**
 * Idle checks in a row before the first collection; each retry waits twice as long. V8 shrinks
 * the young generation at a collection only when it sees the allocation rate low (over its last
 * ~5 s), so the first one, right after load, may give nothing back.
 */
export const IDLE_CHECKS_BEFORE_TRIM = 2;
/** Collections per idle period at most (V8 shrinks only once it sees the allocation rate low). */
export const TRIMS_PER_IDLE_PERIOD = 3;
/** Heap committed but unused worth a collection: below it there is nothing much to give back. */
export const TRIM_MIN_FREE_BYTES = 16 * 1024 * 1024;

export interface IdleSample {
  /** CPU (user + system) the process used since the previous check, in microseconds. */
  readonly cpuMicros: number;
  /** V8 heap committed minus used, in bytes. */
  readonly freeHeapBytes: number;
}

/**
 * Decides, one check at a time, when an app that has gone idle collects its heap: after
 * IDLE_CHECKS_BEFORE_TRIM idle checks in a row, if enough of its heap is committed but unused;
 * again after twice and four times as many if that much is still unused; then not before the app
 * has been busy again. A trickle of traffic that never makes the app busy costs at most
 * TRIMS_PER_IDLE_PERIOD collections, not one per check.
 */
export class IdleTrimPolicy {
  private idleChecks = 0;
  private trims = 0;

  /** True when this check should collect. */
  next(sample: IdleSample): boolean {
    if (sample.cpuMicros >= IDLE_CPU_MICROS) {
      this.idleChecks = 0;
      this.trims = 0;
      return false;
    }
    this.idleChecks += 1;
    if (sample.freeHeapBytes < TRIM_MIN_FREE_BYTES || this.trims >= TRIMS_PER_IDLE_PERIOD) return false;
    if (this.idleChecks < IDLE_CHECKS_BEFORE_TRIM * 2 ** this.trims) return false;
    this.trims += 1;
    return true;
  }
}

/**
 * Gives an idle app's memory back. Under load V8's young generation grows to its maximum (two
 * 16 MB semi-spaces, already during start-up) and keeps it; V8's own memory reducer gives it back
 * only after long idle stretches, and in the bench not within 30 s: the apps sat at 133–146 MB.
 * A young-generation collection once the app is idle shrinks it (V8 does so at a collection when
 * the allocation rate is low) and returns ~30 MB per app (bench/findings.md), for ~5 ms of CPU; a
 * full collection gives back no more for 10–20 times that. Capping the young generation instead
 * (--max-semi-space-size) saves as much but costs a third more CPU per request.
 */
export function trimMemoryWhenIdle(): void {
  // The one way to ask for a collection from JavaScript without the --expose-gc command-line
  // flag, which every launcher and image would have to pass: expose it to a new context only.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'minor'; execution: 'sync' }) => void;
  const collect = () => gc({ type: 'minor', execution: 'sync' });
  setFlagsFromString('--no-expose-gc');
  const policy = new IdleTrimPolicy();
  let last = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(last);
    const heap = getHeapStatistics();
    if (policy.next({ cpuMicros: used.user + used.system, freeHeapBytes: heap.total_heap_size - heap.used_heap_size })) collect();
    // Read after the collection: its own CPU is not activity.
    last = process.cpuUsage();
  }, IDLE_CHECK_MS).unref();
}
