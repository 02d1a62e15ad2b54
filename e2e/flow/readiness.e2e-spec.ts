import { appsUnderTest } from '../support/apps';
import { SpawnedApp, spawnApp } from '../support/spawned-app';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from './kafka-watch';

// Two extra apps start here (a few seconds each, more on a busy machine).
jest.setTimeout(180000);

const apps = appsUnderTest();
const urlOf = (name: string) => apps.find((a) => a.name === name)?.url;

interface Ready {
  status: number;
  body: { status?: string; info?: Record<string, Record<string, unknown>>; error?: Record<string, Record<string, unknown>>; details?: Record<string, Record<string, unknown>> };
}

async function ready(url: string): Promise<Ready> {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as Ready['body'] };
}

describe.each([['orders'], ['payments']].filter(([name]) => urlOf(name)))('%s readiness', (name) => {
  it('includes its Kafka consumer, a member of its group with partitions assigned', async () => {
    const res = await ready(urlOf(name)!);
    expect(res.status).toBe(200);
    expect(res.body.details?.consumer).toEqual({ status: 'up', group: expect.any(String), partitions: expect.any(Number) });
    expect(Number(res.body.details?.consumer.partitions)).toBeGreaterThan(0);
  });
});

const canRun = Boolean(urlOf('orders') && urlOf('payments') && process.env.TEST_DB_PORT_USERS && process.env.TEST_DB_NAME_USERS);
(canRun ? describe : describe.skip)('a dependency going away and coming back (user-service, its PostgreSQL behind a cuttable proxy)', () => {
  let proxy: TcpProxy;
  let users: SpawnedApp | undefined;
  let gateway: SpawnedApp | undefined;

  beforeAll(async () => {
    proxy = await new TcpProxy(process.env.DB_HOST ?? 'localhost', Number(process.env.TEST_DB_PORT_USERS)).start();
    users = await spawnApp('user-service', {
      DB_HOST: '127.0.0.1',
      DB_PORT: String(proxy.port),
      DB_USERNAME: process.env.DB_USERNAME ?? 'postgres',
      DB_PASSWORD: process.env.DB_PASSWORD ?? 'postgres',
      DB_DATABASE: process.env.TEST_DB_NAME_USERS!,
      KAFKA_BROKER: process.env.KAFKA_BROKER ?? 'localhost:9086',
      KAFKA_CLIENT_ID: 'e2e-readiness-users',
      // The test database's outbox belongs to the user-service under test.
      OUTBOX_RELAY_ENABLED: 'false',
      LOG_LEVEL: 'warn',
    });
    // A gateway whose user-service is that one; order- and payment-service are the ones under test.
    gateway = await spawnApp('api-gateway', {
      USER_SERVICE_URL: users.url,
      ORDER_SERVICE_URL: urlOf('orders')!,
      PAYMENT_SERVICE_URL: urlOf('payments')!,
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await users?.stop();
    await proxy?.cut();
  });

  it('is ready while everything answers; the gateway reports each service behind it', async () => {
    expect(await ready(users!.url)).toMatchObject({ status: 200, body: { details: { database: { status: 'up' }, kafka: { status: 'up' } } } });
    const gw = await ready(gateway!.url);
    expect(gw.status).toBe(200);
    expect(Object.fromEntries(Object.entries(gw.body.details ?? {}).map(([k, v]) => [k, v.status]))).toEqual({
      'user-service': 'up',
      'order-service': 'up',
      'payment-service': 'up',
    });
  });

  it('answers 503 naming the database when it is gone, and the gateway 503 naming user-service (and why)', async () => {
    await proxy.cut();
    const down = await eventually(() => ready(users!.url), (r) => r.status === 503, 30000);
    expect(down.status).toBe(503);
    expect(down.body.error).toEqual({ database: expect.objectContaining({ status: 'down' }) });
    expect(down.body.details?.kafka).toEqual({ status: 'up' });

    const gw = await eventually(() => ready(gateway!.url), (r) => r.status === 503, 30000);
    expect(gw.status).toBe(503);
    expect(Object.keys(gw.body.error ?? {})).toEqual(['user-service']);
    expect(JSON.stringify(gw.body.error?.['user-service'])).toContain('database');
    expect(gw.body.details?.['order-service']).toEqual({ status: 'up', instances: { [urlOf('orders')!.replace(/\/+$/, '')]: { status: 'up' } } });
    expect(gw.body.details?.['payment-service']).toEqual({ status: 'up', instances: { [urlOf('payments')!.replace(/\/+$/, '')]: { status: 'up' } } });
  });

  it('is ready again, and so is the gateway, once the database is back', async () => {
    await proxy.restore();
    const back = await eventually(() => ready(users!.url), (r) => r.status === 200, 60000);
    expect(back.status).toBe(200);
    const gw = await eventually(() => ready(gateway!.url), (r) => r.status === 200, 30000);
    expect(gw.status).toBe(200);
  });
});
