import { Module } from '@nestjs/common';
import { KnownUsersModule } from '../known-users/known-users.module';
import { OrdersModule } from '../orders/orders.module';
import { UserEventsController } from './user-events.controller';
import { UserEventsService } from './user-events.service';

/** user.created and user.deleted, as they concern orders. */
@Module({
  imports: [KnownUsersModule, OrdersModule],
  controllers: [UserEventsController],
  providers: [UserEventsService],
})
export class UsersModule {}
