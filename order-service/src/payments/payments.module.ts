import { Module } from '@nestjs/common';
import { PaymentEventsController } from './payment-events.controller';
import { PaymentOutcomesService } from './payment-outcomes.service';

/** payment.completed and payment.failed, as they concern orders. */
@Module({
  controllers: [PaymentEventsController],
  providers: [PaymentOutcomesService],
})
export class PaymentsModule {}
