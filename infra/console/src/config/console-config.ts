/** The console's settings, read once from the environment and checked before anything starts. */
export interface ConsoleConfig {
  readonly port: number;
  readonly nodeEnv: string;
  readonly kafka: { readonly brokers: string; readonly clientId: string };
  /** Admin token required on pages and API (AUTH_ENABLED; default on in production only). */
  readonly authEnabled: boolean;
  readonly jwtSecret: string;
  /** Base URL of Jaeger's UI for trace links, or null. */
  readonly jaegerUiUrl: string | null;
  /** Newest messages kept per partition in memory: a dev console, not an archive. */
  readonly maxMessagesPerPartition: number;
}

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');

/** The gateway's development secret: same default, so dev tokens from the gateway work here. */
export const DEV_JWT_SECRET = 'nest-ms-development-jwt-secret-not-for-production';

export class ConfigError extends Error {}

/** Throws a ConfigError naming the variable at the first bad value. */
export function loadConsoleConfig(env: NodeJS.ProcessEnv): ConsoleConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const authEnabled = bool(env, 'AUTH_ENABLED', production);
  const jwtSecret = env.JWT_SECRET ?? DEV_JWT_SECRET;
  if (production && env.EVENT_CONSOLE !== 'true') {
    throw new ConfigError('NODE_ENV=production: the event console runs in production only when asked for (EVENT_CONSOLE=true)');
  }
  if (production && !authEnabled) throw new ConfigError('AUTH_ENABLED=false is refused in production: the console can redrive messages');
  if (authEnabled && (jwtSecret === DEV_JWT_SECRET || jwtSecret.length < 32) && production) {
    throw new ConfigError(`JWT_SECRET must be set to the gateway's secret (32+ characters) in production: the console verifies the tokens the gateway signs`);
  }
  const brokers = env.KAFKA_BROKER ?? 'localhost:9094';
  if (!brokers.split(',').every((b) => /^[\w.-]+:\d{1,5}$/.test(b))) {
    throw new ConfigError(`KAFKA_BROKER=${brokers}: expected host:port[,host:port...]`);
  }
  const jaeger = env.JAEGER_UI_URL?.trim() || null;
  if (jaeger !== null && !/^https?:\/\/\S+$/.test(jaeger)) throw new ConfigError(`JAEGER_UI_URL=${jaeger}: expected an http(s) URL`);
  return {
    port: int(env, 'PORT', 9000, 1, 65535),
    nodeEnv,
    kafka: { brokers, clientId: env.KAFKA_CLIENT_ID ?? 'event-console' },
    authEnabled,
    jwtSecret,
    jaegerUiUrl: jaeger?.replace(/\/$/, '') ?? null,
    maxMessagesPerPartition: int(env, 'CONSOLE_MAX_MESSAGES_PER_PARTITION', 10000, 10, 1000000),
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name}=${text}: expected an integer ${min}-${max}`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new ConfigError(`${name}=${text}: expected true or false`);
}
