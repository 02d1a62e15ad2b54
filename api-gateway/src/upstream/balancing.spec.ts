import { Logger } from '@nestjs/common';
import { closedPortUrl, FakeUpstream } from '../../test/support/fake-upstream';
import { UpstreamClient } from './upstream-client';
import { UpstreamTimeoutError, UpstreamUnavailableError } from './upstream.errors';
import { upstreamErrors, upstreamHealthyInstances } from './upstream.metrics';

const REQUEST_ID = 'req-balancing';
const USER = { id: '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b' };

/** Calls the test makes on user-service, e.g. a GET of /users. */
const get = (sut: UpstreamClient) => sut.forward('user-service', { method: 'GET', path: '/users', requestId: REQUEST_ID });
const post = (sut: UpstreamClient, idempotencyKey?: string) =>
  sut.forward('user-service', { method: 'POST', path: '/users', body: { name: 'Ada' }, requestId: REQUEST_ID, idempotencyKey });

async function errorCount(instance: string, error: string, retried: boolean): Promise<number> {
  const { values } = await upstreamErrors.get();
  const labels = { upstream: 'user-service', upstream_instance: instance, error, retried: String(retried) };
  return values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want))?.value ?? 0;
}

async function healthyUserServiceInstances(): Promise<number | undefined> {
  return (await upstreamHealthyInstances.get()).values.find((v) => v.labels.upstream === 'user-service')?.value;
}

