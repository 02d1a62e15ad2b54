import { IsIn, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { DatabaseEnv, envValidator } from './env';
import { IsSecret, MIN_SECRET_LENGTH, productionSecretProblem } from './secrets';

const STRONG = 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3g';

describe('productionSecretProblem', () => {
  it('accepts a random 32-character value', () => {
    expect(STRONG).toHaveLength(MIN_SECRET_LENGTH);
    expect(productionSecretProblem(STRONG, true)).toBeNull();
  });

  it.each([
    ['missing', undefined, /must be set/],
    ['empty', '', /must be set/],
    ['short', 'k3J9x2Qp7LmZ4vB8nR1tY6wE5sA0dF3', /at least 32/],
    ['the development default', 'nest-ms-development-jwt-secret-not-for-production', /placeholder/],
    ['a changeme placeholder', 'please-changeme-please-changeme-please', /placeholder/],
    ['the usual example', 'your-secret-key-that-is-long-enough-really', /placeholder/],
  ])('refuses %s', (_case, value, problem) => {
    expect(productionSecretProblem(value, true)).toMatch(problem);
  });

  it('lets an optional secret be absent', () => {
    expect(productionSecretProblem(undefined, false)).toBeNull();
  });
});

class SecretEnv {
  @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';
  @IsSecret({ requiredInProduction: true }) API_KEY?: string;
}

const problems = (env: Partial<SecretEnv>) =>
  validateSync(plainToInstance(SecretEnv, env)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('@IsSecret', () => {
  it('lets development run without a key or with any key', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ API_KEY: 'dev' })).toEqual([]);
  });

  it('requires a strong key in production and names the variable', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual(['API_KEY must be set in production']);
    expect(problems({ NODE_ENV: 'production', API_KEY: 'short' })).toEqual(['API_KEY must be at least 32 characters in production']);
    expect(problems({ NODE_ENV: 'production', API_KEY: STRONG })).toEqual([]);
  });
});

describe('a service environment in production', () => {
  const validate = envValidator(DatabaseEnv, { PORT: 3001, DB_PORT: 5432, DB_DATABASE: 'userdb', KAFKA_CLIENT_ID: 'u', KAFKA_CONSUMER_GROUP: 'g' });

  it('refuses to start without API_KEY, naming it and never printing the value', () => {
    expect(() => validate({ NODE_ENV: 'production' })).toThrow(/API_KEY=\(hidden\): API_KEY must be set in production/);
    expect(() => validate({ NODE_ENV: 'production', API_KEY: 'tiny-key' })).toThrow(/API_KEY=\(hidden\)/);
    expect(() => validate({ NODE_ENV: 'production', API_KEY: 'tiny-key' })).not.toThrow(/tiny-key/);
  });

  it('starts with a strong key', () => {
    expect(validate({ NODE_ENV: 'production', API_KEY: STRONG })).toMatchObject({ API_KEY: STRONG });
  });
});
