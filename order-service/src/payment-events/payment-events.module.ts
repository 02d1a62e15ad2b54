import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { PaymentEventsConsumer } from './payment-events.consumer';

/** Consumers of payment-service's events: payment.completed and payment.failed, as they concern orders. */
@Module({
  imports: [OrdersModule],
  controllers: [PaymentEventsConsumer],
})
export class PaymentEventsModule {}
