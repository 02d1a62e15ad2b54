import { REFUND_DECLINED, RefundProvider, RefundSettings } from './refund-provider';

function draws(...values: number[]) {
  const queue = [...values];
  return () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('no more random draws');
    return next;
  };
}

const settings = (over: Partial<RefundSettings> = {}): RefundSettings => ({ failureRate: 0.5, delayMs: 0, maxAttempts: 3, retryDelayMs: 0, ...over });

describe('RefundProvider', () => {
  const heartbeat = () => Promise.resolve();

  it('refunds at the first call when the provider accepts it', async () => {
    const sut = new RefundProvider(settings(), draws(0.9));
    expect(await sut.refund(heartbeat)).toEqual({ ok: true, attempts: 1 });
  });

  it('retries declined calls and reports the call that went through', async () => {
    const sut = new RefundProvider(settings(), draws(0.1, 0.2, 0.7));
    expect(await sut.refund(heartbeat)).toEqual({ ok: true, attempts: 3 });
  });

  it('gives up after maxAttempts declined calls, with the reason', async () => {
    const sut = new RefundProvider(settings({ maxAttempts: 4 }), draws(0.1, 0.1, 0.1, 0.1));
    expect(await sut.refund(heartbeat)).toEqual({ ok: false, attempts: 4, reason: REFUND_DECLINED });
  });

  it('backs off between calls, doubling the pause, with a heartbeat after each', async () => {
    jest.useFakeTimers();
    const beats = jest.fn(() => Promise.resolve());
    const sut = new RefundProvider(settings({ failureRate: 1, maxAttempts: 3, retryDelayMs: 100 }), draws(0.1, 0.1, 0.1));
    let result: unknown;
    const refunding = sut.refund(beats).then((r) => (result = r));
    await jest.advanceTimersByTimeAsync(299);
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await refunding;
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(beats).toHaveBeenCalledTimes(2);
    jest.useRealTimers();
  });
});
