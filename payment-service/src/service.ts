import { validateEnv } from './config/env';
import { CreatePayments1764000000001 } from './database/migrations/1764000000001-create-payments';
import { CreateRefunds1764000000002 } from './database/migrations/1764000000002-create-refunds';
import { Payment } from './payments/payment.entity';
import { Refund } from './payments/refund.entity';
import { ServiceDefinition } from './shared/service/definition';

export const paymentService: ServiceDefinition = {
  name: 'payment-service',
  description: 'Pays and refunds orders: consumes order.created and order.refund-requested, publishes payment.completed, payment.failed, payment.refunded, payment.refund-failed',
  validateEnv,
  schema: { entities: [Payment, Refund], migrations: [CreatePayments1764000000001, CreateRefunds1764000000002] },
  consumesEvents: true,
};
