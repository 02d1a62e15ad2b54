import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../support/repo';
import { runSchemathesis, schemathesis } from '../support/schemathesis';
import { SpawnedApp, spawnApp } from '../support/spawned-app';
import { GATEWAY, uniqueEmail } from './gateway';

jest.setTimeout(20 * 60_000);

/**
 * The OpenAPI documents, taken at their word by Schemathesis (`st run … --checks all`): requests
 * the document allows must be served (no 5xx, no answer the document does not list, nothing it
 * forbids accepted), in each mode the apps run in. One test per run, failed when the run fails.
 */
const SERVICES = {
  'user-service': process.env.USER_SERVICE_URL || 'http://localhost:4001',
  'order-service': process.env.ORDER_SERVICE_URL || 'http://localhost:4002',
  'payment-service': process.env.PAYMENT_SERVICE_URL || 'http://localhost:4003',
};
const API_KEY = process.env.API_KEY ?? '';
const PASSWORD = 'SecurePass123!';
const reportDir = (name: string) => {
  const dir = join(process.env.E2E_LOG_DIR ?? repoPath('.logs', 'test'), 'schemathesis', name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function expectClean(name: string, document: string, headers: Record<string, string>): void {
  const run = runSchemathesis(document, headers, { reportDir: reportDir(name) });
  if (run.code !== 0) {
    // The summary names each failing operation and check, with a curl line to reproduce it.
    throw new Error(`Schemathesis found problems in ${document} (${name}):\n${run.output.slice(-20000)}`);
  }
  expect(run.output).toMatch(/No issues found|passed/);
  // The size of the run, for the record (`npm test` prints it with the suite's output).
  console.log(`${name}: ${run.output.match(/\d+ generated[^\n]*/)?.[0] ?? 'no summary'}`);
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(() => {
  if (!API_KEY) throw new Error('API_KEY is not set: run through `npm test`, which starts the services with it');
  schemathesis();
});

describe('OpenAPI contracts (Schemathesis, --checks all)', () => {
  it('gateway, auth off: /api/docs-json', () => expectClean('gateway-auth-off', `${GATEWAY}/api/docs-json`, {}));

  it.each(Object.entries(SERVICES))('%s: /docs-json with the API key', (name, url) =>
    expectClean(name, `${url}/docs-json`, { 'X-API-Key': API_KEY }),
  );

  describe('gateway, auth on', () => {
    let gw: SpawnedApp;
    const tokens = { admin: '', user: '' };

    beforeAll(async () => {
      gw = await spawnApp('api-gateway', {
        AUTH_ENABLED: 'true',
        JWT_SECRET: `contract-jwt-secret-${Date.now()}-0123456789abcdef`,
        JWT_EXPIRATION: '1h',
        API_KEY,
        USER_SERVICE_URL: SERVICES['user-service'],
        ORDER_SERVICE_URL: SERVICES['order-service'],
        PAYMENT_SERVICE_URL: SERVICES['payment-service'],
        // The run is one client sending thousands of requests: limits that high, still on.
        THROTTLE_LIMIT: '1000000',
        THROTTLE_AUTH_LIMIT: '1000000',
      }, 30000);
      const adminEmail = uniqueEmail('contract-admin');
      await post(`${SERVICES['user-service']}/users`, { email: adminEmail, name: 'Contract admin', password: PASSWORD, role: 'admin' }, { 'x-api-key': API_KEY });
      tokens.admin = (await post(`${gw.url}/api/auth/login`, { email: adminEmail, password: PASSWORD })).accessToken;
      tokens.user = (await post(`${gw.url}/api/auth/register`, { email: uniqueEmail('contract-user'), name: 'Contract user', password: PASSWORD })).accessToken;
    });
    afterAll(async () => gw?.stop());

    it('with an admin\'s token', () => expectClean('gateway-auth-on-admin', `${gw.url}/api/docs-json`, { Authorization: `Bearer ${tokens.admin}` }));
    it('with a user\'s token', () => expectClean('gateway-auth-on-user', `${gw.url}/api/docs-json`, { Authorization: `Bearer ${tokens.user}` }));
  });
});
