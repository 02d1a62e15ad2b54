import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * Stands in for user-service's GET /users/:id: 200 for the ids in `users`, 404 for the rest,
 * or no answer at all for `delayMs` (to test the timeout).
 */
export class FakeUserService {
  readonly users = new Set<string>();
  delayMs = 0;
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  private readonly server: Server = createServer((req, res) => {
    this.requests.push({ url: req.url ?? '', headers: req.headers });
    const id = /^\/users\/([^/?]+)$/.exec(req.url ?? '')?.[1];
    const found = req.method === 'GET' && id !== undefined && this.users.has(id);
    setTimeout(() => {
      if (res.destroyed) return;
      res
        .writeHead(found ? 200 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify(found ? { id, email: `${id}@example.com` } : { statusCode: 404, message: `user ${id} not found` }));
    }, this.delayMs);
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  reset(): void {
    this.users.clear();
    this.delayMs = 0;
    this.requests.length = 0;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
