import { DECLINED, HEARTBEAT_SLICE_MS, PaymentSimulator, RandomSource } from './payment-simulator';

/** Returns the given draws in order, then fails the test if asked for more. */
function draws(...values: number[]): RandomSource {
  const queue = [...values];
  return () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('the test supplied no more random draws');
    return next;
  };
}

describe('PaymentSimulator.decide', () => {
  it('completes every payment at failure rate 0, whatever the draw', () => {
    const sut = new PaymentSimulator({ failureRate: 0, delayMs: 0 }, draws(0, 0.5, 0.999999));
    expect([sut.decide(), sut.decide(), sut.decide()]).toEqual([
      { status: 'completed' },
      { status: 'completed' },
      { status: 'completed' },
    ]);
  });

  it('declines every payment at failure rate 1, with a reason', () => {
    const sut = new PaymentSimulator({ failureRate: 1, delayMs: 0 }, draws(0, 0.999999));
    const expected = { status: 'failed', reason: DECLINED.reason, code: 'PAYMENT.DECLINED' };
    expect([sut.decide(), sut.decide()]).toEqual([expected, expected]);
    expect(DECLINED.reason.length).toBeGreaterThan(0);
  });

  it('declines the draws below the rate and completes the others at rate 0.5', () => {
    const sut = new PaymentSimulator({ failureRate: 0.5, delayMs: 0 }, draws(0.2, 0.7, 0.4999, 0.5));
    expect([sut.decide(), sut.decide(), sut.decide(), sut.decide()].map((d) => d.status)).toEqual([
      'failed',
      'completed',
      'failed',
      'completed',
    ]);
  });
});

describe('PaymentSimulator.awaitProvider', () => {
  afterEach(() => jest.useRealTimers());

  it('returns at once without a delay and sends no heartbeat', async () => {
    const heartbeat = jest.fn(() => Promise.resolve());
    await new PaymentSimulator({ failureRate: 0, delayMs: 0 }, draws()).awaitProvider(heartbeat);
    expect(heartbeat).not.toHaveBeenCalled();
  });

  it('keeps the consumer in its group during a delay longer than the session timeout', async () => {
    jest.useFakeTimers();
    const heartbeat = jest.fn(() => Promise.resolve());
    const sut = new PaymentSimulator({ failureRate: 0, delayMs: 45_000 }, draws());
    let done = false;
    const waiting = sut.awaitProvider(heartbeat).then(() => (done = true));

    await jest.advanceTimersByTimeAsync(HEARTBEAT_SLICE_MS);
    expect(heartbeat).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(30_000 - HEARTBEAT_SLICE_MS);
    expect(heartbeat).toHaveBeenCalledTimes(15);
    expect(done).toBe(false);

    await jest.advanceTimersByTimeAsync(15_000);
    await waiting;
    // 45 s in 2 s slices: 22 full slices and one of 1 s, a heartbeat after each.
    expect(heartbeat).toHaveBeenCalledTimes(23);
    expect(HEARTBEAT_SLICE_MS).toBeLessThanOrEqual(2000);
  });

  it('waits the whole delay even when a heartbeat fails (a rebalance is under way)', async () => {
    jest.useFakeTimers();
    const heartbeat = jest.fn(() => Promise.reject(new Error('The group is rebalancing')));
    const sut = new PaymentSimulator({ failureRate: 0, delayMs: 5000 }, draws());
    let done = false;
    const waiting = sut.awaitProvider(heartbeat).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(4999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(heartbeat).toHaveBeenCalledTimes(3);
  });
});
