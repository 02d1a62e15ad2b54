import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Contracts, OrderCreatedData } from '../shared/events/contracts';
import { createEnvelope, EventEnvelope } from '../shared/events/envelope';
import { Outbox } from '../shared/outbox/outbox.service';
import { OutboxRelay } from '../shared/outbox/outbox-relay';
import { Payment } from './payment.entity';
import { PaymentSettings, PaymentSimulator, RandomSource } from './payment-simulator';
import { ORDER_CREATED_CONSUMER, PaymentsService } from './payments.service';
import { paymentsTotal } from './payments.metrics';

/**
 * An in-memory stand-in for the three statements payOnce runs (ledger insert, payment insert,
 * outbox insert), with the same conflict rules as the real tables; a failing transaction leaves
 * nothing behind, as PostgreSQL's would. The real SQL is exercised by the integration tests.
 */
class InMemoryPaymentsDb {
  processed = new Set<string>();
  payments: Payment[] = [];
  outbox: { topic: string; key: string; payload: EventEnvelope<string, Record<string, unknown>>; headers: Record<string, string> }[] = [];
  transactions = 0;
  events: string[] = [];

  readonly dataSource = {
    manager: {
      existsBy: async (_: unknown, where: { orderId: string }) => this.payments.some((p) => p.orderId === where.orderId),
    },
    transaction: async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      this.transactions++;
      this.events.push('transaction');
      const snapshot = { processed: new Set(this.processed), payments: [...this.payments], outbox: [...this.outbox] };
      try {
        return await work({ query: (sql: string, params: unknown[]) => this.query(sql, params) } as unknown as EntityManager);
      } catch (e) {
        Object.assign(this, snapshot);
        throw e;
      }
    },
  } as unknown as DataSource;

  private async query(sql: string, params: unknown[]): Promise<unknown[]> {
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

function build(settings: PaymentSettings, random: RandomSource) {
  const db = new InMemoryPaymentsDb();
  const relay = { wake: jest.fn() } as unknown as OutboxRelay;
  const simulator = new PaymentSimulator(settings, random);
  const sut = new PaymentsService(db.dataSource, new Outbox(db.dataSource, relay), simulator);
  return { sut, db, relay, simulator };
}

async function countOf(status: string): Promise<number> {
  const metric = await paymentsTotal.get();
  return metric.values.find((v) => v.labels.status === status)?.value ?? 0;
}

describe('PaymentsService.payOnce', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('completes the payment at failure rate 0 and publishes payment.completed with the request id', async () => {
    const { sut, db, relay } = build({ failureRate: 0, delayMs: 0 }, draws(0));
    const event = anOrderCreated();
    const before = await countOf('completed');

    expect(await sut.payOnce(event)).toBe('processed');

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
    const { sut, db } = build({ failureRate: 1, delayMs: 0 }, draws(0.999));
    const event = anOrderCreated({ totalAmount: '5.00' });
    const before = await countOf('failed');

    expect(await sut.payOnce(event)).toBe('processed');

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
    const { sut, db } = build({ failureRate: 0.5, delayMs: 0 }, draws(0.2, 0.7));
    const first = anOrderCreated();
    const second = anOrderCreated();

    await sut.payOnce(first);
    await sut.payOnce(second);

    expect(db.payments.map((p) => [p.orderId, p.status])).toEqual([
      [first.data.orderId, 'failed'],
      [second.data.orderId, 'completed'],
    ]);
    expect(db.outbox.map((m) => m.topic)).toEqual(['payment.failed', 'payment.completed']);
  });

  it('pays once when the same event arrives three times', async () => {
    const { sut, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1));
    const event = anOrderCreated();

    const outcomes = [await sut.payOnce(event), await sut.payOnce(event), await sut.payOnce(event)];

    expect(outcomes).toEqual(['processed', 'duplicate', 'duplicate']);
    expect(db.payments).toHaveLength(1);
    expect(db.outbox).toHaveLength(1);
  });

  it('pays an order once even when two different events ask for it', async () => {
    const { sut, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1, 0.1));
    const first = anOrderCreated();
    const second = anOrderCreated({ orderId: first.data.orderId });
    // Both pass the quick check before either has committed (two deliveries in flight).
    db.dataSource.manager.existsBy = async () => false;

    expect(await sut.payOnce(first)).toBe('processed');
    expect(await sut.payOnce(second)).toBe('duplicate');

    expect(db.payments).toHaveLength(1);
    expect(db.outbox).toHaveLength(1);
    // The second event is recorded as seen, so its own redelivery stops at the ledger.
    expect(db.processed.has(`${ORDER_CREATED_CONSUMER}/${second.eventId}`)).toBe(true);
  });

  it('stops at the ledger when the event was seen, even if the payment check missed it', async () => {
    const { sut, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1, 0.1));
    const event = anOrderCreated();
    db.processed.add(`${ORDER_CREATED_CONSUMER}/${event.eventId}`);

    expect(await sut.payOnce(event)).toBe('duplicate');
    expect(db.payments).toHaveLength(0);
    expect(db.outbox).toHaveLength(0);
  });

  it('waits for the provider before opening the transaction, with heartbeats', async () => {
    jest.useFakeTimers();
    const { sut, db } = build({ failureRate: 0, delayMs: 5000 }, draws(0.1));
    const heartbeat = jest.fn(() => {
      db.events.push('heartbeat');
      return Promise.resolve();
    });

    const paying = sut.payOnce(anOrderCreated(), heartbeat);
    await jest.advanceTimersByTimeAsync(4999);
    expect(db.transactions).toBe(0);
    await jest.advanceTimersByTimeAsync(1);

    expect(await paying).toBe('processed');
    expect(db.events).toEqual(['heartbeat', 'heartbeat', 'heartbeat', 'transaction']);
  });

  it('answers a redelivery of a paid order at once, without waiting for the provider again', async () => {
    jest.useFakeTimers();
    const { sut, db } = build({ failureRate: 0, delayMs: 600_000 }, draws(0.1));
    const event = anOrderCreated();
    const first = sut.payOnce(event);
    await jest.advanceTimersByTimeAsync(600_000);
    await first;

    // No timers advanced: a second wait would never end.
    expect(await sut.payOnce(event)).toBe('duplicate');
    expect(db.transactions).toBe(1);
  });

  it('leaves nothing behind when the transaction fails, so a retry pays', async () => {
    const { sut, db } = build({ failureRate: 0, delayMs: 0 }, draws(0.1, 0.1));
    const event = anOrderCreated();
    const realTransaction = db.dataSource.transaction.bind(db.dataSource);
    let fail = true;
    (db.dataSource as { transaction: unknown }).transaction = async <T>(work: (m: EntityManager) => Promise<T>) =>
      realTransaction(async (m: EntityManager) => {
        const result = await work(m);
        if (fail) throw new Error('connection terminated');
        return result;
      });

    await expect(sut.payOnce(event)).rejects.toThrow('connection terminated');
    expect([db.payments.length, db.outbox.length, db.processed.size]).toEqual([0, 0, 0]);

    fail = false;
    expect(await sut.payOnce(event)).toBe('processed');
    expect(db.payments).toHaveLength(1);
  });
});
