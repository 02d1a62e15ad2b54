import { Counter, Histogram, register } from 'prom-client';

/** prom-client keeps one global registry and tests build several apps in one process. */
function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export const ordersCreated = metric(
  'orders_created_total',
  () =>
    new Counter({
      name: 'orders_created_total',
      help: 'Orders created, by kind (regular from POST /orders, welcome from user.created).',
      labelNames: ['kind'],
    }),
);

export const orderStatusChanges = metric(
  'orders_status_changes_total',
  () =>
    new Counter({
      name: 'orders_status_changes_total',
      help: 'Orders that left pending, by the status they reached (paid, failed) and kind (regular, welcome).',
      labelNames: ['status', 'kind'],
    }),
);

/**
 * The whole event chain: user.created happened (user-service) -> welcome order created here ->
 * order.created -> payment-service -> payment.completed -> the order is paid here. Observed once
 * per welcome order, when it becomes paid; both ends are wall-clock times of this machine or its
 * peers, so keep clocks in sync (NTP) when services run on several hosts.
 */
export const userToPaidChain = metric(
  'user_to_paid_chain_seconds',
  () =>
    new Histogram({
      name: 'user_to_paid_chain_seconds',
      help: "Time from a user's user.created event to their welcome order being paid.",
      buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
);
