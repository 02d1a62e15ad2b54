import { Module } from '@nestjs/common';
import { KnownUsersModule } from '../known-users/known-users.module';
import { OrdersModule } from '../orders/orders.module';
import { UserEventsConsumer } from './user-events.consumer';

/** Consumers of user-service's events: user.created and user.deleted, as they concern orders. */
@Module({
  imports: [KnownUsersModule, OrdersModule],
  controllers: [UserEventsConsumer],
})
export class UserEventsModule {}
