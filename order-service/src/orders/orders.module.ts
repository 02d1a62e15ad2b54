import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OrderServiceEnv } from '../config/env';
import { KnownUsersModule } from '../known-users/known-users.module';
import { IdempotencyModule } from '../shared/idempotency/idempotency.module';
import { EXPIRY_SETTINGS, ExpirySettings, OrderExpiry } from './order-expiry';
import { OrderTransitions } from './order-transitions';
import { OrdersByStatus } from './orders-by-status';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [KnownUsersModule, IdempotencyModule],
  controllers: [OrdersController],
  providers: [
    OrdersService,
    OrderTransitions,
    OrderExpiry,
    OrdersByStatus,
    {
      provide: EXPIRY_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<OrderServiceEnv, true>): ExpirySettings => ({
        timeoutMs: config.get('ORDER_PAYMENT_TIMEOUT_MS', { infer: true }),
        sweepMs: config.get('ORDER_EXPIRY_SWEEP_MS', { infer: true }),
      }),
    },
  ],
  exports: [OrdersService, OrderExpiry],
})
export class OrdersModule {}
