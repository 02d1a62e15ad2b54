import { validateEnv } from './env';

describe('validateEnv', () => {
  it('works with no variables at all (the local stack\'s defaults)', () => {
    expect(validateEnv({})).toMatchObject({
      PORT: 3005,
      NODE_ENV: 'development',
      USER_SERVICE_URL: 'http://localhost:3001',
      ORDER_SERVICE_URL: 'http://localhost:3002',
      PAYMENT_SERVICE_URL: 'http://localhost:3003',
      UPSTREAM_TIMEOUT_MS: 5000,
      API_KEY: undefined,
    });
  });

  it('reads numbers and URLs from their text', () => {
    const env = validateEnv({ PORT: '3905', UPSTREAM_TIMEOUT_MS: '250', USER_SERVICE_URL: 'http://users.internal:8080', API_KEY: 'k' });

    expect(env).toMatchObject({ PORT: 3905, UPSTREAM_TIMEOUT_MS: 250, USER_SERVICE_URL: 'http://users.internal:8080', API_KEY: 'k' });
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
