// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
// Test doubles for the consumer framework (left out of every build: *.testing.ts).
import { KafkaContext } from '@nestjs/microservices';
import type { IHeaders, KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../database/unit-of-work';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { EventProcessor } from './event-processor';
import type { KafkaProducer } from './kafka-producer';
import type { Ledger } from './ledger';
import { PROCESSOR } from './on-event';

/** A KafkaProducer stand-in that keeps what would have been sent. */
export class RecordingProducer {
  readonly sent: ProducerRecord[] = [];

  async get(): Promise<Producer> {
    return { send: async (record: ProducerRecord) => void this.sent.push(record) } as unknown as Producer;
  }

  headersOf(index: number): IHeaders {
    return this.sent[index].messages[0].headers ?? {};
  }
}

/**
 * A unit of work without a database: `run` counts commits and rollbacks, runs the after-commit
 * hooks of committed units only, and the undo steps of rolled-back ones.
 */
export class FakeUnitOfWork {
  commits = 0;
  rollbacks = 0;
  private open: { hooks: Map<string, () => void>; undo: (() => void)[] } | null = null;

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.open) return work();
    const unit = (this.open = { hooks: new Map<string, () => void>(), undo: [] as (() => void)[] });
    try {
      const result = await work();
      this.commits++;
      this.open = null;
      for (const fn of unit.hooks.values()) fn();
      return result;
    } catch (error) {
      this.rollbacks++;
      this.open = null;
      for (const fn of unit.undo) fn();
      throw error;
    }
  }

  get inUnit(): boolean {
    return this.open !== null;
  }

  afterCommit(key: string, fn: () => void): void {
    if (this.open) this.open.hooks.set(key, fn);
    else fn();
  }

  /** What a fake write must forget if its unit rolls back. */
  undoOnRollback(fn: () => void): void {
    this.open?.undo.push(fn);
  }
}

/** The ledger in memory; an entry written in a unit that rolls back is forgotten, as in PostgreSQL. */
export class InMemoryLedger {
  readonly entries = new Set<string>();

  constructor(private readonly unitOfWork: FakeUnitOfWork) {}

  async firstDelivery(consumer: string, eventId: string): Promise<boolean> {
    if (!this.unitOfWork.inUnit) throw new Error('ledger written outside a unit of work');
    const key = `${consumer}/${eventId}`;
    if (this.entries.has(key)) return false;
    this.entries.add(key);
    this.unitOfWork.undoOnRollback(() => this.entries.delete(key));
    return true;
  }

  async firstDeliveries(consumer: string, eventIds: readonly string[]): Promise<Set<string>> {
    const first = new Set<string>();
    for (const id of eventIds) if (await this.firstDelivery(consumer, id)) first.add(id.toLowerCase());
    return first;
  }

  async seen(consumer: string, eventId: string): Promise<boolean> {
    return this.entries.has(`${consumer}/${eventId}`);
  }
}

/** The real EventProcessor and DeadLetterPublisher, over a recording producer, a fake unit of work and an in-memory ledger. */
export function anEventProcessor() {
  const producer = new RecordingProducer();
  const unitOfWork = new FakeUnitOfWork();
  const ledger = new InMemoryLedger(unitOfWork);
  const processor = new EventProcessor(
    new DeadLetterPublisher(producer as unknown as KafkaProducer),
    unitOfWork as unknown as UnitOfWork,
    ledger as unknown as Ledger,
  );
  processor.retry = { attempts: 3, firstDelayMs: 1 };
  return { processor, producer, unitOfWork, ledger };
}

/** Gives a consumer built by hand the processor Nest would inject into it. */
export function withProcessor<T extends object>(consumer: T, processor: EventProcessor): T {
  Object.assign(consumer, { [PROCESSOR]: processor });
  return consumer;
}

/** Delivers a raw message to an @OnEvent method as Nest's Kafka server does: (value, context). */
export async function deliver(consumer: object, method: string, value: unknown, ctx: KafkaContext): Promise<void> {
  const receive = (consumer as Record<string, (raw: unknown, ctx: KafkaContext) => Promise<void>>)[method];
  await receive.call(consumer, value, ctx);
}

/** A KafkaContext as Nest builds it for one consumed message. */
export function aKafkaContext(topic: string, value: unknown, key = randomUUID(), onHeartbeat: () => void = () => undefined): KafkaContext {
  const message = {
    key,
    value,
    headers: { 'x-request-id': 'req-1' },
    offset: '7',
    timestamp: String(Date.now()),
    attributes: 0,
  } as unknown as KafkaMessage;
  return new KafkaContext([message, 1, topic, {} as never, async () => onHeartbeat(), {} as never]);
}

export function anEnvelope(type: string, data: Record<string, unknown>, over: Record<string, unknown> = {}) {
  return {
    eventId: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    requestId: 'req-1',
    data,
    ...over,
  };
}
