import { KafkaContext } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { currentOrigin } from '../context/origin';
import { DependencyUnavailableError } from '../errors/domain-error';
import { Contracts } from '../events/contracts';
import { anEventProcessor } from './consumers.testing';
import { DLQ_HEADERS } from './dead-letter.publisher';
import { HandlerResult } from './event-processor';

function setup() {
  const { processor: sut, producer, unitOfWork, ledger } = anEventProcessor();
  let heartbeats = 0;
  const event = {
    eventId: randomUUID(),
    type: 'UserDeleted',
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId: 'req-1',
    data: { userId: randomUUID() },
  };
  const message = { key: event.data.userId, value: event, headers: {}, offset: '7', timestamp: '0', attributes: 0 } as unknown as KafkaMessage;
  const heartbeat = async () => void heartbeats++;
  const ctx = new KafkaContext([message, 0, 'user.deleted', {} as never, heartbeat, {} as never]);
  return { sut, producer, unitOfWork, ledger, event, ctx, heartbeats: () => heartbeats };
}

/** A handler that fails with each of `failures` in turn, then succeeds. */
function flaky(failures: unknown[]) {
  const calls: number[] = [];
  const effect = async (): Promise<HandlerResult> => {
    calls.push(Date.now());
    const failure = failures[calls.length - 1];
    if (failure !== undefined) throw failure;
  };
  return { effect, calls };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const restarting = () => Object.assign(new Error('the database system is starting up'), { driverError: { code: '57P03' } });

describe('EventProcessor: the one way to consume', () => {
  it('runs the handler in a unit of work with its ledger entry, in the origin of the event', async () => {
    const { sut, unitOfWork, ledger, event, ctx } = setup();
    const seen: unknown[] = [];
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, async (e) => {
      seen.push({ data: e.data, inUnit: unitOfWork.inUnit, origin: currentOrigin() });
    });
    expect(seen).toEqual([{ data: event.data, inUnit: true, origin: { requestId: 'req-1', eventId: event.eventId, topic: 'user.deleted' } }]);
    expect(unitOfWork.commits).toBe(1);
    expect([...ledger.entries]).toEqual([`test.consumer/${event.eventId}`]);
  });

  it('does not call the handler for an event this consumer applied already', async () => {
    const { sut, event, ctx } = setup();
    const { effect, calls } = flaky([]);
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    await sut.process(Contracts.UserDeleted, 'another.consumer', event, ctx, effect);
    expect(calls).toHaveLength(2);
  });

  it('calls a handler that waits outside the database outside any unit, and records its effect once', async () => {
    const { sut, unitOfWork, ledger, event, ctx } = setup();
    const phases: string[] = [];
    const handler = async (_e: unknown, delivery: { applyOnce: (fn: () => Promise<HandlerResult>) => Promise<unknown> }) => {
      phases.push(unitOfWork.inUnit ? 'wait in a unit' : 'wait outside');
      await delivery.applyOnce(async () => void phases.push(unitOfWork.inUnit ? 'effect in a unit' : 'effect outside'));
    };
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, handler, { waitsOutsideTransaction: true });
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, handler, { waitsOutsideTransaction: true });
    expect(phases).toEqual(['wait outside', 'effect in a unit', 'wait outside']);
    expect(ledger.entries.size).toBe(1);
  });

  it('dead-letters a handler that waits outside the database but never records its effect', async () => {
    const { sut, producer, event, ctx } = setup();
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, async () => undefined, { waitsOutsideTransaction: true });
    expect(String(producer.sent[0].messages[0].headers?.[DLQ_HEADERS.reason])).toMatch(/returned without delivery.applyOnce/);
  });

  it('rolls back the ledger entry with a failed try, so the retry applies the event', async () => {
    const { sut, unitOfWork, ledger, event, ctx } = setup();
    const { effect, calls } = flaky([new Error('deadlock detected')]);
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    expect(calls).toHaveLength(2);
    expect(unitOfWork.rollbacks).toBe(1);
    expect(unitOfWork.commits).toBe(1);
    expect(ledger.entries.size).toBe(1);
  });

  it('waits out a database outage however many tries it takes: no valid event is parked for it', async () => {
    const { sut, producer, event, ctx, heartbeats } = setup();
    const { effect, calls } = flaky([refused(), refused(), refused(), refused(), restarting(), new Error('Connection terminated unexpectedly')]);
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    expect(calls).toHaveLength(7); // more than retry.attempts (3)
    expect(producer.sent).toEqual([]);
    expect(heartbeats()).toBe(6); // one after each pause: the member stays in its group
  });

  it('waits for another service that is unavailable the same way', async () => {
    const { sut, producer, event, ctx } = setup();
    const { effect, calls } = flaky(Array.from({ length: 5 }, () => new DependencyUnavailableError('user-service is unreachable')));
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    expect(calls).toHaveLength(6);
    expect(producer.sent).toEqual([]);
  });

  it('still parks any other failure after retry.attempts tries', async () => {
    const { sut, producer, event, ctx } = setup();
    const { effect, calls } = flaky([new Error('deadlock detected'), new Error('deadlock detected'), new Error('deadlock detected')]);
    await sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    expect(calls).toHaveLength(3);
    expect(producer.sent.map((r) => r.topic)).toEqual(['user.deleted.dlq']);
    expect(producer.sent[0].messages[0].headers?.[DLQ_HEADERS.reason]).toBe('gave up after 3 attempts: deadlock detected');
  });

  it('gives up waiting when the app shuts down, and throws so the message stays uncommitted (redelivered after restart)', async () => {
    const { sut, producer, event, ctx } = setup();
    sut.retry = { attempts: 3, firstDelayMs: 60000 }; // would wait a minute between tries
    const { effect, calls } = flaky(Array.from({ length: 100 }, refused));
    const handling = sut.process(Contracts.UserDeleted, 'test.consumer', event, ctx, effect);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    sut.beforeApplicationShutdown();
    await expect(handling).rejects.toThrow('ECONNREFUSED');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(calls).toHaveLength(2); // the try after the interrupted pause, then it stops
    expect(producer.sent).toEqual([]);
  });
});
