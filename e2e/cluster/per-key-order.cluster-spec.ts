// Per-key order across rebalances: orders are placed and a third of them cancelled (so an order
// has several events: created, payment, cancelled, refund requested, refunded) while instances of
// order-service and payment-service leave and join their groups. No order's status ever goes
// backwards, and no service applies the events of one key out of the order they occurred in
// (read from the rows' own history: order_status_history and each consumer's processed_events).
import { ctl } from './support/cluster';
import { allProblems, runScenario } from './support/scenario';

jest.setTimeout(300000);

describe('cluster: per-key order across rebalances', () => {
  it('orders created and cancelled while consumers rebalance: histories forward-only, every key applied in order', async () => {
    const result = await runScenario({
      name: 'per-key-order',
      maxMs: 120000,
      cancelEvery: 3,
      fault: async () => {
        const faultAt = Date.now();
        let rebalances = 0;
        // Each leave and each join moves partitions between the two instances of the service.
        for (const [app, instance] of [['orders', 2], ['payments', 2], ['orders', 1], ['payments', 1]] as const) {
          await ctl('stopInstance', app, instance);
          await ctl('startInstance', app, instance);
          rebalances += 2;
        }
        return {
          faultAt,
          summary: `${rebalances} rebalances (4 graceful leaves and rejoins of order- and payment-service instances) in ${((Date.now() - faultAt) / 1000).toFixed(1)} s`,
          figures: { rebalances },
        };
      },
    });
    expect(result.problems.backwards).toEqual([]);
    expect(result.problems.outOfOrder).toEqual([]);
    expect(result.state.cancels).toBeGreaterThan(0);
    expect(result.state.orderedApplications).toBeGreaterThan(0);
    expect(allProblems(result.problems)).toEqual([]);
    expect(result.load.gaveUp.map((o) => `${o.kind} ${o.ref}: ${o.final}`)).toEqual([]);
  });
});