/** Repeats `check` every 50 ms until it holds; fails after `withinMs` (a bound, not a speed target). */
async function eventually(check: () => Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('UpstreamClient over several instances of a service', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let nowhere: string;
  let elsewhere: string;
  let sut: UpstreamClient;

  const clientFor = (userServiceUrls: string[], timeoutMs = 1000): UpstreamClient =>
    new UpstreamClient({
      baseUrls: { 'user-service': userServiceUrls, 'order-service': [a.url], 'payment-service': [a.url] },
      timeoutMs,
    });

  beforeAll(async () => {
    Logger.overrideLogger(false); // instances going down and up is what these tests do; no need to read it
    [a, b] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
    [nowhere, elsewhere] = await Promise.all([closedPortUrl(), closedPortUrl()]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  beforeEach(() => {
    a.received.length = 0;
    b.received.length = 0;
    a.ready = b.ready = true;
    a.answer(() => ({ status: 200, json: [USER] }));
    b.answer(() => ({ status: 200, json: [USER] }));
  });
  afterEach(() => sut?.onApplicationShutdown());

  it('spreads requests over the instances, in turn', async () => {
    sut = clientFor([a.url, b.url]);

    for (let i = 0; i < 10; i++) await get(sut);

    expect(a.received).toHaveLength(5);
    expect(b.received).toHaveLength(5);
  });

  it('spreads concurrent requests too, each instance its share', async () => {
    a.answer(() => ({ status: 200, json: [USER], delayMs: 20 }));
    b.answer(() => ({ status: 200, json: [USER], delayMs: 20 }));
    sut = clientFor([a.url, b.url]);

    await Promise.all(Array.from({ length: 20 }, () => get(sut)));

    expect(a.received).toHaveLength(10);
    expect(b.received).toHaveLength(10);
  });

  it('retries a GET that could not connect once on another instance (the client sees 200), then skips the dead one', async () => {
    sut = clientFor([nowhere, b.url]);
    const retriedBefore = await errorCount(nowhere, 'connect_failed', true);

    const first = await get(sut);
    const later = await Promise.all([get(sut), get(sut), get(sut), get(sut)]);

    expect(first).toMatchObject({ status: 200, body: [USER] });
    expect(later.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(b.received).toHaveLength(5);
    // Taken out at its first refusal: the later requests never tried it.
    expect((await errorCount(nowhere, 'connect_failed', true)) - retriedBefore).toBe(1);
    expect(await healthyUserServiceInstances()).toBe(1);
  });

  it('spreads evenly over the instances left when one is out', async () => {
    sut = clientFor([nowhere, a.url, b.url]);
    await get(sut); // finds the first one refusing, and takes it out
    a.received.length = b.received.length = 0;

    for (let i = 0; i < 10; i++) await get(sut);

    expect([a.received.length, b.received.length]).toEqual([5, 5]);
  });

  it('sends a POST without an Idempotency-Key that could not connect to another instance (nothing was sent), once', async () => {
    b.answer(() => ({ status: 201, json: USER }));
    sut = clientFor([nowhere, b.url]);
    const retriedBefore = await errorCount(nowhere, 'connect_failed', true);

    const reply = await post(sut);

    expect(reply).toMatchObject({ status: 201, body: USER });
    expect(b.received).toHaveLength(1);
    expect(JSON.parse(b.last.body)).toEqual({ name: 'Ada' });
    expect((await errorCount(nowhere, 'connect_failed', true)) - retriedBefore).toBe(1);
  });

  it('retries a POST with an Idempotency-Key on another instance, forwarding the key and passing the replay header back', async () => {
    b.answer(() => ({ status: 201, json: USER, headers: { 'Idempotent-Replayed': 'true' } }));
    sut = clientFor([nowhere, b.url]);

    const reply = await post(sut, 'key-42');

    expect(reply).toMatchObject({ status: 201, body: USER, replayed: true });
    expect(b.received).toHaveLength(1);
    expect(b.last.headers['idempotency-key']).toBe('key-42');
    expect(JSON.parse(b.last.body)).toEqual({ name: 'Ada' });
  });

  it('retries a GET whose connection died after it was sent once on another instance (a restarting instance closing its keep-alive connections)', async () => {
    a.answer(() => ({ reset: true }));
    sut = clientFor([a.url, b.url]);
    const retriedBefore = await errorCount(a.url, 'connection_lost', true);

    const reply = await get(sut);

    expect(reply).toMatchObject({ status: 200, body: [USER] });
    expect([a.received.length, b.received.length]).toEqual([1, 1]);
    expect((await errorCount(a.url, 'connection_lost', true)) - retriedBefore).toBe(1);
  });

  it('retries a keyed POST whose connection died after it was sent, with the same key (the service replays or runs it once)', async () => {
    a.answer(() => ({ reset: true }));
    b.answer(() => ({ status: 201, json: USER }));
    sut = clientFor([a.url, b.url]);

    const reply = await post(sut, 'key-lost');

    expect(reply).toMatchObject({ status: 201, body: USER });
    expect(a.last.headers['idempotency-key']).toBe('key-lost');
    expect(b.last.headers['idempotency-key']).toBe('key-lost');
  });

  it('does not repeat a POST without an Idempotency-Key whose connection died after it was sent: 503, the other instance never sees it', async () => {
    a.answer(() => ({ reset: true }));
    sut = clientFor([a.url, b.url]);
    const notRetriedBefore = await errorCount(a.url, 'connection_lost', false);

    await expect(post(sut)).rejects.toMatchObject({ status: 503, message: 'user-service unavailable' });

    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(0);
    expect((await errorCount(a.url, 'connection_lost', false)) - notRetriedBefore).toBe(1);
  });

  it('does not retry a GET that timed out: 504, and the other instance never sees it', async () => {
    a.answer(() => ({ status: 200, json: [], delayMs: 2000 }));
    sut = clientFor([a.url, b.url], 200);

    await expect(get(sut)).rejects.toBeInstanceOf(UpstreamTimeoutError);

    expect(b.received).toHaveLength(0);
  });

  it('503 naming the service when every instance is down, each tried once', async () => {
    sut = clientFor([nowhere, elsewhere]);
    const before = [await errorCount(nowhere, 'connect_failed', true), await errorCount(elsewhere, 'connect_failed', false)];

    const failure = get(sut);

    await expect(failure).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(failure).rejects.toMatchObject({ status: 503, message: 'user-service unavailable' });
    expect([await errorCount(nowhere, 'connect_failed', true), await errorCount(elsewhere, 'connect_failed', false)]).toEqual([
      before[0] + 1,
      before[1] + 1,
    ]);
    await expect(post(sut)).rejects.toMatchObject({ status: 503, message: 'user-service unavailable' });
    expect(await healthyUserServiceInstances()).toBe(0);
  });

  it('stops sending to an instance whose /health/ready answers 503, and sends to it again once it is ready', async () => {
    sut = clientFor([a.url, b.url]);
    sut.onApplicationBootstrap();
    await get(sut);
    await get(sut);
    expect([a.received.length, b.received.length]).toEqual([1, 1]);

    a.ready = false;
    await eventually(async () => (await healthyUserServiceInstances()) === 1, 3000, 'the probe takes the unready instance out');
    a.received.length = 0;
    for (let i = 0; i < 6; i++) await get(sut);
    expect(a.received).toHaveLength(0);

    a.ready = true;
    await eventually(async () => (await healthyUserServiceInstances()) === 2, 3000, 'the probe brings the instance back');
    for (let i = 0; i < 6; i++) await get(sut);
    expect(a.received).toHaveLength(3);
  });

  it('brings an instance that refused connections back once it listens again', async () => {
    const url = await closedPortUrl();
    sut = clientFor([url, b.url]);
    sut.onApplicationBootstrap();
    await get(sut);
    expect(b.received).toHaveLength(1);

    const back = await FakeUpstream.start(Number(new URL(url).port));
    try {
      back.answer(() => ({ status: 200, json: [USER] }));
      await eventually(async () => (await healthyUserServiceInstances()) === 2, 3000, 'the probe finds it listening');
      for (let i = 0; i < 4; i++) await get(sut);
      expect(back.received).toHaveLength(2);
    } finally {
      await sut.onApplicationShutdown();
      await back.close();
    }
  });
});
