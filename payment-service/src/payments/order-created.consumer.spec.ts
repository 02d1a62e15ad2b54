import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from '../shared/database/unit-of-work';
import { Contracts, OrderCreatedData } from '../shared/events/contracts';
import { createEnvelope, EventEnvelope } from '../shared/events/envelope';
import { aKafkaContext, deliver, RecordingProducer, withProcessor } from '../shared/kafka/consumers.testing';
import { DeadLetterPublisher, DLQ_HEADERS } from '../shared/kafka/dead-letter.publisher';
import { EventProcessor } from '../shared/kafka/event-processor';
import type { KafkaProducer } from '../shared/kafka/kafka-producer';
import { Ledger } from '../shared/kafka/ledger';
import { Events } from '../shared/outbox/events';
import { OutboxRelay } from '../shared/outbox/outbox-relay';
import { OrderCreatedConsumer } from './order-created.consumer';
import { Payment } from './payment.entity';
import { PaymentSettings, PaymentSimulator, RandomSource } from './payment-simulator';
import { PaymentsService } from './payments.service';
import { RefundRequestedConsumer } from './refund-requested.consumer';
import { RefundsService } from './refunds.service';
import { paymentsTotal } from './payments.metrics';

const ORDER_CREATED_CONSUMER = 'payment-service.order-created';

/**
 * An in-memory stand-in for the statements a payment runs (ledger check and insert, payment
 * insert, outbox insert), with the same conflict rules as the real tables; a failing transaction
 * leaves nothing behind, as PostgreSQL's would. The real SQL is exercised by the integration tests.
 */
class InMemoryPaymentsDb {
  processed = new Set<string>();
  payments: Payment[] = [];
  outbox: { topic: string; key: string; payload: EventEnvelope<string, Record<string, unknown>>; headers: Record<string, string> }[] = [];
  transactions = 0;
  events: string[] = [];

  /** A connection as pg's: prepared statements (`{ name, text, values }`) answer `{ rows }`. */
  private readonly connection = {
    query: async (statement: { text: string; values: unknown[] }) => ({ rows: await this.query(statement.text, statement.values) }),
  };

  readonly dataSource = {
    manager: {
      query: (sql: string, params: unknown[]) => this.query(sql, params),
    },
    createQueryRunner: () => ({ connect: async () => this.connection, release: async () => undefined }),
    transaction: async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      this.transactions++;
      this.events.push('transaction');
      const snapshot = { processed: new Set(this.processed), payments: [...this.payments], outbox: [...this.outbox] };
      try {
        return await work({
          query: (sql: string, params: unknown[]) => this.query(sql, params),
          queryRunner: { connect: async () => this.connection },
        } as unknown as EntityManager);
      } catch (e) {
        Object.assign(this, snapshot);
        throw e;
      }
    },
  } as unknown as DataSource;

  /** The quick "paid already?" read sees no payment (two deliveries in flight, neither committed). */
  quickCheckMisses = false;

  private async query(sql: string, params: unknown[]): Promise<unknown[]> {
    if (sql.startsWith('SELECT 1 FROM payments WHERE order_id')) {
      return !this.quickCheckMisses && this.payments.some((p) => p.orderId === params[0]) ? [{}] : [];
    }
    if (sql.startsWith('SELECT 1 FROM processed_events')) {
      return this.processed.has(`${String(params[0])}/${String(params[1])}`) ? [{}] : [];
    }
    if (sql.includes('INSERT INTO processed_events')) {
      const key = `${String(params[0])}/${String(params[1])}`;
      if (this.processed.has(key)) return [];
      this.processed.add(key);
      return [{ event_id: params[1] }];
    }
    if (sql.includes('INSERT INTO payments')) {
      const [id, orderId, userId, amount, status, reason] = params as string[];
      if (this.payments.some((p) => p.orderId === orderId)) return [];
      const row = { id, order_id: orderId, user_id: userId, amount: Number(amount).toFixed(2), status, failure_reason: reason, created_at: new Date() };
      this.payments.push(Object.assign(new Payment(), { id, orderId, userId, amount: row.amount, status, failureReason: reason, createdAt: row.created_at }));
      return [row];
    }
    if (sql.includes('INSERT INTO outbox_messages')) {
      const [topic, key, payload, headers] = params as string[];
      this.outbox.push({ topic, key, payload: JSON.parse(payload), headers: JSON.parse(headers) });
      return [];
    }
    throw new Error(`unexpected SQL in a unit test: ${sql}`);
  }
}

function draws(...values: number[]): RandomSource {
  const queue = [...values];
  return () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('the test supplied no more random draws');
    return next;
  };
}

