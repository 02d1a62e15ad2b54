import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the fake service received it. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The gateway's side of the TCP connection: equal ports = a reused keep-alive connection. */
  readonly remotePort: number;
}

export interface FakeReply {
  readonly status?: number;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is (with `headers` choosing the content type). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  /** Answer only after this long. */
  readonly delayMs?: number;
  /** Drop the connection without answering. */
  readonly reset?: boolean;
}

export type FakeHandler = (req: Received) => FakeReply;

/**
 * A real HTTP server on an ephemeral port standing in for a service: it records what it gets and
 * answers what the test says. `/health/ready` answers 200 while `ready` is true, else 503 the way
 * terminus does.
 */
export class FakeUpstream {
  readonly received: Received[] = [];
  ready = true;
  private handler: FakeHandler = () => ({ status: 404, json: { statusCode: 404, message: 'no handler', error: 'Not Found' } });
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly server: Server) {}

  /** On an ephemeral port, or on `port` (a service coming back where it was). */
  static async start(port = 0): Promise<FakeUpstream> {
    const server = createServer();
    const fake = new FakeUpstream(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => fake.handle({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: (req.socket as Socket).remotePort ?? 0,
      }, res));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What every request except the health probe gets from now on. */
  answer(handler: FakeHandler): void {
    this.handler = handler;
  }

  get last(): Received {
    const last = this.received.at(-1);
    if (!last) throw new Error('the fake upstream received nothing');
    return last;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: Received, res: ServerResponse): void {
    if (req.url === '/health/ready') return this.send(res, this.health());
    this.received.push(req);
    const reply = this.handler(req);
    if (!reply.delayMs) return this.send(res, reply);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.send(res, reply);
    }, reply.delayMs);
    this.timers.add(timer);
  }

  private health(): FakeReply {
    return this.ready
      ? { status: 200, json: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: {} } }
      : { status: 503, json: { status: 'error', info: {}, error: { database: { status: 'down' } }, details: {} } };
  }

  private send(res: ServerResponse, reply: FakeReply): void {
    if (reply.reset) {
      res.socket?.destroy();
      return;
    }
    const headers = { ...reply.headers };
    let body = reply.raw ?? '';
    if (reply.json !== undefined) {
      body = JSON.stringify(reply.json);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(body);
  }
}

/** A URL where nothing listens: the port was free a moment ago (connections are refused). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
