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
    if ((e as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT' && (e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw e;
    await app.listen(port, '0.0.0.0');
  }
}
