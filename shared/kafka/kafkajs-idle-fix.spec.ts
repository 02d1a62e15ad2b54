/* eslint-disable @typescript-eslint/no-require-imports */
import './kafkajs-idle-fix';

/** kafkajs' own request queue, as each broker connection uses it (the fix is installed on import). */
interface RequestQueue {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: { entry: { correlationId: number; resolve: () => void; reject: () => void }; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => RequestQueue;

describe('kafkajs request queue on an idle connection', () => {
  let sut: RequestQueue;
  const sent: number[] = [];
  const request = (correlationId: number) => ({
    entry: { correlationId, resolve: () => undefined, reject: () => undefined },
    expectResponse: true,
    sendRequest: () => void sent.push(correlationId),
  });
  const answer = (correlationId: number) => sut.fulfillRequest({ correlationId, payload: null, size: 0 });

  beforeEach(() => {
    jest.useFakeTimers();
    sent.length = 0;
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    sut = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30000, enforceRequestTimeout: false, clientId: 'c', broker: 'b', logger });
  });
  afterEach(() => {
    sut.destroy();
    jest.useRealTimers();
  });

  it('arms no timer once its requests are answered and nothing waits', () => {
    sut.push(request(1));
    answer(1);

    expect(sent).toEqual([1]);
    expect(sut.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends a request that waited for an in-flight slot when the slot frees', () => {
    sut.push(request(1));
    sut.push(request(2));
    expect(sent).toEqual([1]);

    answer(1);

    expect(sent).toEqual([1, 2]);
    answer(2);
    // The recheck armed while request 2 waited runs once, finds nothing and is not re-armed.
    jest.advanceTimersByTime(10);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends a request held by the broker throttling exactly when the throttling ends', () => {
    sut.maybeThrottle(500);
    sut.push(request(1));

    jest.advanceTimersByTime(499);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([1]);

    answer(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});
