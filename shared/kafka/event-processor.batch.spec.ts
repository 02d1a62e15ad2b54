import type { KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { currentOrigin } from '../context/origin';
import { NotYoursError } from '../errors/domain-error';
import { Contracts, UserDeletedData } from '../events/contracts';
import { EventEnvelope } from '../events/envelope';
import { anEnvelope, anEventProcessor, FakeUnitOfWork, withProcessor } from './consumers.testing';
import { DLQ_HEADERS } from './dead-letter.publisher';
import { ConsumedBatch, Delivery, HandlerResult, MAX_EVENTS_PER_TRANSACTION, MAX_HOLD_MS } from './event-processor';
import { OnEvent } from './on-event';

type Behaviour = (event: EventEnvelope<string, UserDeletedData>, tries: number) => void;

/**
 * A consumer as services write them: its effect is a row per user, forgotten when its unit rolls
 * back (as PostgreSQL would), so a test sees exactly what committed.
 */
class ForgetUsers {
  readonly forgotten: string[] = [];
  readonly tries = new Map<string, number>();
  origins: unknown[] = [];
  behaviour: Behaviour = () => undefined;

  constructor(private readonly unitOfWork: FakeUnitOfWork) {}

  @OnEvent(Contracts.UserDeleted, 'test.batch')
  async forget(event: EventEnvelope<string, UserDeletedData>): Promise<HandlerResult> {
    const tries = (this.tries.get(event.eventId) ?? 0) + 1;
    this.tries.set(event.eventId, tries);
    this.origins.push(currentOrigin());
    this.behaviour(event, tries);
    if (!this.unitOfWork.inUnit) throw new Error('effect outside a unit of work');
    this.forgotten.push(event.data.userId);
    this.unitOfWork.undoOnRollback(() => this.forgotten.splice(this.forgotten.indexOf(event.data.userId), 1));
  }
}

/** Waits outside the database, as payment-service's provider call does. */
class SlowForget {
  readonly applied: string[] = [];
  units: boolean[] = [];

  constructor(private readonly unitOfWork: FakeUnitOfWork) {}

  @OnEvent(Contracts.UserDeleted, 'test.slow', { waitsOutsideTransaction: true })
  async forget(event: EventEnvelope<string, UserDeletedData>, delivery: Delivery): Promise<HandlerResult> {
    this.units.push(this.unitOfWork.inUnit);
    await delivery.applyOnce(async () => void this.applied.push(event.data.userId));
  }
}

/**
 * Waits outside the database, then commits with its batch-mates: payment-service's provider call.
 * It records each wait and in which unit each effect ran (by the unit's commit number).
 */
class WaitThenForget {
  readonly waits: string[] = [];
  readonly applied: { userId: string; unit: number }[] = [];
  waitMs = 0;
  behaviour: (event: EventEnvelope<string, UserDeletedData>, waits: number) => HandlerResult | 'no effect' = () => undefined;
  effectFails: (event: EventEnvelope<string, UserDeletedData>) => boolean = () => false;

  constructor(private readonly unitOfWork: FakeUnitOfWork) {}

  @OnEvent(Contracts.UserDeleted, 'test.wait-then-commit', { waitsOutsideTransaction: true, commitsTogether: true })
  async forget(event: EventEnvelope<string, UserDeletedData>, delivery: Delivery): Promise<HandlerResult> {
    if (this.unitOfWork.inUnit) throw new Error('waiting inside a unit of work');
    this.waits.push(event.data.userId);
    const said = this.behaviour(event, this.waits.filter((w) => w === event.data.userId).length);
    if (said === 'duplicate') return 'duplicate';
    if (said === 'no effect') return;
    if (this.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, this.waitMs));
    await delivery.applyOnce(async () => {
      if (!this.unitOfWork.inUnit) throw new Error('effect outside a unit of work');
      if (this.effectFails(event)) throw new Error('deadlock detected');
      this.applied.push({ userId: event.data.userId, unit: this.unitOfWork.commits + 1 });
      this.unitOfWork.undoOnRollback(() => this.applied.pop());
    });
  }
}

