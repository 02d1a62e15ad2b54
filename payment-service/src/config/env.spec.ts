import { validateEnv } from './env';

describe('payment-service environment', () => {
  it('starts with no variables set: payments always succeed, at once', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 3003,
      DB_PORT: 5436,
      DB_DATABASE: 'paymentdb',
      KAFKA_CLIENT_ID: 'payment-service',
      KAFKA_CONSUMER_GROUP: 'payment-service-group',
      PAYMENT_FAILURE_RATE: 0,
      PAYMENT_DELAY_MS: 0,
    });
  });

  it('reads the simulation settings as numbers', () => {
    const env = validateEnv({ PAYMENT_FAILURE_RATE: '0.25', PAYMENT_DELAY_MS: '1500' });
    expect(env.PAYMENT_FAILURE_RATE).toBe(0.25);
    expect(env.PAYMENT_DELAY_MS).toBe(1500);
  });

  it('accepts the bounds: rate 0 and 1, delay 0 and 10 minutes', () => {
    expect(validateEnv({ PAYMENT_FAILURE_RATE: '1', PAYMENT_DELAY_MS: '600000' })).toMatchObject({
      PAYMENT_FAILURE_RATE: 1,
      PAYMENT_DELAY_MS: 600000,
    });
    expect(validateEnv({ PAYMENT_FAILURE_RATE: '0', PAYMENT_DELAY_MS: '0' }).PAYMENT_FAILURE_RATE).toBe(0);
  });

  it.each(['2', '-0.1', '1.01', 'abc', '50%', '0,5', 'NaN', 'Infinity'])(
    'refuses PAYMENT_FAILURE_RATE=%s, naming the variable',
    (value) => {
      expect(() => validateEnv({ PAYMENT_FAILURE_RATE: value })).toThrow(/PAYMENT_FAILURE_RATE=/);
    },
  );

  it.each(['-1', '600001', '1.5', 'soon', '1e3'])('refuses PAYMENT_DELAY_MS=%s, naming the variable', (value) => {
    expect(() => validateEnv({ PAYMENT_DELAY_MS: value })).toThrow(/PAYMENT_DELAY_MS=/);
  });

  it('names only the bad variable', () => {
    let message = '';
    try {
      validateEnv({ PAYMENT_FAILURE_RATE: '2', PAYMENT_DELAY_MS: '100' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/PAYMENT_FAILURE_RATE="?2"?: .*must not be greater than 1/);
    expect(message).not.toContain('PAYMENT_DELAY_MS');
  });

  it('reads the refund simulation with defaults: refunds succeed at once, 3 attempts, 200 ms backoff', () => {
    expect(validateEnv({})).toMatchObject({ REFUND_FAILURE_RATE: 0, REFUND_DELAY_MS: 0, REFUND_MAX_ATTEMPTS: 3, REFUND_RETRY_DELAY_MS: 200 });
    expect(validateEnv({ REFUND_FAILURE_RATE: '1', REFUND_DELAY_MS: '250', REFUND_MAX_ATTEMPTS: '5' })).toMatchObject({
      REFUND_FAILURE_RATE: 1,
      REFUND_DELAY_MS: 250,
      REFUND_MAX_ATTEMPTS: 5,
    });
  });

  it.each([
    ['REFUND_FAILURE_RATE', '1.5'],
    ['REFUND_FAILURE_RATE', 'often'],
    ['REFUND_DELAY_MS', '-1'],
    ['REFUND_MAX_ATTEMPTS', '0'],
    ['REFUND_MAX_ATTEMPTS', '21'],
    ['REFUND_RETRY_DELAY_MS', '60001'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });
});
