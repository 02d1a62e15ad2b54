import { Counter, Gauge, Histogram, register } from 'prom-client';

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
      help: 'Order status changes, by the status reached (paid, failed, cancelled, expired, refund_pending, refunded, refund_failed) and kind.',
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

/** From the moment a refund was asked for (a cancel after payment, or a late payment) to the order being refunded. */
export const cancelToRefunded = metric(
  'orders_cancel_to_refunded_seconds',
  () =>
    new Histogram({
      name: 'orders_cancel_to_refunded_seconds',
      help: 'Time from an order asking for its refund to payment.refunded making it refunded.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    }),
);

export type StatusCounter = () => Promise<{ status: string; count: number }[]>;
let countByStatus: StatusCounter | null = null;

/**
 * Orders by current status, read from the database at scrape time (one GROUP BY on an indexed
 * table), so every instance reports the same truth. The gauge is global to the process: the
 * latest app started supplies the query.
 */
export function reportOrdersByStatus(counter: StatusCounter | null): void {
  countByStatus = counter;
  metric(
    'orders_by_status',
    () =>
      new Gauge({
        name: 'orders_by_status',
        help: 'Orders by current status.',
        labelNames: ['status'],
        async collect() {
          if (!countByStatus) return;
          const rows = await countByStatus().catch(() => null);
          if (!rows) return;
          this.reset();
          for (const row of rows) this.set({ status: row.status }, row.count);
        },
      }),
  );
}
