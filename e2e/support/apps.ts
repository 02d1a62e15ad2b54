/** The apps under test and where `npm test` runs them (env set by scripts/test.mjs). */
export interface AppUnderTest {
  name: string;
  url: string;
}

const URL_VARS: Record<string, string> = {
  gateway: 'GATEWAY_URL',
  users: 'USER_SERVICE_URL',
  orders: 'ORDER_SERVICE_URL',
  payments: 'PAYMENT_SERVICE_URL',
};

/**
 * The apps this run covers: E2E_APPS (comma-separated names, set by `npm test` to the apps it
 * started) or all four; each must have its URL variable.
 */
export function appsUnderTest(): AppUnderTest[] {
  const names = (process.env.E2E_APPS ?? Object.keys(URL_VARS).join(',')).split(',').filter(Boolean);
  return names.map((name) => {
    const variable = URL_VARS[name];
    if (!variable) throw new Error(`E2E_APPS names an unknown app "${name}"`);
    const url = process.env[variable];
    if (!url) throw new Error(`${variable} is not set: run the flow tests through \`npm test\` (or set it)`);
    return { name, url: url.replace(/\/$/, '') };
  });
}

/** The test stack's databases, as scripts/test.mjs names their variables (TEST_DB_PORT_<db>, TEST_DB_NAME_<db>). */
export type TestStackDb = 'USERS' | 'ORDERS' | 'PAYMENTS';

/**
 * The environment of an app a test runs as a developer runs it (`npm run start:dev`, `npm start`
 * in its folder): a user's PATH and HOME, the test stack `npm test` started, no tracing.
 */
export function testStackEnv(opts: { port?: number; db?: TestStackDb } = {}): NodeJS.ProcessEnv {
  const e = process.env;
  return {
    PATH: e.PATH,
    HOME: e.HOME,
    NODE_ENV: 'test',
    OTEL_SDK_DISABLED: 'true',
    ...(opts.port === undefined ? {} : { PORT: String(opts.port) }),
    API_KEY: e.API_KEY,
    KAFKA_BROKER: e.KAFKA_BROKER,
    ...(opts.db
      ? {
          DB_HOST: e.DB_HOST,
          DB_PORT: e[`TEST_DB_PORT_${opts.db}`],
          DB_USERNAME: e.DB_USERNAME,
          DB_PASSWORD: e.DB_PASSWORD,
          DB_DATABASE: e[`TEST_DB_NAME_${opts.db}`],
        }
      : {}),
  };
}
