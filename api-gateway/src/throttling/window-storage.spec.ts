import { WindowThrottlerStorage } from './window-storage';

describe('WindowThrottlerStorage', () => {
  const T0 = Date.parse('2026-11-30T12:00:00.000Z');
  let now = T0;
  beforeEach(() => {
    now = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts up to the limit, then refuses and blocks for blockDuration, then starts a new window', async () => {
    const sut = new WindowThrottlerStorage();
    const hit = () => sut.increment('ip-a', 10_000, 3, 10_000, 'default');

    for (let i = 1; i <= 3; i++) expect(await hit()).toEqual({ totalHits: i, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    now += 2_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 10 });
    now += 9_000; // the window is over, the block (from the 4th hit) is not
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    now += 1_000;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('starts from 0 when a window ends without a block', async () => {
    const sut = new WindowThrottlerStorage();
    await sut.increment('ip-a', 1_000, 5, 1_000, 'default');
    await sut.increment('ip-a', 1_000, 5, 1_000, 'default');
    now += 1_000;
    expect(await sut.increment('ip-a', 1_000, 5, 1_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps keys and throttlers apart', async () => {
    const sut = new WindowThrottlerStorage();
    for (let i = 0; i < 2; i++) await sut.increment('ip-a', 60_000, 2, 60_000, 'auth');

    expect(await sut.increment('ip-a', 60_000, 2, 60_000, 'auth')).toMatchObject({ isBlocked: true });
    expect(await sut.increment('ip-b', 60_000, 2, 60_000, 'auth')).toMatchObject({ isBlocked: false, totalHits: 1 });
    expect(await sut.increment('ip-a', 60_000, 2, 60_000, 'default')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('without a block, refuses only while the window is full', async () => {
    const sut = new WindowThrottlerStorage();
    for (let i = 0; i < 2; i++) await sut.increment('ip-a', 5_000, 2, 0, 'default');

    expect(await sut.increment('ip-a', 5_000, 2, 0, 'default')).toEqual({ totalHits: 3, timeToExpire: 5, isBlocked: true, timeToBlockExpire: 5 });
    now += 5_000;
    expect(await sut.increment('ip-a', 5_000, 2, 0, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('forgets clients whose windows ended (memory stays bounded by the active ones)', async () => {
    const sut = new WindowThrottlerStorage();
    for (let i = 0; i < 100; i++) await sut.increment(`ip-${i}`, 1_000, 5, 1_000, 'default');
    now += 20_000;
    await sut.increment('ip-new', 1_000, 5, 1_000, 'default');

    expect((sut as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
