import { Producer } from 'kafkajs';
import { Contracts } from '../../src/shared/events/contracts';
import { aCompletedPayment, aRefundRequested, publishRefundRequested, startPaymentService, testKafka, TestApp, TopicRecorder, truncate } from './support';

const REFUND_FAILED = Contracts.PaymentRefundFailed.topic;
const REQUEST_DLQ = `${Contracts.RefundRequested.topic}.dlq`;

describe('a refund the provider keeps declining (REFUND_FAILURE_RATE=1, real Kafka and PostgreSQL)', () => {
  let sut: TestApp;
  let producer: Producer;
  let recorder: TopicRecorder;
  const kafka = testKafka('it-refund-exhausted');

  beforeAll(async () => {
    recorder = new TopicRecorder([REFUND_FAILED, REQUEST_DLQ]);
    await recorder.start();
    sut = await startPaymentService({ REFUND_FAILURE_RATE: '1', REFUND_MAX_ATTEMPTS: '3', REFUND_RETRY_DELAY_MS: '20' });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await sut?.close();
  });

  beforeEach(async () => truncate(sut.db));

  it('retries, then records the failure, tells payment.refund-failed and dead-letters the request for a redrive', async () => {
    const payment = await aCompletedPayment(producer, sut.db, '7.05');
    await publishRefundRequested(producer, aRefundRequested({ ...payment, reason: 'cancelled' }));

    const [failed] = await recorder.waitFor(REFUND_FAILED, payment.orderId);
    expect(JSON.parse(failed.value as string).data).toMatchObject({ paymentId: payment.paymentId, orderId: payment.orderId, amount: '7.05', attempts: 3 });
    const [parked] = await recorder.waitFor(REQUEST_DLQ, payment.orderId);
    expect(parked.headers['x-dead-letter-reason']).toMatch(/^REFUND.EXHAUSTED: refund of payment .* failed after 3 attempts/);

    const rows = (await sut.db.query('SELECT status, attempts, failure_reason FROM refunds WHERE payment_id = $1', [payment.paymentId])) as {
      status: string;
      attempts: number;
      failure_reason: string;
    }[];
    expect(rows).toEqual([{ status: 'failed', attempts: 3, failure_reason: expect.stringMatching(/declined/) }]);
    // No ledger entry: a redrive of the dead letter is a new try, not a duplicate.
    const ledger = (await sut.db.query(`SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'payment-service.refund-requested'`)) as { n: number }[];
    expect(ledger[0].n).toBe(0);
  });
});
