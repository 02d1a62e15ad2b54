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
