/* eslint-disable @typescript-eslint/no-require-imports */
import './kafkajs-idle-fix';

/** kafkajs' own request queue, as each broker connection uses it (the fix is installed on import). */
interface RequestQueue {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: { entry: { correlationId: number; resolve: () => void; reject: (e: Error) => void }; expectResponse: boolean; sendRequest: () => void; requestTimeout?: number }): void;
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

describe('kafkajs request timeouts on a connection', () => {
  let sut: RequestQueue & { scheduleRequestTimeoutCheck(): void };
  let connected: boolean;
  const failures = new Map<number, Error>();
  const request = (correlationId: number, requestTimeout?: number) => ({
    entry: { correlationId, apiName: 'Fetch', apiKey: 1, apiVersion: 11, resolve: () => undefined, reject: (e: Error) => void failures.set(correlationId, e) },
    expectResponse: true,
    sendRequest: () => undefined,
    requestTimeout,
  });
  const answer = (correlationId: number) => sut.fulfillRequest({ correlationId, payload: null, size: 0 });

  beforeEach(() => {
    jest.useFakeTimers();
    failures.clear();
    connected = true;
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    sut = new RequestQueue({
      requestTimeout: 30000,
      enforceRequestTimeout: true,
      clientId: 'c',
      broker: 'b',
      logger,
      isConnected: () => connected,
    }) as typeof sut;
    // What kafkajs' Connection does once its socket is up.
    sut.scheduleRequestTimeoutCheck();
  });
  afterEach(() => {
    sut.destroy();
    jest.useRealTimers();
  });

  it('keeps no timer while nothing is on the wire', () => {
    expect(jest.getTimerCount()).toBe(0);

    sut.push(request(1));
    expect(jest.getTimerCount()).toBe(1);
    answer(1);
    jest.advanceTimersByTime(30001);

    expect(failures.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fails a request that gets no answer once its timeout has passed, not before', () => {
    sut.push(request(1));
    jest.advanceTimersByTime(20000);
    sut.push(request(2));

    jest.advanceTimersByTime(10000);
    expect(failures.size).toBe(0);
    jest.advanceTimersByTime(1);
    expect(failures.get(1)?.name).toBe('KafkaJSRequestTimeoutError');
    expect(failures.has(2)).toBe(false);

    jest.advanceTimersByTime(20000);
    expect(failures.get(2)?.name).toBe('KafkaJSRequestTimeoutError');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('times a request with its own longer timeout (a long poll) by that timeout', () => {
    sut.push(request(1, 35000));

    jest.advanceTimersByTime(35000);
    expect(failures.size).toBe(0);
    jest.advanceTimersByTime(1);
    expect(failures.get(1)?.name).toBe('KafkaJSRequestTimeoutError');
  });

  it('stops looking once the connection is found closed, as kafkajs does', () => {
    sut.push(request(1));
    connected = false;

    jest.advanceTimersByTime(30001);

    expect(failures.get(1)?.name).toBe('KafkaJSRequestTimeoutError');
    expect(jest.getTimerCount()).toBe(0);
    sut.push(request(2));
    expect(jest.getTimerCount()).toBe(0);
  });
});
