// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** How often idle keep-alive connections are closed once the drain's grace is over. */
const SWEEP_MS = 100;

export interface DrainOptions {
  /**
   * How long a closing server leaves the keep-alive connections that are idle alone (HTTP_DRAIN_MS).
   * Closing an idle connection races a client that writes a request on it at that moment: the
   * request is lost, and a proxy does not resend a POST. Given a grace longer than the clients'
   * own idle timeout (nginx's and the gateway's pools: 2 s), each pooled connection is either
   * closed by its client or used once more and closed by us after the answer. 0 closes idle
   * connections at once, which only a server with no pooling client in front should do.
   */
  readonly idleGraceMs: number;
}

/**
 * Lets the HTTP server close on shutdown without losing a request, while clients keep their
 * keep-alive connections busy (the gateway's connection pool and the cluster's nginx do).
 * From the close on, the listener takes no new connection (a client connects to another instance),
 * each request on an open connection gets its normal answer with `Connection: close`, and after
 * the grace the connections still idle are closed as soon as they are idle. Without that last step
 * a client that keeps reusing connections holds the server open until the process is killed (the
 * fault suite's graceful-shutdown scenario found order-service still serving 30 s after SIGTERM).
 */
export function drainKeepAliveOnClose(server: Server, { idleGraceMs }: DrainOptions): void {
  let draining = false;
  // Before the framework's own handler sees the request, whatever answers it.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
  });
  // Node's server.close() closes the idle connections itself; it waits for the grace like the rest.
  const closeIdleNow = server.closeIdleConnections.bind(server);
  let graceOver = false;
  server.closeIdleConnections = () => {
    if (graceOver) closeIdleNow();
  };
  const close = server.close.bind(server);
  server.close = ((callback?: (err?: Error) => void) => {
    draining = true;
    let sweep: NodeJS.Timeout | undefined;
    const endGrace = (): void => {
      graceOver = true;
      closeIdleNow();
      sweep = setInterval(closeIdleNow, SWEEP_MS);
    };
    const grace = idleGraceMs > 0 ? setTimeout(endGrace, idleGraceMs) : undefined;
    if (!grace) endGrace();
    server.once('close', () => {
      clearTimeout(grace);
      clearInterval(sweep);
    });
    return close(callback);
  }) as Server['close'];
}
