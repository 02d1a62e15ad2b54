import { ConfigService } from '@nestjs/config';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { runWithOrigin } from '../shared/context/origin';
import { DependencyUnavailableError } from '../shared/errors/domain-error';
import { UserServiceClient } from './user-service.client';

const USER_ID = '3f0c1a52-6f1e-4c47-9d0a-2b3c4d5e6f70';

/** A user-service on an ephemeral port that answers with whatever the test sets. */
class FakeUserService {
  status = 200;
  delayMs = 0;
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  private readonly server: Server = createServer((req, res) => {
    this.requests.push({ url: req.url ?? '', headers: req.headers });
    setTimeout(() => res.writeHead(this.status, { 'content-type': 'application/json' }).end('{}'), this.delayMs);
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const configWith = (values: Record<string, unknown>) =>
  ({ get: (key: string) => values[key] }) as unknown as ConfigService<never, true>;

describe('UserServiceClient', () => {
  const userService = new FakeUserService();
  let url: string;

  beforeAll(async () => {
    url = await userService.start();
  });
  afterAll(() => userService.stop());
  beforeEach(() => {
    userService.status = 200;
    userService.delayMs = 0;
    userService.requests.length = 0;
  });

  it("says a user exists when user-service answers 200, forwarding the current request's id and the API key", async () => {
    const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: `${url}/`, API_KEY: 'k3y' }));
    await expect(runWithOrigin({ requestId: 'req-42' }, () => sut.lookup(USER_ID))).resolves.toBe('exists');
    expect(userService.requests[0].url).toBe(`/users/${USER_ID}`);
    expect(userService.requests[0].headers).toMatchObject({ 'x-request-id': 'req-42', 'x-api-key': 'k3y' });
  });

  it('sends no API key when none is configured, and no request id outside a request', async () => {
    const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: url }));
    await sut.lookup(USER_ID);
    expect(userService.requests[0].headers['x-api-key']).toBeUndefined();
    expect(userService.requests[0].headers['x-request-id']).toBeUndefined();
  });

  it.each([404, 400])('says a user is missing when user-service answers %d', async (status) => {
    userService.status = status;
    const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: url }));
    await expect(sut.lookup(USER_ID)).resolves.toBe('missing');
  });

  it.each([500, 503, 401])('reports user-service unavailable when it answers %d', async (status) => {
    userService.status = status;
    const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: url }));
    await expect(sut.lookup(USER_ID)).rejects.toThrow(DependencyUnavailableError);
  });

  it('gives up after two seconds', async () => {
    userService.delayMs = 2500;
    const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: url }));
    const started = Date.now();
    await expect(sut.lookup(USER_ID)).rejects.toThrow('user-service did not answer within 2 s; try again shortly');
    expect(Date.now() - started).toBeLessThan(2400);
  });

  it('reports user-service unreachable when nothing listens', async () => {
    const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: 'http://127.0.0.1:1' }));
    await expect(sut.lookup(USER_ID)).rejects.toThrow('user-service is unreachable; try again shortly');
  });

  describe('with several instances (USER_SERVICE_URL as a list)', () => {
    const second = new FakeUserService();
    let secondUrl: string;

    beforeAll(async () => {
      secondUrl = await second.start();
    });
    afterAll(() => second.stop());
    beforeEach(() => {
      second.status = 200;
      second.requests.length = 0;
    });

    it('starts each lookup at the next instance', async () => {
      const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: [url, secondUrl] }));
      for (let i = 0; i < 4; i++) await sut.lookup(USER_ID);
      expect([userService.requests.length, second.requests.length]).toEqual([2, 2]);
    });

    it('asks another instance when one refuses the connection', async () => {
      const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: ['http://127.0.0.1:1', secondUrl] }));
      await expect(sut.lookup(USER_ID)).resolves.toBe('exists');
      await expect(sut.lookup(USER_ID)).resolves.toBe('exists');
      expect(second.requests).toHaveLength(2);
    });

    it('asks another instance when one answers 503, and believes a 404 from the first that answers', async () => {
      userService.status = 503;
      second.status = 404;
      const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: [url, secondUrl] }));
      await expect(sut.lookup(USER_ID)).resolves.toBe('missing');
      expect([userService.requests.length, second.requests.length]).toEqual([1, 1]);
    });

    it('does not ask again after an answer that is not 503 (a 500 is the service, not the instance)', async () => {
      userService.status = 500;
      const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: [url, secondUrl] }));
      await expect(sut.lookup(USER_ID)).rejects.toThrow('user-service answered 500; try again shortly');
      expect(second.requests).toHaveLength(0);
    });

    it('reports user-service unreachable when no instance listens', async () => {
      const sut = new UserServiceClient(configWith({ USER_SERVICE_URL: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] }));
      await expect(sut.lookup(USER_ID)).rejects.toThrow('user-service is unreachable; try again shortly');
    });
  });
});
