import type { INestApplication } from '@nestjs/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainKeepAliveOnClose } from './graceful-close';

/** Just enough of a Nest app around a plain Node server: getHttpServer() and use(middleware). */
function anApp(): { app: INestApplication; server: http.Server; served: () => number } {
  const middlewares: ((req: unknown, res: http.ServerResponse, next: () => void) => void)[] = [];
  let served = 0;
  const server = http.createServer((req, res) => {
    let i = 0;
    const next = (): void => {
      const mw = middlewares[i++];
      if (mw) return mw(req, res, next);
      served++;
      setTimeout(() => res.end('ok'), 30); // a request takes a moment
    };
    next();
  });
  const app = { getHttpServer: () => server, use: (mw: (typeof middlewares)[number]) => void middlewares.push(mw) };
  return { app: app as unknown as INestApplication, server, served: () => served };
}

describe('drainKeepAliveOnClose', () => {
  it('closes a server whose keep-alive clients keep sending, and every request sent gets an answer', async () => {
    const { app, server, served } = anApp();
    drainKeepAliveOnClose(app);
    await new Promise<void>((r) => server.listen(0, r));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let loading = true;
    const outcomes: string[] = [];
    const client = async () => {
      while (loading) {
        outcomes.push(
          await new Promise<string>((resolve) => {
            const req = http.get({ port, agent }, (res) => {
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
    await new Promise<void>((r) => server.close(() => r()));
    const closeMs = Date.now() - t0;
    loading = false;
    await Promise.all(clients);
    agent.destroy();

    expect(closeMs).toBeLessThan(1000); // without the drain: not until the clients stop
    expect(outcomes.filter((o) => o === '200')).toHaveLength(served()); // each request served was answered
    expect(outcomes.filter((o) => o !== '200' && o !== 'ECONNREFUSED' && o !== 'ECONNRESET')).toEqual([]);
  });
});
