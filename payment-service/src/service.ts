import { validateEnv } from './config/env';
import { CreatePayments1764000000001 } from './database/migrations/1764000000001-create-payments';
import { Payment } from './payments/payment.entity';
import { ServiceDefinition } from './shared/service/definition';

export const paymentService: ServiceDefinition = {
  name: 'payment-service',
  description: 'Pays orders: consumes order.created, publishes payment.completed and payment.failed',
  validateEnv,
  schema: { entities: [Payment], migrations: [CreatePayments1764000000001] },
  consumesEvents: true,
};