function anOrderCreated(overrides: Partial<OrderCreatedData> = {}): EventEnvelope<string, OrderCreatedData> {
  const data: OrderCreatedData = {
    orderId: randomUUID(),
    userId: randomUUID(),
    kind: 'regular',
    items: [{ productId: 'product-1', quantity: 2, price: '10.15' }],
    totalAmount: '20.3',
    ...overrides,
  };
  return createEnvelope(Contracts.OrderCreated.type, Contracts.OrderCreated.version, data, 'req-42');
}

/**
 * The consumer as it runs: the real EventProcessor, unit of work, ledger, outbox writer and
 * payment service, over the in-memory database. `pay` delivers one order.created message.
 */
function build(settings: PaymentSettings, random: RandomSource) {
  const db = new InMemoryPaymentsDb();
  const unitOfWork = new UnitOfWork(db.dataSource);
  const relay = { wake: jest.fn() } as unknown as OutboxRelay;
  const payments = new PaymentsService(unitOfWork, new Events(unitOfWork, relay), new PaymentSimulator(settings, random));
  const producer = new RecordingProducer();
  const processor = new EventProcessor(new DeadLetterPublisher(producer as unknown as KafkaProducer), unitOfWork, new Ledger(unitOfWork));
  processor.retry = { attempts: 3, firstDelayMs: 1 };
  const sut = withProcessor(new OrderCreatedConsumer(payments), processor);
  const pay = (event: unknown, heartbeat: () => void = () => undefined) =>
    deliver(sut, 'pay', event, aKafkaContext('order.created', event, randomUUID(), heartbeat));
  return { pay, db, relay, producer };
}

async function countOf(status: string): Promise<number> {
  const metric = await paymentsTotal.get();
  return metric.values.find((v) => v.labels.status === status)?.value ?? 0;
}