function setup() {
  const { processor, producer, unitOfWork, ledger } = anEventProcessor();
  const consumer = withProcessor(new ForgetUsers(unitOfWork), processor);
  return { processor, producer, unitOfWork, ledger, consumer };
}

const deleted = () => anEnvelope('UserDeleted', { userId: randomUUID() }) as unknown as EventEnvelope<string, UserDeletedData>;

/** A kafkajs batch of `values` on user.deleted partition 0, recording what it resolves. */
function aBatch(values: unknown[], firstOffset = 10) {
  const resolved: string[] = [];
  let heartbeats = 0;
  const messages = values.map(
    (value, i) =>
      ({
        key: Buffer.from('k'),
        value: Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)),
        headers: { 'x-request-id': Buffer.from('req-1') },
        offset: String(firstOffset + i),
        timestamp: '0',
        attributes: 0,
      }) as unknown as KafkaMessage,
  );
  const payload: ConsumedBatch = {
    batch: { topic: 'user.deleted', partition: 0, messages },
    resolveOffset: (offset) => void resolved.push(offset),
    heartbeat: async () => void heartbeats++,
    isRunning: () => true,
    isStale: () => false,
  };
  return { payload, resolved, heartbeats: () => heartbeats };
}

describe('EventProcessor.processBatch: many events, one transaction', () => {
  it('applies a batch in one unit of work, each event once, in its own origin, and resolves the batch', async () => {
    const { processor, unitOfWork, ledger, consumer } = setup();
    const events = [deleted(), deleted(), deleted()];
    const { payload, resolved } = aBatch(events);

    await processor.processBatch(payload);

    expect(consumer.forgotten).toEqual(events.map((e) => e.data.userId));
    expect(unitOfWork.commits).toBe(1);
    expect(ledger.entries.size).toBe(3);
    expect(consumer.origins).toEqual(events.map((e) => ({ requestId: 'req-1', eventId: e.eventId, topic: 'user.deleted' })));
    expect(resolved).toEqual(['12']);
  });

  it('dead-letters a poison message in the middle of a batch; its batch-mates take effect once', async () => {
    const { processor, producer, consumer, unitOfWork } = setup();
    const [a, b] = [deleted(), deleted()];
    const { payload, resolved } = aBatch([a, Buffer.from('{not json'), b]);

    await processor.processBatch(payload);

    expect(consumer.forgotten).toEqual([a.data.userId, b.data.userId]);
    expect(unitOfWork.commits).toBe(1);
    expect(producer.sent.map((r) => r.topic)).toEqual(['user.deleted.dlq']);
    expect(producer.sent[0].messages[0].headers?.[DLQ_HEADERS.originalOffset]).toBe('11');
    expect(resolved).toEqual(['12']);
  });

  it('rolls a failed batch back whole and applies its events one by one: nothing doubled, nothing lost', async () => {
    const { processor, consumer, unitOfWork, ledger } = setup();
    const events = [deleted(), deleted(), deleted()];
    // The second event fails on its first try only (a deadlock, say): the batch's unit rolls back.
    consumer.behaviour = (event, tries) => {
      if (event.eventId === events[1].eventId && tries === 1) throw new Error('deadlock detected');
    };
    const { payload, resolved } = aBatch(events);

    await processor.processBatch(payload);

    expect(consumer.forgotten.sort()).toEqual(events.map((e) => e.data.userId).sort());
    expect(unitOfWork.rollbacks).toBe(1);
    expect(unitOfWork.commits).toBe(3); // one unit per event on the one-by-one pass
    expect(ledger.entries.size).toBe(3);
    // The first event ran in the failed unit and once more alone; the third only alone.
    expect(events.map((e) => consumer.tries.get(e.eventId))).toEqual([2, 2, 1]);
    expect(resolved).toEqual(['12']);
  });

  it('dead-letters the one event a handler refuses for good, and applies the rest of its batch', async () => {
    const { processor, producer, consumer } = setup();
    const events = [deleted(), deleted(), deleted()];
    consumer.behaviour = (event) => {
      if (event.eventId === events[0].eventId) throw new NotYoursError('not this one');
    };
    const { payload } = aBatch(events);

    await processor.processBatch(payload);

    expect(consumer.forgotten).toEqual([events[1].data.userId, events[2].data.userId]);
    expect(producer.sent.map((r) => r.topic)).toEqual(['user.deleted.dlq']);
    expect(String(producer.sent[0].messages[0].headers?.[DLQ_HEADERS.reason])).toMatch(/not this one/);
  });

  it('changes nothing when a batch is delivered again, nor for an event twice in one batch', async () => {
    const { processor, consumer, ledger } = setup();
    const [a, b] = [deleted(), deleted()];
    await processor.processBatch(aBatch([a, b, a]).payload);
    await processor.processBatch(aBatch([a, b]).payload);
    expect(consumer.forgotten).toEqual([a.data.userId, b.data.userId]);
    expect(ledger.entries.size).toBe(2);
  });

  it(`splits a long batch into units of at most ${MAX_EVENTS_PER_TRANSACTION} events, resolving and heartbeating after each`, async () => {
    const { processor, unitOfWork, consumer } = setup();
    const events = Array.from({ length: MAX_EVENTS_PER_TRANSACTION + 5 }, deleted);
    const { payload, resolved, heartbeats } = aBatch(events, 0);
    await processor.processBatch(payload);
    expect(consumer.forgotten).toHaveLength(events.length);
    expect(unitOfWork.commits).toBe(2);
    expect(resolved).toEqual([String(MAX_EVENTS_PER_TRANSACTION - 1), String(events.length - 1)]);
    expect(heartbeats()).toBe(2);
  });

  it('stops before the next unit when the consumer stops, leaving the rest unresolved (redelivered)', async () => {
    const { processor, consumer } = setup();
    const events = Array.from({ length: MAX_EVENTS_PER_TRANSACTION + 1 }, deleted);
    const { payload, resolved } = aBatch(events, 0);
    let running = true;
    consumer.behaviour = () => {
      running = false;
    };
    await processor.processBatch({ ...payload, isRunning: () => running });
    expect(consumer.forgotten).toHaveLength(MAX_EVENTS_PER_TRANSACTION);
    expect(resolved).toEqual([String(MAX_EVENTS_PER_TRANSACTION - 1)]);
  });

  it('takes the events of a handler that waits outside the database one at a time, outside any unit', async () => {
    const { processor, unitOfWork } = anEventProcessor();
    const slow = withProcessor(new SlowForget(unitOfWork), processor);
    const events = [deleted(), deleted()];
    await processor.processBatch(aBatch(events).payload);
    expect(slow.applied).toEqual(events.map((e) => e.data.userId));
    expect(slow.units).toEqual([false, false]);
    expect(unitOfWork.commits).toBe(2);
  });
});

