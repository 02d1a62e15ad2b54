import { IDLE_CHECKS_BEFORE_TRIM, IDLE_CPU_MICROS, IdleTrimPolicy, TRIM_MIN_FREE_BYTES } from './idle-memory';

describe('collecting the heap of an idle app', () => {
  const idle = { cpuMicros: 500, freeHeapBytes: TRIM_MIN_FREE_BYTES + 1 };
  const idleAndTrim = { cpuMicros: 500, freeHeapBytes: 1024 * 1024 };
  const busy = { cpuMicros: IDLE_CPU_MICROS, freeHeapBytes: TRIM_MIN_FREE_BYTES + 1 };
  /** The checks (1-based) at which the policy collects, over a run of samples. */
  const collectsAt = (sut: IdleTrimPolicy, samples: { cpuMicros: number; freeHeapBytes: number }[]) =>
    samples.flatMap((s, i) => (sut.next(s) ? [i + 1] : []));

  it('collects after IDLE_CHECKS_BEFORE_TRIM idle checks when much of the heap is unused, not before', () => {
    expect(collectsAt(new IdleTrimPolicy(), [busy, ...Array(IDLE_CHECKS_BEFORE_TRIM).fill(idle), idleAndTrim, idleAndTrim])).toEqual([IDLE_CHECKS_BEFORE_TRIM + 1]);
  });

  it('does not collect while busy, nor when little of the heap is unused', () => {
    expect(collectsAt(new IdleTrimPolicy(), [busy, busy, busy])).toEqual([]);
    expect(collectsAt(new IdleTrimPolicy(), Array(10).fill(idleAndTrim))).toEqual([]);
  });

  it('tries again after twice and four times as many idle checks while the heap stays unused, then stops', () => {
    const n = IDLE_CHECKS_BEFORE_TRIM;
    expect(collectsAt(new IdleTrimPolicy(), Array(10 * n).fill(idle))).toEqual([n, 2 * n, 4 * n]);
  });

  it('collects again once the app has been busy and gone idle again', () => {
    const n = IDLE_CHECKS_BEFORE_TRIM;
    const idlePeriod = [...Array(n).fill(idle), idleAndTrim];
    expect(collectsAt(new IdleTrimPolicy(), [...idlePeriod, busy, ...idlePeriod])).toEqual([n, 2 * n + 2]);
  });
});
