import { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Contracts } from '../../src/shared/events/contracts';
import { deadLetterTopicOf } from '../../src/shared/events/topics';
import { parseEvent } from '../../src/shared/events/parse-event';
import { DLQ_HEADERS } from '../../src/shared/kafka/dead-letter.publisher';
import { PaymentsService } from '../../src/payments/payments.service';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import {
  anOrderCreated,
  eventually,
  publishOrderCreated,
  publishRaw,
  startPaymentService,
  testKafka,
  TestApp,
  TopicRecorder,
  truncate,
  waitUntilConsumed,
} from './support';

const COMPLETED = Contracts.PaymentCompleted.topic;
const FAILED = Contracts.PaymentFailed.topic;
const DLQ = deadLetterTopicOf(Contracts.OrderCreated.topic);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount: string;
  status: string;
  failure_reason: string | null;
}

describe('payment-service on real Kafka and PostgreSQL (failure rate 0)', () => {
  let sut: TestApp;
  let producer: Producer;
  let recorder: TopicRecorder;
  const kafka = testKafka('it');
  const admin = kafka.admin();

  const paymentsOf = (orderId: string): Promise<PaymentRow[]> =>
    sut.db.query('SELECT id, order_id, user_id, amount::text AS amount, status, failure_reason FROM payments WHERE order_id = $1', [orderId]);

  beforeAll(async () => {
    recorder = new TopicRecorder([COMPLETED, FAILED, DLQ]);
    await recorder.start();
    sut = await startPaymentService({ PAYMENT_FAILURE_RATE: '0', PAYMENT_DELAY_MS: '0' });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await admin.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await sut?.close();
    await admin.disconnect();
  });

  beforeEach(async () => truncate(sut.db));

  it('pays an order.created once and publishes payment.completed keyed by the order, with its request id', async () => {
    const order = anOrderCreated();

    await publishOrderCreated(producer, order);

    const [message] = await recorder.waitFor(COMPLETED, order.data.orderId);
    const payments = await paymentsOf(order.data.orderId);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ user_id: order.data.userId, amount: '20.31', status: 'completed', failure_reason: null });

    const parsed = parseEvent(Contracts.PaymentCompleted, message.value);
    if (!parsed.ok) throw new Error(`payment.completed does not meet its contract: ${parsed.reason}`);
    expect(parsed.event).toMatchObject({
      type: 'PaymentCompleted',
      version: 1,
      requestId: order.requestId,
      data: { paymentId: payments[0].id, orderId: order.data.orderId, amount: '20.31' },
    });
    expect(parsed.event.eventId).toMatch(UUID);
    expect(parsed.event.eventId).not.toBe(order.eventId);
    expect(Date.now() - Date.parse(parsed.event.occurredAt)).toBeLessThan(60_000);
    expect(message.key).toBe(order.data.orderId);
    expect(message.headers['x-request-id']).toBe(order.requestId);
    expect(recorder.on(FAILED, order.data.orderId)).toEqual([]);
    const [{ count }] = await sut.db.query('SELECT count(*)::int AS count FROM outbox_messages');
    expect(count).toBe(0);
  });

  it('pays once and publishes once when the same order.created arrives three times', async () => {
    const order = anOrderCreated();

    await publishOrderCreated(producer, order);
    await publishOrderCreated(producer, order);
    const last = await publishOrderCreated(producer, order);

    await waitUntilConsumed(admin, sut.groupId, Contracts.OrderCreated.topic, last);
    await recorder.waitFor(COMPLETED, order.data.orderId);
    await eventually(async () => (await sut.db.query('SELECT 1 FROM outbox_messages')).length === 0, 'an empty outbox');
    await new Promise((r) => setTimeout(r, 1500)); // room for a second payment.completed, if one were coming
    expect(await paymentsOf(order.data.orderId)).toHaveLength(1);
    expect(recorder.on(COMPLETED, order.data.orderId)).toHaveLength(1);
    const [{ count }] = await sut.db.query('SELECT count(*)::int AS count FROM processed_events WHERE event_id = $1', [order.eventId]);
    expect(count).toBe(1);
  });

  it('pays an order once even when a second, different event asks for it again', async () => {
    const order = anOrderCreated();
    const again = anOrderCreated({ ...order.data });

    await publishOrderCreated(producer, order);
    const last = await publishOrderCreated(producer, again);

    await waitUntilConsumed(admin, sut.groupId, Contracts.OrderCreated.topic, last);
    await recorder.waitFor(COMPLETED, order.data.orderId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await paymentsOf(order.data.orderId)).toHaveLength(1);
    expect(recorder.on(COMPLETED, order.data.orderId)).toHaveLength(1);
  });

  it('lets the unique index on order_id decide between two events for one order handled at the same time', async () => {
    const payments = sut.app.get(PaymentsService);
    const unitOfWork = sut.app.get(UnitOfWork);
    const order = anOrderCreated();
    const again = anOrderCreated({ ...order.data });

    const outcomes = await Promise.all(
      [order, again].map((event) => unitOfWork.run(() => payments.record(event.data, { status: 'completed' }))),
    );

    expect(outcomes.map((o) => o ?? 'recorded').sort()).toEqual(['duplicate', 'recorded']);
    expect(await paymentsOf(order.data.orderId)).toHaveLength(1);
    await recorder.waitFor(COMPLETED, order.data.orderId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(recorder.on(COMPLETED, order.data.orderId)).toHaveLength(1);
    await expect(
      sut.db.query("INSERT INTO payments (id, order_id, user_id, amount, status) VALUES ($1, $2, $3, 1, 'completed')", [
        randomUUID(),
        order.data.orderId,
        order.data.userId,
      ]),
    ).rejects.toThrow(/payments_order_id_unique/);
  });

  it('dead-letters non-JSON, wrong-schema and wrong-version messages, and still pays the order after them', async () => {
    const order = anOrderCreated();
    const key = order.data.orderId; // one key: one partition, so the valid message queues behind the bad ones
    const wrongSchema = { ...order, eventId: randomUUID(), data: { ...order.data, totalAmount: 'twelve' } };
    const wrongVersion = { ...order, eventId: randomUUID(), version: 2 };

    const sent = [
      await publishRaw(producer, key, '{not json'),
      await publishRaw(producer, key, JSON.stringify(wrongSchema)),
      await publishRaw(producer, key, JSON.stringify(wrongVersion)),
      await publishOrderCreated(producer, order),
    ];
    expect(new Set(sent.map((s) => s.partition)).size).toBe(1);

    const parked = await recorder.waitFor(DLQ, key, 3);
    expect(parked.map((m) => m.headers[DLQ_HEADERS.reason])).toEqual([
      'value is not JSON',
      expect.stringMatching(/^invalid data: totalAmount/),
      expect.stringMatching(/^unsupported version 2 of OrderCreated/),
    ]);
    expect(parked[0].value).toBe('{not json');
    for (const m of parked) {
      expect(m.headers[DLQ_HEADERS.originalTopic]).toBe('order.created');
      expect(m.headers[DLQ_HEADERS.consumer]).toBe('payment-service.order-created');
    }
    expect(parked.map((m) => m.headers[DLQ_HEADERS.originalOffset])).toEqual(sent.slice(0, 3).map((s) => s.baseOffset));

    await recorder.waitFor(COMPLETED, key);
    expect(await paymentsOf(key)).toHaveLength(1);
  });

  describe('HTTP (read-only)', () => {
    it('lists payments with X-Total-Count, filters by order, and reads one by id', async () => {
      const first = anOrderCreated();
      const second = anOrderCreated({ totalAmount: '7.5' });
      await publishOrderCreated(producer, first);
      await publishOrderCreated(producer, second);
      await recorder.waitFor(COMPLETED, first.data.orderId);
      await recorder.waitFor(COMPLETED, second.data.orderId);
      const http = request(sut.app.getHttpServer());

      const all = await http.get('/payments').expect(200);
      expect(all.headers['x-total-count']).toBe('2');
      expect(all.body).toHaveLength(2);

      const page = await http.get('/payments?limit=1&offset=1').expect(200);
      expect(page.headers['x-total-count']).toBe('2');
      expect(page.body).toHaveLength(1);

      const one = await http.get(`/payments?orderId=${second.data.orderId}`).expect(200);
      expect(one.headers['x-total-count']).toBe('1');
      expect(one.body).toEqual([
        {
          id: expect.stringMatching(UUID),
          orderId: second.data.orderId,
          userId: second.data.userId,
          amount: '7.50',
          status: 'completed',
          failureReason: null,
          createdAt: expect.any(String),
          refund: null,
        },
      ]);

      const byId = await http.get(`/payments/${one.body[0].id}`).expect(200);
      expect(byId.body).toEqual(one.body[0]);
    });

    it('answers 404 for an unknown id and 400 for bad input, with the error shape', async () => {
      const http = request(sut.app.getHttpServer());

      const missing = await http.get(`/payments/${randomUUID()}`).set('x-request-id', 'rid-404').expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: 'rid-404' });
      expect(missing.body.message).toMatch(/payment .* not found/);

      await http.get('/payments/not-a-uuid').expect(400);
      const badOrder = await http.get('/payments?orderId=nope').expect(400);
      expect(JSON.stringify(badOrder.body.message)).toContain('orderId');
      await http.get('/payments?limit=0').expect(400);
      await http.get('/payments?limit=101').expect(400);
      await http.get('/payments?offset=-1').expect(400);
      await http.get('/payments?color=red').expect(400);
    });

    it('is ready when PostgreSQL and Kafka answer, and exports payments_total', async () => {
      const http = request(sut.app.getHttpServer());
      const order = anOrderCreated();
      await publishOrderCreated(producer, order);
      await recorder.waitFor(COMPLETED, order.data.orderId);

      const ready = await http.get('/health/ready').expect(200);
      expect(ready.body.info).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
      await http.get('/health/live').expect(200);
      const metrics = await http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^payments_total\{status="completed"\} [1-9]/m);
    });
  });
});
