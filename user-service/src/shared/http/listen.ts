// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { INestApplication } from '@nestjs/common';

/**
 * Listens on every interface, as a plain Node server does when given only a port (Fastify would
 * take `localhost` alone, out of reach from another container): IPv6 and IPv4 together where the
 * host has IPv6, IPv4 otherwise.
 */
export async function listenOnAllInterfaces(app: INestApplication, port: number): Promise<void> {
  try {
    await app.listen(port, '::');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Most often the same app already running (npm start, another terminal): say what to do.
    if (code === 'EADDRINUSE') throw new Error(`port ${port} is already in use by another process (the same app running elsewhere?); PORT moves this one`);
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw e;
    await app.listen(port, '0.0.0.0');
  }
}
