import { Reflector } from '@nestjs/core';
import { GatewayThrottlerGuard, REMEMBERED_TRACKERS } from './gateway-throttler.guard';
import { WindowThrottlerStorage } from './window-storage';

/** The guard with its tracker reachable, and a count of the library's own address parsing. */
class TrackerProbe extends GatewayThrottlerGuard {
  parsed = 0;
  trackerOf(ip: unknown): Promise<string> {
    return this.getTracker({ ip });
  }
}

function probe(): TrackerProbe {
  const guard = new TrackerProbe({ throttlers: [] }, new WindowThrottlerStorage(), new Reflector());
  const library = Object.getPrototypeOf(GatewayThrottlerGuard.prototype) as { getTracker(req: Record<string, unknown>): Promise<string> };
  const parse = library.getTracker;
  jest.spyOn(library, 'getTracker').mockImplementation(function (this: TrackerProbe, req) {
    guard.parsed += 1;
    return parse.call(this, req);
  });
  return guard;
}

describe('GatewayThrottlerGuard trackers', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts a client as the library does: an IPv4-mapped address as its IPv4, an IPv6 client by its /64', async () => {
    const guard = probe();

    expect(await guard.trackerOf('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(await guard.trackerOf('2001:db8:1:2:aaaa::1')).toBe(await guard.trackerOf('2001:db8:1:2:bbbb::9'));
    expect(await guard.trackerOf('2001:db8:1:2::1')).not.toBe(await guard.trackerOf('2001:db8:1:3::1'));
  });

  it('works out each address once, however many requests and throttlers ask', async () => {
    const guard = probe();

    for (let i = 0; i < 5; i++) await guard.trackerOf('::ffff:10.0.0.7');

    expect(guard.parsed).toBe(1);
  });

  it(`remembers at most ${REMEMBERED_TRACKERS} addresses, forgetting the oldest first`, async () => {
    const guard = probe();
    const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i <= REMEMBERED_TRACKERS; i++) await guard.trackerOf(address(i));
    const parsedOnce = guard.parsed;

    await guard.trackerOf(address(REMEMBERED_TRACKERS));
    expect(guard.parsed).toBe(parsedOnce);
    await guard.trackerOf(address(0));
    expect(guard.parsed).toBe(parsedOnce + 1);
  });

  it('leaves a request without an address to the library', async () => {
    const guard = probe();

    expect(await guard.trackerOf(undefined)).toBeUndefined();
    expect(guard.parsed).toBe(1);
  });
});