describe('order.created -> one payment (OrderCreatedConsumer, PaymentsService)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('completes the payment at failure rate 0 and publishes payment.completed with the request id', async () => {
    const { pay, db, relay } = build({ failureRate: 0, delayMs: 0 }, draws(0));
    const event = anOrderCreated();
    const before = await countOf('completed');

    await pay(event);

    expect(db.payments).toHaveLength(1);
    const [payment] = db.payments;
    expect(payment).toMatchObject({ orderId: event.data.orderId, userId: event.data.userId, amount: '20.30', status: 'completed', failureReason: null });
    expect(db.outbox).toHaveLength(1);
    const [message] = db.outbox;
    expect(message.topic).toBe('payment.completed');
    expect(message.key).toBe(event.data.orderId);
    expect(message.headers['x-request-id']).toBe('req-42');
    expect(message.payload).toMatchObject({
      type: 'PaymentCompleted',
      version: 1,
      requestId: 'req-42',
      data: { paymentId: payment.id, orderId: event.data.orderId, amount: '20.30' },
    });
    expect(message.payload.eventId).not.toBe(event.eventId);
    expect(db.processed.has(`${ORDER_CREATED_CONSUMER}/${event.eventId}`)).toBe(true);
    expect(relay.wake).toHaveBeenCalled();
    expect(await countOf('completed')).toBe(before + 1);
  });

  it('declines the payment at failure rate 1 and publishes payment.failed with the reason', async () => {
    const { pay, db } = build({ failureRate: 1, delayMs: 0 }, draws(0.999));
    const event = anOrderCreated({ totalAmount: '5.00' });
    const before = await countOf('failed');

    await pay(event);

    expect(db.payments[0]).toMatchObject({ status: 'failed', amount: '5.00' });
    expect(db.payments[0].failureReason).toMatch(/declined/);
    expect(db.outbox).toHaveLength(1);
    expect(db.outbox[0].topic).toBe('payment.failed');
    expect(db.outbox[0].payload).toMatchObject({
      type: 'PaymentFailed',
      requestId: 'req-42',
      data: { orderId: event.data.orderId, amount: '5.00', reason: db.payments[0].failureReason, code: 'PAYMENT.DECLINED' },
    });
    expect(await countOf('failed')).toBe(before + 1);
  });

  it('follows the random draw at failure rate 0.5: below declines, above completes', async () => {
    const { pay, db } = build({ failureRate: 0.5, delayMs: 0 }, draws(0.2, 0.7));
    const first = anOrderCreated();
    const second = anOrderCreated();

    await pay(first);
    await pay(second);

    expect(db.payments.map((p) => [p.orderId, p.status])).toEqual([
      [first.data.orderId, 'failed'],
      [second.data.orderId, 'completed'],
    ]);
    expect(db.outbox.map((m) => m.topic)).toEqual(['payment.failed', 'payment.completed']);
  });

  it('pays once when the same event arrives three times', async () => {
    const { pay, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1));
    const event = anOrderCreated();

    for (let i = 0; i < 3; i++) await pay(event);

    expect(db.payments).toHaveLength(1);
    expect(db.outbox).toHaveLength(1);
  });

  it('pays an order once even when two different events ask for it', async () => {
    const { pay, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1, 0.1));
    const first = anOrderCreated();
    const second = anOrderCreated({ orderId: first.data.orderId });
    // Both pass the quick check before either has committed (two deliveries in flight).
    db.quickCheckMisses = true;

    await pay(first);
    await pay(second);

    expect(db.payments).toHaveLength(1);
    expect(db.outbox).toHaveLength(1);
    // The second event is recorded as seen, so its own redelivery stops at the ledger.
    expect(db.processed.has(`${ORDER_CREATED_CONSUMER}/${second.eventId}`)).toBe(true);
  });

  it('stops at the ledger when the event was seen, even if the payment check missed it', async () => {
    const { pay, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1, 0.1));
    const event = anOrderCreated();
    db.processed.add(`${ORDER_CREATED_CONSUMER}/${event.eventId}`);

    await pay(event);
    expect(db.payments).toHaveLength(0);
    expect(db.outbox).toHaveLength(0);
  });

  it('waits for the provider before opening the transaction, with heartbeats', async () => {
    jest.useFakeTimers();
    const { pay, db } = build({ failureRate: 0, delayMs: 5000 }, draws(0.1));
    const heartbeat = jest.fn(() => void db.events.push('heartbeat'));

    const paying = pay(anOrderCreated(), heartbeat);
    await jest.advanceTimersByTimeAsync(4999);
    expect(db.transactions).toBe(0);
    await jest.advanceTimersByTimeAsync(1);

    await paying;
    expect(db.payments).toHaveLength(1);
    expect(db.events).toEqual(['heartbeat', 'heartbeat', 'heartbeat', 'transaction']);
  });

  it('answers a redelivery of a paid order at once, without waiting for the provider again', async () => {
    jest.useFakeTimers();
    const { pay, db } = build({ failureRate: 0, delayMs: 600_000 }, draws(0.1));
    const event = anOrderCreated();
    const first = pay(event);
    await jest.advanceTimersByTimeAsync(600_000);
    await first;

    // No timers advanced: a second wait would never end.
    await pay(event);
    expect(db.transactions).toBe(1);
  });

  it('leaves nothing behind when the transaction fails, and the retry pays once', async () => {
    const { pay, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1, 0.1));
    const event = anOrderCreated();
    const realTransaction = db.dataSource.transaction.bind(db.dataSource);
    let failures = 1;
    const seenAfterFailure: number[] = [];
    (db.dataSource as { transaction: unknown }).transaction = async <T>(work: (m: EntityManager) => Promise<T>) =>
      realTransaction(async (m: EntityManager) => {
        const result = await work(m);
        if (failures-- > 0) throw new Error('deadlock detected');
        return result;
      }).catch((e: unknown) => {
        seenAfterFailure.push(db.payments.length + db.outbox.length + db.processed.size);
        throw e;
      });

    await pay(event);
    expect(seenAfterFailure).toEqual([0]);
    expect([db.payments.length, db.outbox.length, db.processed.size]).toEqual([1, 1, 1]);
  });

  it('parks a message that is not an order.created event and pays nothing', async () => {
    const { pay, db, producer } = build({ failureRate: 0, delayMs: 0 }, draws());
    const notAnOrder = createEnvelope('UserCreated', 1, { userId: randomUUID() }, 'req-1');
    await pay(notAnOrder);
    expect(db.payments).toEqual([]);
    expect(producer.sent.map((r) => r.topic)).toEqual(['order.created.dlq']);
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('type must be OrderCreated, got UserCreated');
  });
});

describe('how payment-service consumes (the README: payments commit together, refunds one by one)', () => {
  function registeredOptions(consumer: object) {
    const processor = new EventProcessor(new DeadLetterPublisher(new RecordingProducer() as unknown as KafkaProducer), {} as UnitOfWork, {} as Ledger);
    const register = jest.spyOn(processor, 'register');
    withProcessor(consumer, processor);
    return register.mock.calls.map(([r]) => ({ consumer: r.consumer, ...r.options }));
  }

  it('waits for the provider outside any transaction, and commits a batch of payments in one unit', () => {
    expect(registeredOptions(new OrderCreatedConsumer({} as PaymentsService))).toEqual([
      { consumer: ORDER_CREATED_CONSUMER, waitsOutsideTransaction: true, commitsTogether: true },
    ]);
  });

  it('takes refunds one at a time: a refund is never asked of the provider again for a batch-mate', () => {
    expect(registeredOptions(new RefundRequestedConsumer({} as RefundsService))).toEqual([
      { consumer: 'payment-service.refund-requested', waitsOutsideTransaction: true },
    ]);
  });
});
