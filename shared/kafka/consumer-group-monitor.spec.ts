import { HealthIndicatorService } from '@nestjs/terminus';
import { EventEmitter } from 'node:events';
import { register } from 'prom-client';
import { consumerLag } from '../observability/metrics';
import { ConsumerGroupMonitor, lagOf, ObservableConsumer } from './consumer-group-monitor';
import type { KafkaEnv } from './kafka-client';

/** Stands in for a kafkajs consumer: the monitor only listens to its instrumentation events. */
class FakeConsumer extends EventEmitter implements ObservableConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop', DISCONNECT: 'consumer.disconnect' };

  emitEvent(event: string, payload: unknown = {}): void {
    this.emit(event, { payload });
  }
}

/** The broker's answers, as kafkajs' admin gives them. */
class FakeAdmin {
  ends: Record<string, { partition: number; offset: string; high: string; low: string }[]> = {};
  committed: { topic: string; partitions: { partition: number; offset: string }[] }[] = [];
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async fetchTopicOffsets(topic: string) {
    return this.ends[topic] ?? [];
  }
  async fetchOffsets() {
    return this.committed;
  }
}

function setup() {
  const settings: KafkaEnv = { KAFKA_BROKER: 'localhost:1', KAFKA_CLIENT_ID: 'test', KAFKA_CONSUMER_GROUP: 'g' };
  const sut = new ConsumerGroupMonitor(settings, new HealthIndicatorService());
  const admin = new FakeAdmin();
  // The admin client is the one seam: no broker in a unit test.
  (sut as unknown as { connectedAdmin: () => Promise<FakeAdmin> }).connectedAdmin = async () => admin;
  const consumer = new FakeConsumer();
  return { sut, admin, consumer };
}

const end = (partition: number, low: number, high: number) => ({ partition, offset: String(high), high: String(high), low: String(low) });

describe('ConsumerGroupMonitor', () => {
  const monitors: ConsumerGroupMonitor[] = [];
  afterEach(async () => {
    await Promise.all(monitors.splice(0).map((m) => m.onApplicationShutdown()));
    consumerLag.reset();
  });
  const started = () => {
    const s = setup();
    monitors.push(s.sut);
    return s;
  };

  it('is not ready before a consumer is started, nor while it joins its group', () => {
    const { sut, consumer } = started();
    expect(sut.check('consumer')).toEqual({ consumer: { status: 'down', reason: 'consumer not started' } });
    sut.watch(consumer, 'order-service-group');
    expect(sut.check('consumer')).toEqual({
      consumer: { status: 'down', group: 'order-service-group', reason: 'consumer has not joined its group yet' },
    });
  });

  it('is ready once the consumer joined, saying how many partitions it was given', () => {
    const { sut, consumer } = started();
    sut.watch(consumer, 'order-service-group');
    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { 'user.created': [0, 1, 2], 'payment.completed': [1] } });
    expect(sut.check('consumer')).toEqual({ consumer: { status: 'up', group: 'order-service-group', partitions: 4 } });
  });

  it('is not ready after a crash, and ready again when the restarted consumer rejoins', () => {
    const { sut, consumer } = started();
    sut.watch(consumer, 'g');
    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { t: [0] } });
    consumer.emitEvent(consumer.events.CRASH, { error: new Error('Connection timeout'), restart: true });
    expect(sut.check('consumer').consumer).toEqual({ status: 'down', group: 'g', reason: 'consumer crashed (Connection timeout); restarting' });
    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { t: [0] } });
    expect(sut.check('consumer').consumer.status).toBe('up');
  });

  it('measures the lag of each assigned partition: end offset minus committed offset', async () => {
    const { sut, admin, consumer } = started();
    admin.ends['user.created'] = [end(0, 0, 10), end(1, 0, 7), end(2, 5, 5)];
    admin.committed = [{ topic: 'user.created', partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }] }];
    sut.watch(consumer, 'g');
    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { 'user.created': [0, 1] } });

    const lags = await sut.refreshLag();

    expect(lags).toEqual([
      { topic: 'user.created', partition: 0, lag: 6 },
      { topic: 'user.created', partition: 1, lag: 7 },
    ]);
    const text = await register.getSingleMetricAsString('kafka_consumer_lag_messages');
    expect(text).toContain('kafka_consumer_lag_messages{group="g",topic="user.created",partition="0"} 6');
    expect(text).toContain('kafka_consumer_lag_messages{group="g",topic="user.created",partition="1"} 7');
    // Partition 2 belongs to another member of the group: its lag is that member's to report.
    expect(text).not.toContain('partition="2"');
  });

  it('drops the lag series of partitions it no longer owns when the consumer leaves', async () => {
    const { sut, admin, consumer } = started();
    admin.ends.t = [end(0, 0, 3)];
    sut.watch(consumer, 'g');
    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { t: [0] } });
    await sut.refreshLag();
    consumer.emitEvent(consumer.events.STOP);
    expect(await register.getSingleMetricAsString('kafka_consumer_lag_messages')).not.toContain('topic="t"');
  });
});

describe('lagOf', () => {
  it('counts from the committed offset (the next one the group reads)', () => {
    expect(lagOf({ high: '10', low: '0' }, '10')).toBe(0);
    expect(lagOf({ high: '10', low: '0' }, '3')).toBe(7);
  });

  it('counts from the low watermark when the group never committed (it reads from the beginning)', () => {
    expect(lagOf({ high: '10', low: '4' }, '-1')).toBe(6);
    expect(lagOf({ high: '10', low: '4' }, undefined)).toBe(6);
  });
});
