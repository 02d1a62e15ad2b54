import { Counter, register } from 'prom-client';

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
      help: 'Orders that left pending, by the status they reached (paid, failed).',
      labelNames: ['status'],
    }),
);
