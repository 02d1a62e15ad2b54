import { existsSync, readFileSync } from 'node:fs';

/**
 * Each service describes the Kafka channels it uses at /docs/asyncapi.json (AsyncAPI 3.0, generated
 * from shared/events; validated by the official parser in shared/events/asyncapi.spec.ts), behind
 * the API key like its OpenAPI document.
 */
const API_KEY = process.env.API_KEY ?? '';
const SERVICES: Array<[string, string, string[], string[]]> = [
  ['user-service', process.env.USER_SERVICE_URL || 'http://localhost:4001', ['publishUserCreated', 'publishUserDeleted'], []],
  ['order-service', process.env.ORDER_SERVICE_URL || 'http://localhost:4002', ['publishOrderCreated', 'consumeUserCreated', 'consumePaymentCompleted', 'consumePaymentFailed'], ['order.created', 'user.created.dlq']],
  ['payment-service', process.env.PAYMENT_SERVICE_URL || 'http://localhost:4003', ['consumeOrderCreated', 'publishPaymentCompleted', 'publishPaymentFailed'], ['order.created.dlq', 'payment.failed']],
];

describe.each(SERVICES)('%s: /docs/asyncapi.json', (_name, url, operations, addresses) => {
  it('describes the channels it publishes and consumes, with the key', async () => {
    const res = await fetch(`${url}/docs/asyncapi.json`, { headers: { 'x-api-key': API_KEY } });
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.keys(doc.operations)).toEqual(expect.arrayContaining(operations));
    expect(Object.values(doc.channels).map((c: any) => c.address)).toEqual(expect.arrayContaining(addresses));
  });

  it('is refused without the key', async () => {
    expect((await fetch(`${url}/docs/asyncapi.json`)).status).toBe(401);
  });
});

describe('start-up of the apps', () => {
  it('has no warning about legacy route syntax (routes use Express 5 paths such as {*path})', () => {
    const dir = process.env.E2E_LOG_DIR;
    if (!dir) throw new Error('E2E_LOG_DIR is not set: run through `npm test`, which keeps the apps\' logs there');
    for (const app of ['gateway', 'users', 'orders', 'payments']) {
      const log = `${dir}/${app}.log`;
      expect(existsSync(log)).toBe(true);
      expect(readFileSync(log, 'utf8')).not.toContain('LegacyRouteConverter');
    }
  });
});
