// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';
import { IsDurationAtLeast } from './duration';
import { IsSecret } from './secrets';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Numbers arrive as strings from the environment; anything that is not an integer stays invalid. */
export const ToInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));

/** Variables every app reads. Each app extends it; every default works with `npm start`. */
export class BaseEnv {
  @IsIn(NODE_ENVS) NODE_ENV: (typeof NODE_ENVS)[number] = 'development';
  @ToInt() @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  /** Comma-separated host:port list. */
  @Matches(/^[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*$/, { message: 'KAFKA_BROKER must be host:port[,host:port...]' })
  KAFKA_BROKER = 'localhost:9094';
  @IsString() KAFKA_CLIENT_ID!: string;
  @IsString() KAFKA_CONSUMER_GROUP!: string;
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) JAEGER_ENDPOINT = 'http://localhost:4318/v1/traces';
  /**
   * Shared with the gateway: HTTP requests without it in X-API-Key are refused (401), probes aside.
   * Optional in development; required in production (32+ characters, no placeholder).
   */
  @IsSecret({ requiredInProduction: true }) API_KEY?: string;
  /** On shutdown, how long pooled keep-alive connections may still bring requests (see drainKeepAliveOnClose). */
  @ToInt() @IsInt() @Min(0) @Max(60_000) HTTP_DRAIN_MS = 0;
}

/** Postgres settings of the apps that own a database. */
export class DatabaseEnv extends BaseEnv {
  @IsString() DB_HOST = 'localhost';
  @ToInt() @IsInt() @Min(1) @Max(65535) DB_PORT!: number;
  @IsString() DB_USERNAME = 'postgres';
  @IsString() DB_PASSWORD = 'postgres';
  @IsString() DB_DATABASE!: string;
  @ToInt() @IsInt() @Min(1) @Max(100) DB_POOL_SIZE = 10;
  /** 'false' keeps events in the outbox (tests that watch the outbox fill up). */
  @IsIn(['true', 'false']) OUTBOX_RELAY_ENABLED: 'true' | 'false' = 'true';
  /** How long an Idempotency-Key and its answer are kept: at least the 24 h the API promises. */
  @IsDurationAtLeast('IDEMPOTENCY_KEY_RETENTION', 86_400, '24h') IDEMPOTENCY_KEY_RETENTION = '24h';
}

/**
 * Builds a ConfigModule `validate` function: defaults first, then the environment, then
 * class-validator. A bad value stops the app with a message naming each failing variable.
 */
export function envValidator<T extends object>(schema: new () => T, defaults: Partial<T>) {
  return (raw: Record<string, unknown>): T => {
    const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
    const merged = Object.assign(new schema(), defaults);
    const env = plainToInstance(schema, { ...merged, ...present });
    const errors = validateSync(env, { whitelist: false, skipMissingProperties: false });
    if (errors.length > 0) {
      const lines = errors.map((e) => {
        const shown = e.property.includes('PASSWORD') || e.property.includes('SECRET') || e.property.includes('KEY')
          ? '(hidden)'
          : JSON.stringify(e.value);
        return `  ${e.property}=${shown}: ${Object.values(e.constraints ?? {}).join(', ')}`;
      });
      throw new Error(`Invalid environment:\n${lines.join('\n')}`);
    }
    return env;
  };
}
