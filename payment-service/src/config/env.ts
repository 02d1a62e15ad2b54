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
}

export const validateEnv = envValidator(PaymentServiceEnv, {
  PORT: 3003,
  DB_PORT: 5436,
  DB_DATABASE: 'paymentdb',
  KAFKA_CLIENT_ID: 'payment-service',
  KAFKA_CONSUMER_GROUP: 'payment-service-group',
});