describe('EventProcessor.processBatch: waits one at a time, effects committed together', () => {
  function waitSetup() {
    const { processor, producer, unitOfWork, ledger } = anEventProcessor();
    const consumer = withProcessor(new WaitThenForget(unitOfWork), processor);
    return { processor, producer, unitOfWork, ledger, consumer };
  }
  const users = (events: EventEnvelope<string, UserDeletedData>[]) => events.map((e) => e.data.userId);

  it('runs each wait outside any unit, in offset order, then commits every effect in one unit', async () => {
    const { processor, unitOfWork, ledger, consumer } = waitSetup();
    const events = [deleted(), deleted(), deleted()];
    const { payload, resolved } = aBatch(events);

    await processor.processBatch(payload);

    expect(consumer.waits).toEqual(users(events));
    expect(consumer.applied).toEqual(users(events).map((userId) => ({ userId, unit: 1 })));
    expect(unitOfWork.commits).toBe(1);
    expect(ledger.entries.size).toBe(3);
    expect(resolved).toEqual(['12']);
  });

  it('changes nothing for an event delivered again, in the same batch or a later one', async () => {
    const { processor, consumer, ledger } = waitSetup();
    const [a, b] = [deleted(), deleted()];
    await processor.processBatch(aBatch([a, b, a]).payload);
    await processor.processBatch(aBatch([b]).payload);
    expect(consumer.applied.map((x) => x.userId)).toEqual(users([a, b]));
    expect(ledger.entries.size).toBe(2);
  });

  it(`commits what it holds once a wait takes ${MAX_HOLD_MS} ms or more, so a slow provider delays no other effect`, async () => {
    const { processor, unitOfWork, consumer } = waitSetup();
    consumer.waitMs = MAX_HOLD_MS + 10;
    const events = [deleted(), deleted(), deleted()];
    await processor.processBatch(aBatch(events).payload);
    expect(consumer.applied).toEqual(users(events).map((userId, i) => ({ userId, unit: i + 1 })));
    expect(unitOfWork.commits).toBe(3);
  });

  it('rolls a failed unit back whole and handles its events again one by one, waits included: nothing doubled, nothing lost', async () => {
    const { processor, unitOfWork, ledger, consumer } = waitSetup();
    const events = [deleted(), deleted(), deleted()];
    let failures = 1;
    consumer.effectFails = (event) => event.eventId === events[1].eventId && failures-- > 0;

    await processor.processBatch(aBatch(events).payload);

    expect(unitOfWork.rollbacks).toBe(1);
    expect(consumer.applied.map((x) => x.userId)).toEqual(users(events));
    // One unit each on the one-by-one pass (the failed unit did not count as a commit).
    expect(consumer.applied.map((x) => x.unit)).toEqual([1, 2, 3]);
    expect(unitOfWork.commits).toBe(3);
    expect(ledger.entries.size).toBe(3);
    expect(consumer.waits).toEqual([...users(events), ...users(events)]);
  });

  it('commits the effects held before a handler that fails, then retries that one alone: offset order kept', async () => {
    const { processor, unitOfWork, consumer } = waitSetup();
    const events = [deleted(), deleted(), deleted(), deleted()];
    consumer.behaviour = (event, waits) => {
      if (event.eventId === events[2].eventId && waits === 1) throw new Error('connection reset');
      return undefined;
    };

    await processor.processBatch(aBatch(events).payload);

    expect(consumer.applied).toEqual([
      { userId: events[0].data.userId, unit: 1 },
      { userId: events[1].data.userId, unit: 1 },
      { userId: events[2].data.userId, unit: 2 },
      { userId: events[3].data.userId, unit: 3 },
    ]);
    expect(unitOfWork.commits).toBe(3);
  });

  it('dead-letters poison and a handler that ends without its effect; the rest commit together', async () => {
    const { processor, producer, consumer, unitOfWork } = waitSetup();
    const [a, b, c] = [deleted(), deleted(), deleted()];
    consumer.behaviour = (event) => (event.eventId === b.eventId ? 'no effect' : undefined);
    processor.retry = { attempts: 2, firstDelayMs: 1 };

    await processor.processBatch(aBatch([a, Buffer.from('{not json'), b, c]).payload);

    expect(consumer.applied.map((x) => x.userId)).toEqual(users([a, c]));
    expect(unitOfWork.commits).toBe(2);
    const reasons = producer.sent.map((r) => String(r.messages[0].headers?.[DLQ_HEADERS.reason]));
    expect(reasons).toHaveLength(2);
    expect(reasons[1]).toMatch(/without delivery.applyOnce/);
  });

  it('counts a handler that finds nothing to do as a duplicate, without a unit for it', async () => {
    const { processor, consumer, unitOfWork, ledger } = waitSetup();
    const [a, b] = [deleted(), deleted()];
    consumer.behaviour = (event) => (event.eventId === a.eventId ? 'duplicate' : undefined);
    await processor.processBatch(aBatch([a, b]).payload);
    expect(consumer.applied.map((x) => x.userId)).toEqual(users([b]));
    expect(unitOfWork.commits).toBe(1);
    expect([...ledger.entries].some((entry) => entry.includes(a.eventId))).toBe(false);
  });
});
