import { validateEnv } from './config/env';
import { AddChainStartedAt1764000000002 } from './database/migrations/1764000000002-add-chain-started-at';
import { CreateOrders1764000000001 } from './database/migrations/1764000000001-create-orders';
import { OrderSaga1764000000003 } from './database/migrations/1764000000003-order-saga';
import { KnownUser } from './known-users/known-user.entity';
import { OrderItem } from './orders/order-item.entity';
import { OrderStatusChange } from './orders/order-status-change.entity';
import { Order } from './orders/order.entity';
import { IdempotencyKeys1764500000000 } from './shared/idempotency/idempotency-keys.migration';
import { ServiceDefinition } from './shared/service/definition';

export const orderService: ServiceDefinition = {
  name: 'order-service',
  description:
    'Orders. Publishes order.created, order.cancelled, order.expired, order.refund-requested; consumes user.created (welcome order), user.deleted, payment.completed, payment.failed, payment.refunded, payment.refund-failed',
  validateEnv,
  schema: {
    entities: [Order, OrderItem, OrderStatusChange, KnownUser],
    migrations: [CreateOrders1764000000001, AddChainStartedAt1764000000002, OrderSaga1764000000003, IdempotencyKeys1764500000000],
  },
  consumesEvents: true,
};
