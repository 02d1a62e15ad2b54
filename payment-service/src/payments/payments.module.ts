import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PaymentServiceEnv } from '../config/env';
import { OrderCreatedConsumer } from './order-created.consumer';
import { PAYMENT_SETTINGS, PaymentSettings, PaymentSimulator, RANDOM_SOURCE, RandomSource } from './payment-simulator';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';

@Module({
  controllers: [PaymentsController, OrderCreatedConsumer],
  providers: [
    PaymentsService,
    PaymentSimulator,
    {
      provide: PAYMENT_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<PaymentServiceEnv, true>): PaymentSettings => ({
        failureRate: config.get('PAYMENT_FAILURE_RATE', { infer: true }),
        delayMs: config.get('PAYMENT_DELAY_MS', { infer: true }),
      }),
    },
    { provide: RANDOM_SOURCE, useValue: Math.random satisfies RandomSource },
  ],
})
export class PaymentsModule {}
