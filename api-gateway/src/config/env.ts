import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { envValidator, LOG_LEVELS, NODE_ENVS, ToInt } from '../shared/config/env';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * The gateway's environment. Not a BaseEnv: that one requires KAFKA_*, and the gateway never
 * talks to Kafka. Defaults are the local stack's (`npm start`).
 */
export class GatewayEnv {
  @IsIn(NODE_ENVS) NODE_ENV: (typeof NODE_ENVS)[number] = 'development';
  @ToInt() @IsInt() @Min(1) @Max(65535) PORT = 3005;
  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  @IsUrl(HTTP_URL) USER_SERVICE_URL = 'http://localhost:3001';
  @IsUrl(HTTP_URL) ORDER_SERVICE_URL = 'http://localhost:3002';
  @IsUrl(HTTP_URL) PAYMENT_SERVICE_URL = 'http://localhost:3003';
  /** Whole-exchange deadline for one upstream call (connect, headers and body). */
  @ToInt() @IsInt() @Min(1) @Max(600_000) UPSTREAM_TIMEOUT_MS = 5000;
  /** Sent to the services as `x-api-key` when set. */
  @IsOptional() @IsString() API_KEY?: string;
  @IsUrl(HTTP_URL) JAEGER_ENDPOINT = 'http://localhost:4318/v1/traces';
}

export const validateEnv = envValidator(GatewayEnv, {});
