import { validateEnv } from './config/env';
import { AddChainStartedAt1764000000002 } from './database/migrations/1764000000002-add-chain-started-at';
import { CreateOrders1764000000001 } from './database/migrations/1764000000001-create-orders';
import { KnownUser } from './known-users/known-user.entity';
import { OrderItem } from './orders/order-item.entity';
import { Order } from './orders/order.entity';
import { ServiceDefinition } from './shared/service/definition';

export const orderService: ServiceDefinition = {
  name: 'order-service',
  description: 'Orders. Publishes order.created; consumes user.created (welcome order), user.deleted, payment.completed, payment.failed',
  validateEnv,
  schema: {
    entities: [Order, OrderItem, KnownUser],
    migrations: [CreateOrders1764000000001, AddChainStartedAt1764000000002],
  },
  consumesEvents: true,
};
