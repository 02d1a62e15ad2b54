import { Producer } from 'kafkajs';
import request from 'supertest';
import { Contracts } from '../../src/shared/events/contracts';
import { parseEvent } from '../../src/shared/events/parse-event';
import { aCompletedPayment, aRefundRequested, eventually, publishRefundRequested, startPaymentService, testKafka, TestApp, TopicRecorder, truncate } from './support';

const REFUNDED = Contracts.PaymentRefunded.topic;
const REQUEST_DLQ = `${Contracts.RefundRequested.topic}.dlq`;

describe('refunds (real Kafka and PostgreSQL)', () => {
  let sut: TestApp;
  let producer: Producer;
  let recorder: TopicRecorder;
  const kafka = testKafka('it-refunds');

  beforeAll(async () => {
    recorder = new TopicRecorder([REFUNDED, REQUEST_DLQ]);
    await recorder.start();
    sut = await startPaymentService({ PAYMENT_FAILURE_RATE: '0', PAYMENT_DELAY_MS: '0', REFUND_FAILURE_RATE: '0', REFUND_DELAY_MS: '50' });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await sut?.close();
  });

  beforeEach(async () => truncate(sut.db));

  const refundsOf = (paymentId: string): Promise<{ id: string; status: string; amount: string; attempts: number }[]> =>
    sut.db.query('SELECT id, status, amount::text AS amount, attempts FROM refunds WHERE payment_id = $1', [paymentId]);

  it('refunds the payment in full and publishes payment.refunded; the payment lists its refund', async () => {
    const payment = await aCompletedPayment(producer, sut.db, '20.30');
    const requested = aRefundRequested({ ...payment, reason: 'cancelled' });
    await publishRefundRequested(producer, requested);

    const [message] = await recorder.waitFor(REFUNDED, payment.orderId);
    const [refund] = await refundsOf(payment.paymentId);
    expect(refund).toMatchObject({ status: 'completed', amount: '20.30', attempts: 1 });
    const parsed = parseEvent(Contracts.PaymentRefunded, message.value);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.event.data).toEqual({ refundId: refund.id, paymentId: payment.paymentId, orderId: payment.orderId, amount: '20.30' });
    expect(parsed.event.requestId).toBe(requested.requestId);

    const res = await request(sut.app.getHttpServer()).get(`/payments?orderId=${payment.orderId}`).expect(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0].refund).toMatchObject({ id: refund.id, amount: '20.30', status: 'completed', attempts: 1, failureReason: null });
  });

  it('refunds once when the same request comes twice and when another request names the same payment', async () => {
    const payment = await aCompletedPayment(producer, sut.db);
    const first = aRefundRequested({ ...payment, reason: 'cancelled' });
    await publishRefundRequested(producer, first);
    await publishRefundRequested(producer, first);
    await publishRefundRequested(producer, aRefundRequested({ ...payment, reason: 'late_payment' }));
    await eventually(async () => {
      const [row] = (await sut.db.query(`SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'payment-service.refund-requested'`)) as { n: number }[];
      return row.n >= 1;
    }, 'the refund handled');
    await recorder.waitFor(REFUNDED, payment.orderId);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await refundsOf(payment.paymentId)).toHaveLength(1);
    expect(recorder.on(REFUNDED, payment.orderId)).toHaveLength(1);
  });

  it('dead-letters a request whose amount is not what was paid, refunding nothing', async () => {
    const payment = await aCompletedPayment(producer, sut.db, '20.30');
    await publishRefundRequested(producer, aRefundRequested({ ...payment, amount: '20.31', reason: 'cancelled' }));
    const [parked] = await recorder.waitFor(REQUEST_DLQ, payment.orderId);
    expect(parked.headers['x-dead-letter-reason']).toMatch(/^REFUND.NOT_POSSIBLE: refund of 20.31 asked for payment .* of 20.30$/);
    expect(await refundsOf(payment.paymentId)).toEqual([]);
  });
});
