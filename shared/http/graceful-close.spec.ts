import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainKeepAliveOnClose } from './graceful-close';

/** A plain Node server whose requests take a moment. */
function aServer(): { server: http.Server; served: () => number } {
  let served = 0;
  const server = http.createServer((_req, res) => {
    served++;
    setTimeout(() => res.end('ok'), 30);
  });
  return { server, served: () => served };
}

type Outcome = { status: string; connection?: string };

/** One GET; a failure is its error code. */
function get(port: number, agent: http.Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ port, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: String(res.statusCode), connection: res.headers.connection }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? 'error' }));
  });
}

async function listening(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function closed(server: http.Server): Promise<number> {
  const t0 = Date.now();
  return new Promise((r) => server.close(() => r(Date.now() - t0)));
}

describe('drainKeepAliveOnClose', () => {
  it('answers a request written on a pooled connection just as the close begins (a proxy would lose it)', async () => {
    const { server } = aServer();
    drainKeepAliveOnClose(server, { idleGraceMs: 1000 });
    const port = await listening(server);
    const pooled = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, pooled)).status).toBe('200');
    await new Promise((r) => setImmediate(r)); // the socket is back in the agent's pool, idle

    const closing = closed(server);
    const [onPooled, onNew] = await Promise.all([get(port, pooled), get(port, new http.Agent())]);
    const closeMs = await closing;
    pooled.destroy();

    expect(onPooled).toEqual({ status: '200', connection: 'close' }); // without the grace: ECONNRESET or ECONNREFUSED
    expect(onNew.status).toBe('ECONNREFUSED'); // a new connection goes to another instance
    expect(closeMs).toBeLessThan(900); // the used connection closed after its answer: nothing to wait for
  });

  it('closes the connections still idle when the grace is over', async () => {
    const { server } = aServer();
    drainKeepAliveOnClose(server, { idleGraceMs: 300 });
    const port = await listening(server);
    const idle = new http.Agent({ keepAlive: true, maxSockets: 2 });
    await Promise.all([get(port, idle), get(port, idle)]);

    const closeMs = await closed(server);
    idle.destroy();

    expect(closeMs).toBeGreaterThanOrEqual(290);
    expect(closeMs).toBeLessThan(2000); // Node's own keep-alive timeout (5 s) did not do it
  });

  it('closes idle connections at once without a grace', async () => {
    const { server } = aServer();
    drainKeepAliveOnClose(server, { idleGraceMs: 0 });
    const port = await listening(server);
    const idle = new http.Agent({ keepAlive: true });
    await get(port, idle);

    const closeMs = await closed(server);
    idle.destroy();

    expect(closeMs).toBeLessThan(250);
  });

  it.each([0, 300])('closes a server whose keep-alive clients keep sending, and every request sent gets an answer (grace %i ms)', async (idleGraceMs) => {
    const { server, served } = aServer();
    drainKeepAliveOnClose(server, { idleGraceMs });
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
    // Without a grace a request may meet a connection closed while idle; with one, never.
    const lost = idleGraceMs ? [] : ['ECONNRESET'];
    expect(outcomes.filter((o) => o !== '200' && o !== 'ECONNREFUSED' && !lost.includes(o))).toEqual([]);
  });
});
