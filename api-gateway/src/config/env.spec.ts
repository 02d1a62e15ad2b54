import { authEnabled, corsOrigins, DEV_JWT_SECRET, expirationSeconds, validateEnv } from './env';

describe('validateEnv', () => {
  it('works with no variables at all (the local stack\'s defaults)', () => {
    expect(validateEnv({})).toMatchObject({
      PORT: 3005,
      NODE_ENV: 'development',
      USER_SERVICE_URL: ['http://localhost:3001'],
      ORDER_SERVICE_URL: ['http://localhost:3002'],
      PAYMENT_SERVICE_URL: ['http://localhost:3003'],
      UPSTREAM_TIMEOUT_MS: 5000,
      API_KEY: undefined,
    });
  });

  it('reads numbers and URLs from their text', () => {
    const env = validateEnv({ PORT: '3905', UPSTREAM_TIMEOUT_MS: '250', USER_SERVICE_URL: 'http://users.internal:8080', API_KEY: 'k' });

    expect(env).toMatchObject({ PORT: 3905, UPSTREAM_TIMEOUT_MS: 250, USER_SERVICE_URL: ['http://users.internal:8080'], API_KEY: 'k' });
  });

  it('reads a service URL variable as a comma-separated list of instances, spaces around commas allowed', () => {
    const env = validateEnv({
      USER_SERVICE_URL: 'http://10.0.0.1:3001, http://10.0.0.2:3001 ,http://users-3:3001/v1',
      ORDER_SERVICE_URL: 'https://orders.internal',
    });

    expect(env.USER_SERVICE_URL).toEqual(['http://10.0.0.1:3001', 'http://10.0.0.2:3001', 'http://users-3:3001/v1']);
    expect(env.ORDER_SERVICE_URL).toEqual(['https://orders.internal']);
    expect(env.PAYMENT_SERVICE_URL).toEqual(['http://localhost:3003']);
  });

  it.each([
    ['USER_SERVICE_URL', 'http://a:3001,localhost:3011', 'USER_SERVICE_URL has "localhost:3011", which is not an http(s) URL'],
    ['ORDER_SERVICE_URL', 'http://a:3002,ftp://b:3002', 'ORDER_SERVICE_URL has "ftp://b:3002", which is not an http(s) URL'],
    ['PAYMENT_SERVICE_URL', 'http://a:3003,', 'PAYMENT_SERVICE_URL has an empty entry (a stray comma?)'],
    ['USER_SERVICE_URL', 'http://a:3001,,http://b:3001', 'USER_SERVICE_URL has an empty entry (a stray comma?)'],
    ['USER_SERVICE_URL', 'http://a:3001,http://b:3001,http://a:3001/', 'USER_SERVICE_URL lists http://a:3001 twice'],
    ['ORDER_SERVICE_URL', 'http://A:3002, http://a:3002', 'ORDER_SERVICE_URL lists http://a:3002 twice'],
  ])('stops on a bad list %s=%s, naming the variable and the entry', (name, value, message) => {
    expect(() => validateEnv({ [name]: value })).toThrow(`Invalid environment:\n  ${name}=${JSON.stringify(value.split(',').map((u) => u.trim()))}: ${message}`);
  });

  it('needs no KAFKA_* variable (the gateway does not use Kafka)', () => {
    expect(validateEnv({})).not.toHaveProperty('KAFKA_BROKER');
  });

  it.each([
    ['USER_SERVICE_URL', 'localhost:3001'],
    ['ORDER_SERVICE_URL', 'ftp://orders'],
    ['PAYMENT_SERVICE_URL', 'not a url'],
    ['UPSTREAM_TIMEOUT_MS', '5s'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'verbose'],
  ])('stops on a bad %s=%s, naming it', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`Invalid environment:\\n  ${name}=`));
  });
});

describe('security settings', () => {
  const STRONG = 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3g';
  const production = { NODE_ENV: 'production', JWT_SECRET: STRONG, API_KEY: `${STRONG}-api` };

  it('have working development defaults: auth off, CORS open, a development JWT secret, 15-minute access tokens, session checks every 4 s', () => {
    const env = validateEnv({});
    expect(authEnabled(env)).toBe(false);
    expect(corsOrigins(env)).toBe(true);
    expect(env).toMatchObject({ JWT_SECRET: DEV_JWT_SECRET, JWT_EXPIRATION: '15m', SESSION_CHECK_TTL: '4s', THROTTLE_LIMIT: 100, THROTTLE_AUTH_LIMIT: 5 });
  });

  it('in production: auth on and CORS closed unless said otherwise', () => {
    const env = validateEnv(production);
    expect(authEnabled(env)).toBe(true);
    expect(corsOrigins(env)).toBe(false);
    expect(authEnabled(validateEnv({ ...production, AUTH_ENABLED: 'false' }))).toBe(false);
    expect(corsOrigins(validateEnv({ ...production, CORS_ORIGINS: 'https://a.example,https://b.example' }))).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it.each([
    [{ JWT_SECRET: undefined }, /JWT_SECRET=\(hidden\): JWT_SECRET is a default\/placeholder value/],
    [{ JWT_SECRET: 'short-secret' }, /JWT_SECRET=\(hidden\): JWT_SECRET must be at least 32 characters in production/],
    [{ API_KEY: undefined }, /API_KEY=\(hidden\): API_KEY must be set in production/],
    [{ API_KEY: 'changeme-changeme-changeme-changeme' }, /API_KEY=\(hidden\): API_KEY is a default\/placeholder value/],
  ])('production refuses to start with %p, naming the variable', (override, message) => {
    const env: Record<string, unknown> = { ...production, ...override };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    expect(() => validateEnv(env)).toThrow(message);
  });

  it('development takes any secret (the checks are for production)', () => {
    expect(() => validateEnv({ JWT_SECRET: 'dev', API_KEY: 'k' })).not.toThrow();
  });

  it.each([
    ['AUTH_ENABLED', 'maybe'],
    ['JWT_EXPIRATION', '1 hour'],
    ['JWT_EXPIRATION', '-5m'],
    ['THROTTLE_LIMIT', '0'],
    ['THROTTLE_AUTH_TTL_MS', 'soon'],
    ['TRUST_PROXY', '99'],
  ])('stops on a bad %s=%s', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
  ])('reads JWT_EXPIRATION=%s as %i seconds', (text, seconds) => {
    expect(expirationSeconds(text)).toBe(seconds);
  });

  it.each([
    ['*', true],
    ['none', false],
  ])('CORS_ORIGINS=%s', (value, expected) => {
    expect(corsOrigins({ CORS_ORIGINS: value, NODE_ENV: 'production' })).toBe(expected);
  });
});
