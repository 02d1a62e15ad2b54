import { Transform } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { DatabaseEnv, envValidator, ToInt } from '../shared/config/env';

/** Decimal text ("0.25", "1", ".5" is refused) becomes a number; anything else stays invalid. */
const ToNumber = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value));

/** payment-service's environment. Defaults are the local stack's (`npm start`). */
export class PaymentServiceEnv extends DatabaseEnv {
  /** Share of payments the simulated provider declines: 0 never, 1 always. */
  @ToNumber() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  PAYMENT_FAILURE_RATE = 0;

  /** How long the simulated provider takes to answer, in ms (at most 10 minutes). */
  @ToInt() @IsInt() @Min(0) @Max(600_000)
  PAYMENT_DELAY_MS = 0;

  /** Share of refund calls the simulated provider declines: 0 never, 1 always. */
  @ToNumber() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  REFUND_FAILURE_RATE = 0;

  /** How long one simulated refund call takes, in ms (at most 10 minutes). */
  @ToInt() @IsInt() @Min(0) @Max(600_000)
  REFUND_DELAY_MS = 0;

  /** Refund calls per delivery before the request is dead-lettered and the order shows refund_failed. */
  @ToInt() @IsInt() @Min(1) @Max(20)
  REFUND_MAX_ATTEMPTS = 3;

  /** Pause after the first declined refund call, doubled after each (at most 1 minute). */
  @ToInt() @IsInt() @Min(0) @Max(60_000)
  REFUND_RETRY_DELAY_MS = 200;
}

export const validateEnv = envValidator(PaymentServiceEnv, {
  PORT: 3003,
  DB_PORT: 5436,
  DB_DATABASE: 'paymentdb',
  KAFKA_CLIENT_ID: 'payment-service',
  KAFKA_CONSUMER_GROUP: 'payment-service-group',
});
