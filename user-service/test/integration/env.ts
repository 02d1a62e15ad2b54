// Runs before each test file, before AppModule is imported: ConfigModule reads process.env at import time.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'warn';
process.env.OTEL_SDK_DISABLED = 'true';
process.env.DB_PORT = process.env.TEST_DB_PORT_USERS ?? '5434';
process.env.DB_DATABASE = process.env.TEST_DB_NAME_USERS ?? 'userdb_test';
if (!process.env.DB_DATABASE.includes('test')) throw new Error('integration tests only run against a *test* database');
process.env.KAFKA_BROKER = process.env.KAFKA_BROKER ?? 'localhost:9086';
jest.setTimeout(60000);
