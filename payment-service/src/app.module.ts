import { Module } from '@nestjs/common';
import { PaymentsModule } from './payments/payments.module';
import { paymentService } from './service';
import { ServiceCoreModule } from './shared/service/service-core.module';

@Module({
  imports: [ServiceCoreModule.forService(paymentService), PaymentsModule],
})
export class AppModule {}
