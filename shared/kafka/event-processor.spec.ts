import { KafkaContext } from '@nestjs/microservices';
import type { KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Contracts } from '../events/contracts';
import { DependencyUnavailableError } from '../http/domain-error';
import { DeadLetterPublisher, DLQ_HEADERS } from './dead-letter.publisher';
import { EffectOutcome, EventProcessor } from './event-processor';
import type { KafkaProducer } from './kafka-producer';

class RecordingProducer {
  readonly sent: ProducerRecord[] = [];
  async get(): Promise<Producer> {
    return { send: async (record: ProducerRecord) => void this.sent.push(record) } as unknown as Producer;
  }
}

function setup() {
  const producer = new RecordingProducer();
  const sut = new EventProcessor(new DeadLetterPublisher(producer as unknown as KafkaProducer));
  sut.retry = { attempts: 3, firstDelayMs: 1 };
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
  return { sut, producer, event, ctx, heartbeats: () => heartbeats };
}

/** An effect that fails with each of `failures` in turn, then succeeds. */
function flaky(failures: unknown[]) {
  const calls: number[] = [];
  const effect = async (): Promise<EffectOutcome> => {
    calls.push(Date.now());
    const failure = failures[calls.length - 1];
    if (failure !== undefined) throw failure;
    return 'processed';
  };
  return { effect, calls };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const restarting = () => Object.assign(new Error('the database system is starting up'), { driverError: { code: '57P03' } });

describe('EventProcessor', () => {
  it('waits out a database outage however many tries it takes: no valid event is parked for it', async () => {
    const { sut, producer, event, ctx, heartbeats } = setup();
    const { effect, calls } = flaky([refused(), refused(), refused(), refused(), restarting(), new Error('Connection terminated unexpectedly')]);
    await sut.process(Contracts.UserDeleted, event, ctx, 'test.consumer', effect);
    expect(calls).toHaveLength(7); // more than retry.attempts (3)
    expect(producer.sent).toEqual([]);
    expect(heartbeats()).toBe(6); // one after each pause: the member stays in its group
  });

  it('waits for another service that is unavailable the same way', async () => {
    const { sut, producer, event, ctx } = setup();
    const { effect, calls } = flaky(Array.from({ length: 5 }, () => new DependencyUnavailableError('user-service is unreachable')));
    await sut.process(Contracts.UserDeleted, event, ctx, 'test.consumer', effect);
    expect(calls).toHaveLength(6);
    expect(producer.sent).toEqual([]);
  });

  it('still parks any other failure after retry.attempts tries', async () => {
    const { sut, producer, event, ctx } = setup();
    const { effect, calls } = flaky([new Error('deadlock detected'), new Error('deadlock detected'), new Error('deadlock detected')]);
    await sut.process(Contracts.UserDeleted, event, ctx, 'test.consumer', effect);
    expect(calls).toHaveLength(3);
    expect(producer.sent.map((r) => r.topic)).toEqual(['user.deleted.dlq']);
    expect(producer.sent[0].messages[0].headers?.[DLQ_HEADERS.reason]).toBe('gave up after 3 attempts: deadlock detected');
  });

  it('gives up waiting when the app shuts down, and throws so the message stays uncommitted (redelivered after restart)', async () => {
    const { sut, producer, event, ctx } = setup();
    sut.retry = { attempts: 3, firstDelayMs: 60000 }; // would wait a minute between tries
    const { effect, calls } = flaky(Array.from({ length: 100 }, refused));
    const handling = sut.process(Contracts.UserDeleted, event, ctx, 'test.consumer', effect);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    sut.beforeApplicationShutdown();
    await expect(handling).rejects.toThrow('ECONNREFUSED');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(calls).toHaveLength(2); // the try after the interrupted pause, then it stops
    expect(producer.sent).toEqual([]);
  });
});
