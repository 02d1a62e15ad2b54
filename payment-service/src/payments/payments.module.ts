import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PaymentServiceEnv } from '../config/env';
import { OrderCreatedConsumer } from './order-created.consumer';
import { PAYMENT_SETTINGS, PaymentSettings, PaymentSimulator, RANDOM_SOURCE, RandomSource } from './payment-simulator';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { REFUND_SETTINGS, RefundProvider, RefundSettings } from './refund-provider';
import { RefundRequestedConsumer } from './refund-requested.consumer';
import { REFUND_PROVIDER, RefundsService } from './refunds.service';

@Module({
  controllers: [PaymentsController, OrderCreatedConsumer, RefundRequestedConsumer],
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
    RefundsService,
    {
      provide: REFUND_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<PaymentServiceEnv, true>): RefundSettings => ({
        failureRate: config.get('REFUND_FAILURE_RATE', { infer: true }),
        delayMs: config.get('REFUND_DELAY_MS', { infer: true }),
        maxAttempts: config.get('REFUND_MAX_ATTEMPTS', { infer: true }),
        retryDelayMs: config.get('REFUND_RETRY_DELAY_MS', { infer: true }),
      }),
    },
    {
      provide: REFUND_PROVIDER,
      inject: [REFUND_SETTINGS, RANDOM_SOURCE],
      useFactory: (settings: RefundSettings, random: RandomSource) => new RefundProvider(settings, random),
    },
  ],
})
export class PaymentsModule {}
