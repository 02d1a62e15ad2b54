// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';

/** How often idle keep-alive connections are closed while the server drains. */
const SWEEP_MS = 100;

/**
 * Lets the HTTP server really close on shutdown while clients keep their keep-alive connections
 * busy (the gateway's connection pool does). Node's server.close() closes only the connections
 * idle at that instant; a client that keeps reusing the others holds the server open until the
 * process is killed (the fault suite's graceful-shutdown scenario found order-service still
 * serving 30 s after SIGTERM). From the close on, Fastify answers each new request with
 * `Connection: close` (createHttpAdapter turns its 503 off) and this closes connections as soon
 * as they are idle; requests in flight complete.
 */
export function drainKeepAliveOnClose(app: INestApplication): void {
  const server = app.getHttpServer() as Server;
  const close = server.close.bind(server);
  server.close = ((callback?: (err?: Error) => void) => {
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    server.once('close', () => clearInterval(sweep));
    return close(callback);
  }) as Server['close'];
}
