import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from './configure-app';
import { drainKeepAliveOnClose } from './graceful-close';

let served = 0;

@Controller('work')
class WorkController {
  @Get()
  async work(): Promise<string> {
    served++;
    await new Promise((r) => setTimeout(r, 30)); // a request takes a moment
    return 'ok';
  }
}

@Module({ controllers: [WorkController] })
class WorkModule {}

describe('drainKeepAliveOnClose', () => {
  let app: INestApplication;

  afterAll(async () => app?.close().catch(() => undefined));

  it('closes a server whose keep-alive clients keep sending, and every request sent gets an answer', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WorkModule] }).compile();
    app = moduleRef.createNestApplication(createHttpAdapter(), { logger: false });
    drainKeepAliveOnClose(app);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let loading = true;
    const outcomes: string[] = [];
    const client = async () => {
      while (loading) {
        outcomes.push(
          await new Promise<string>((resolve) => {
            const req = http.get({ port, host: '127.0.0.1', path: '/work', agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(String(res.statusCode)));
            });
            req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
          }),
        );
      }
    };
    const clients = [client(), client(), client(), client()];
    await new Promise((r) => setTimeout(r, 200));

    const t0 = Date.now();
    await app.close();
    const closeMs = Date.now() - t0;
    loading = false;
    await Promise.all(clients);
    agent.destroy();

    expect(closeMs).toBeLessThan(1000); // without the drain: not until the clients stop
    expect(outcomes.filter((o) => o === '200')).toHaveLength(served); // each request served was answered
    expect(outcomes.filter((o) => o !== '200' && o !== 'ECONNREFUSED' && o !== 'ECONNRESET')).toEqual([]);
  });
});
