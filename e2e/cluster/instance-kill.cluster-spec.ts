// SIGKILL one instance of order-service and one of payment-service mid-stream: their partitions
// move to the surviving instances, and every user still gets exactly one welcome order and every
// order exactly one payment.
import { GROUPS } from '../support/system-kafka';
import { SystemTopics } from '../support/system-kafka';
import { until } from '../support/scenario-report';
import { ctl, instances, readHostState } from './support/cluster';
import { allProblems, runScenario } from './support/scenario';

jest.setTimeout(240000);

describe('cluster: service instances crash', () => {
  it('SIGKILL of order-service-1 and payment-service-1 under load: partitions move to the survivors, 1 welcome order and 1 payment each', async () => {
    const topics = new SystemTopics(readHostState().env.KAFKA_BROKER.split(','), 'cluster-suite-groups');
    try {
      const result = await runScenario({
        name: 'instance-kill',
        maxMs: 60000,
        fault: async () => {
          const members = async () => ({ orders: await topics.groupAssignment(GROUPS.orders), payments: await topics.groupAssignment(GROUPS.payments) });
          const before = await members();
          const faultAt = Date.now();
          await ctl('signalInstance', 'orders', 1, 'SIGKILL');
          await ctl('signalInstance', 'payments', 1, 'SIGKILL');
          // One member left per group, holding every partition the two shared.
          const total = (m: { partitions: number }[]) => m.reduce((n, x) => n + x.partitions, 0);
          const moved = await until(
            'the killed instances\u2019 partitions on the survivors',
            members,
            (m) => m.orders.length === 1 && m.payments.length === 1 && total(m.orders) === total(before.orders) && total(m.payments) === total(before.payments),
            90000,
            500,
          );
          const restartAt = Date.now();
          await ctl('startInstance', 'orders', 1);
          await ctl('startInstance', 'payments', 1);
          const readyMs = Date.now() - restartAt;
          const alive = (await instances()).filter((i) => i.alive).length;
          return {
            faultAt,
            summary:
              `orders-1 and payments-1 SIGKILLed (groups had ${before.orders.length} + ${before.payments.length} members); ` +
              `their partitions on the survivors ${(moved.ms / 1000).toFixed(1)} s later (${total(moved.value.orders)} + ${total(moved.value.payments)} partitions); ` +
              `both restarted and ready in ${(readyMs / 1000).toFixed(1)} s`,
            figures: { membersBefore: before, partitionsMovedMs: moved.ms, restartReadyMs: readyMs, instancesAlive: alive },
          };
        },
      });
      expect(allProblems(result.problems)).toEqual([]);
      expect(result.state.welcomeOrders).toBe(result.state.users);
      expect(result.state.payments).toBe(result.state.orders);
      expect(result.load.gaveUp.map((o) => `${o.kind} ${o.ref}: ${o.final}`)).toEqual([]);
    } finally {
      await topics.close();
    }
  });
});
