import { IsInt, Max, Min } from 'class-validator';
import { DatabaseEnv, envValidator, ToInt } from '../shared/config/env';
import { IsServiceUrls, ToUrlList } from '../shared/config/service-urls';

/** order-service's environment. Defaults are the local stack's (`npm start`). */
export class OrderServiceEnv extends DatabaseEnv {
  /**
   * Asked whether a user exists when user.created has not reached this service (yet): one base URL,
   * or a comma-separated list of user-service's instances (tried in turn when one cannot answer).
   */
  @ToUrlList() @IsServiceUrls() USER_SERVICE_URL: readonly string[] = ['http://localhost:3001'];

  /** How long an order may stay pending (unpaid) before it expires: 1 s to 7 days. */
  @ToInt() @IsInt() @Min(1000) @Max(604_800_000)
  ORDER_PAYMENT_TIMEOUT_MS = 60_000;

  /** How often each instance looks for orders past their payment deadline. */
  @ToInt() @IsInt() @Min(100) @Max(3_600_000)
  ORDER_EXPIRY_SWEEP_MS = 5000;
}

export const validateEnv = envValidator(OrderServiceEnv, {
  PORT: 3002,
  DB_PORT: 5433,
  DB_DATABASE: 'orderdb',
  KAFKA_CLIENT_ID: 'order-service',
  KAFKA_CONSUMER_GROUP: 'order-service-group',
});
