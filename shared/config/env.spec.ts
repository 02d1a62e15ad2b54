import { kafkaClientConfig } from '../kafka/kafka-client';
import { DatabaseEnv, envValidator } from './env';

const validate = envValidator(DatabaseEnv, {
  PORT: 3001,
  DB_PORT: 5432,
  DB_DATABASE: 'userdb',
  KAFKA_CLIENT_ID: 'user-service',
  KAFKA_CONSUMER_GROUP: 'user-service-group',
});

describe('envValidator', () => {
  it('fills every default so a bare environment works', () => {
    const env = validate({});
    expect(env).toMatchObject({ PORT: 3001, DB_HOST: 'localhost', DB_PORT: 5432, KAFKA_BROKER: 'localhost:9094', NODE_ENV: 'development' });
  });

  it('turns numeric strings into numbers', () => {
    expect(validate({ PORT: '4001', DB_PORT: '5434' })).toMatchObject({ PORT: 4001, DB_PORT: 5434 });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DB_PORT', '5.5'],
    ['NODE_ENV', 'staging'],
    ['KAFKA_BROKER', 'localhost'],
    ['LOG_LEVEL', 'loud'],
    ['JAEGER_ENDPOINT', 'not a url'],
    ['IDEMPOTENCY_KEY_RETENTION', '23h'],
    ['IDEMPOTENCY_KEY_RETENTION', '1 day'],
  ])('stops with a message naming %s=%s', (name, value) => {
    expect(() => validate({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('takes KAFKA_BROKER as a list of brokers (the cluster profile names all three)', () => {
    const env = validate({ KAFKA_BROKER: 'localhost:9094,localhost:9095,kafka-3.internal:9096' });

    expect(kafkaClientConfig(env, 'producer').brokers).toEqual(['localhost:9094', 'localhost:9095', 'kafka-3.internal:9096']);
  });

  it.each(['localhost:9094, localhost:9095', 'localhost:9094,', ',localhost:9094', 'localhost:9094,localhost'])(
    'refuses the broker list %j, naming KAFKA_BROKER',
    (value) => {
      expect(() => validate({ KAFKA_BROKER: value })).toThrow(/KAFKA_BROKER=/);
    },
  );

  it('keeps idempotency keys 24h unless told longer', () => {
    expect(validate({}).IDEMPOTENCY_KEY_RETENTION).toBe('24h');
    expect(validate({ IDEMPOTENCY_KEY_RETENTION: '7d' }).IDEMPOTENCY_KEY_RETENTION).toBe('7d');
    expect(validate({ IDEMPOTENCY_KEY_RETENTION: '86400' }).IDEMPOTENCY_KEY_RETENTION).toBe('86400');
  });

  it('never prints a password it refuses', () => {
    expect(() => validate({ DB_PASSWORD: 42 as unknown as string })).toThrow(/DB_PASSWORD=\(hidden\)/);
  });
});
