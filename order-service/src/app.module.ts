import { Module } from '@nestjs/common';
import { KnownUsersModule } from './known-users/known-users.module';
import { OrdersModule } from './orders/orders.module';
import { PaymentEventsModule } from './payment-events/payment-events.module';
import { orderService } from './service';
import { ServiceCoreModule } from './shared/service/service-core.module';
import { UserEventsModule } from './user-events/user-events.module';

@Module({
  imports: [ServiceCoreModule.forService(orderService), KnownUsersModule, OrdersModule, UserEventsModule, PaymentEventsModule],
})
export class AppModule {}
