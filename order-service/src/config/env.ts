import { IsUrl } from 'class-validator';
import { DatabaseEnv, envValidator } from '../shared/config/env';

/** order-service's environment. Defaults are the local stack's (`npm start`). */
export class OrderServiceEnv extends DatabaseEnv {
  /** Asked whether a user exists when user.created has not reached this service (yet). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'USER_SERVICE_URL must be an http(s) URL' })
  USER_SERVICE_URL = 'http://localhost:3001';
}

export const validateEnv = envValidator(OrderServiceEnv, {
  PORT: 3002,
  DB_PORT: 5433,
  DB_DATABASE: 'orderdb',
  KAFKA_CLIENT_ID: 'order-service',
  KAFKA_CONSUMER_GROUP: 'order-service-group',
});
