import { OrderExpiry } from './order-expiry';
import type { OrdersService } from './orders.service';

/** Overdue orders waiting in the database; each call expires up to `batch` of them. */
class FakeOrders {
  calls: { timeoutMs: number; batch: number }[] = [];
  constructor(private overdue: number) {}

  async expireOverdue(timeoutMs: number, batch: number): Promise<number> {
    this.calls.push({ timeoutMs, batch });
    const expired = Math.min(batch, this.overdue);
    this.overdue -= expired;
    return expired;
  }
}

describe('OrderExpiry', () => {
  it('drains a backlog batch by batch in one sweep, with the configured deadline', async () => {
    const orders = new FakeOrders(450);
    const sut = new OrderExpiry(orders as unknown as OrdersService, { timeoutMs: 60_000, sweepMs: 5000 });
    expect(await sut.sweep()).toBe(450);
    expect(orders.calls).toEqual([
      { timeoutMs: 60_000, batch: 200 },
      { timeoutMs: 60_000, batch: 200 },
      { timeoutMs: 60_000, batch: 200 },
    ]);
  });

  it('asks once when nothing is overdue', async () => {
    const orders = new FakeOrders(0);
    const sut = new OrderExpiry(orders as unknown as OrdersService, { timeoutMs: 1000, sweepMs: 100 });
    expect(await sut.sweep()).toBe(0);
    expect(orders.calls).toHaveLength(1);
  });

  it('sweeps on its interval once started, and stops at shutdown', async () => {
    jest.useFakeTimers();
    const orders = new FakeOrders(3);
    const sut = new OrderExpiry(orders as unknown as OrdersService, { timeoutMs: 1000, sweepMs: 100 });
    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(350);
    await sut.onApplicationShutdown();
    const calls = orders.calls.length;
    await jest.advanceTimersByTimeAsync(500);
    expect(calls).toBe(3);
    expect(orders.calls).toHaveLength(calls);
    jest.useRealTimers();
  });
});
