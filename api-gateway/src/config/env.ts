import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { envValidator, LOG_LEVELS, NODE_ENVS, ToInt } from '../shared/config/env';
import { durationSeconds, IsDuration } from '../shared/config/duration';
import { IsSecret } from '../shared/config/secrets';
import { IsServiceUrls, ToUrlList } from '../shared/config/service-urls';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** Signs development tokens; production refuses it (it says "not-for-production"). */
export const DEV_JWT_SECRET = 'nest-ms-development-jwt-secret-not-for-production';

/** "true"/"false" (also 1/0, yes/no, on/off); anything else stays a string and is refused. */
const ToBool = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    return value;
  });

/**
 * The gateway's environment. Not a BaseEnv: that one requires KAFKA_*, and the gateway never
 * talks to Kafka. Defaults are the local stack's (`npm start`).
 */
export class GatewayEnv {
  @IsIn(NODE_ENVS) NODE_ENV: (typeof NODE_ENVS)[number] = 'development';
  @ToInt() @IsInt() @Min(1) @Max(65535) PORT = 3005;
  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  /** Each service's instances: one base URL or a comma-separated list (the gateway spreads over them). */
  @ToUrlList() @IsServiceUrls() USER_SERVICE_URL: readonly string[] = ['http://localhost:3001'];
  @ToUrlList() @IsServiceUrls() ORDER_SERVICE_URL: readonly string[] = ['http://localhost:3002'];
  @ToUrlList() @IsServiceUrls() PAYMENT_SERVICE_URL: readonly string[] = ['http://localhost:3003'];
  /** Whole-exchange deadline for one upstream call (connect, headers and body). */
  @ToInt() @IsInt() @Min(1) @Max(600_000) UPSTREAM_TIMEOUT_MS = 5000;
  /** Sent to the services as `x-api-key`; required in production (the services demand it there). */
  @IsSecret({ requiredInProduction: true }) API_KEY?: string;
  @IsUrl(HTTP_URL) JAEGER_ENDPOINT = 'http://localhost:4318/v1/traces';

  /** Tokens required on /api/users*, /api/orders*, /api/payments*. Unset: on in production only. */
  @IsOptional() @ToBool() @IsBoolean({ message: 'AUTH_ENABLED must be true or false' }) AUTH_ENABLED?: boolean;
  /** HS256 key of the tokens; production refuses the default and anything under 32 characters. */
  @IsSecret({ requiredInProduction: true }) JWT_SECRET: string = DEV_JWT_SECRET;
  /** Access token lifetime: short, since refresh tokens keep a session going (see user-service's REFRESH_TOKEN_TTL). */
  @IsDuration('JWT_EXPIRATION') JWT_EXPIRATION = '15m';
  /** How long the gateway trusts a session check: the bound on how late a revocation bites. */
  @IsDuration('SESSION_CHECK_TTL') SESSION_CHECK_TTL = '4s';

  /** Requests per client IP per window on every route (probes aside). */
  @ToInt() @IsInt() @Min(1) THROTTLE_LIMIT = 100;
  @ToInt() @IsInt() @Min(1) THROTTLE_TTL_MS = 10_000;
  /** Tighter, per route, for login and register (password guessing, sign-up spam). */
  @ToInt() @IsInt() @Min(1) THROTTLE_AUTH_LIMIT = 5;
  @ToInt() @IsInt() @Min(1) THROTTLE_AUTH_TTL_MS = 60_000;
  /** Proxies in front of the gateway whose X-Forwarded-For is believed (for the client IP). */
  @ToInt() @IsInt() @Min(0) @Max(10) TRUST_PROXY = 0;
  /** On shutdown, how long the balancer's pooled connections may still bring requests (see drainKeepAliveOnClose). */
  @ToInt() @IsInt() @Min(0) @Max(60_000) HTTP_DRAIN_MS = 0;

  /** Browser origins allowed by CORS: `*` or a comma-separated list. Unset: `*` in development, none in production. */
  @IsOptional() @IsString() CORS_ORIGINS?: string;
}

export const validateEnv = envValidator(GatewayEnv, {});

/** AUTH_ENABLED, else on exactly when NODE_ENV=production. */
export const authEnabled = (env: Pick<GatewayEnv, 'AUTH_ENABLED' | 'NODE_ENV'>): boolean =>
  env.AUTH_ENABLED ?? env.NODE_ENV === 'production';

/** JWT_EXPIRATION in seconds ("3600", "15m", "1h", "7d"). */
export const expirationSeconds = (text: string): number => durationSeconds(text, 'JWT_EXPIRATION');

/** The CORS origins to allow: true = any, false = none (no CORS headers at all). */
export function corsOrigins(env: Pick<GatewayEnv, 'CORS_ORIGINS' | 'NODE_ENV'>): boolean | string[] {
  const raw = env.CORS_ORIGINS?.trim();
  if (raw === undefined || raw === '') return env.NODE_ENV !== 'production';
  if (raw === '*') return true;
  if (raw.toLowerCase() === 'none') return false;
  return raw.split(',').map((o) => o.trim()).filter(Boolean);
}
