import { Producer } from 'kafkajs';
import request from 'supertest';
import { Contracts } from '../../src/shared/events/contracts';
import { parseEvent } from '../../src/shared/events/parse-event';
import { anOrderCreated, publishOrderCreated, startPaymentService, testKafka, TestApp, TopicRecorder, truncate } from './support';

const COMPLETED = Contracts.PaymentCompleted.topic;
const FAILED = Contracts.PaymentFailed.topic;

const API_KEY = 'payment-service-integration-test-key-0123456789';

describe('payment-service with PAYMENT_FAILURE_RATE=1 and API_KEY set (real Kafka and PostgreSQL)', () => {
  let sut: TestApp;
  let producer: Producer;
  let recorder: TopicRecorder;
  const kafka = testKafka('it-failed');

  beforeAll(async () => {
    recorder = new TopicRecorder([COMPLETED, FAILED]);
    await recorder.start();
    sut = await startPaymentService({ PAYMENT_FAILURE_RATE: '1', PAYMENT_DELAY_MS: '0', API_KEY });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await sut?.close();
  });

  beforeEach(async () => truncate(sut.db));

  it('declines the payment and publishes payment.failed with the reason', async () => {
    const order = anOrderCreated({ totalAmount: '99.99' });

    await publishOrderCreated(producer, order);

    const [message] = await recorder.waitFor(FAILED, order.data.orderId);
    const rows: { id: string; status: string; failure_reason: string | null; amount: string }[] = await sut.db.query(
      'SELECT id, status, failure_reason, amount::text AS amount FROM payments WHERE order_id = $1',
      [order.data.orderId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', amount: '99.99' });
    expect(rows[0].failure_reason).toMatch(/declined/);

    const parsed = parseEvent(Contracts.PaymentFailed, message.value);
    if (!parsed.ok) throw new Error(`payment.failed does not meet its contract: ${parsed.reason}`);
    expect(parsed.event).toMatchObject({
      type: 'PaymentFailed',
      requestId: order.requestId,
      data: { paymentId: rows[0].id, orderId: order.data.orderId, amount: '99.99', reason: rows[0].failure_reason, code: 'PAYMENT.DECLINED' },
    });
    expect(message.key).toBe(order.data.orderId);
    expect(message.headers['x-request-id']).toBe(order.requestId);
    expect(recorder.on(COMPLETED, order.data.orderId)).toEqual([]);
  });

  it('serves payments only to callers with the X-API-Key, probes to anyone', async () => {
    const http = request(sut.app.getHttpServer());

    const refused = await http.get('/payments').expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401, requestId: expect.any(String) });
    await http.get('/payments').set('x-api-key', 'wrong').expect(401);
    await http.get('/payments').set('x-api-key', API_KEY).expect(200);
    await http.get('/health/live').expect(200);
    await http.get('/metrics').expect(200);
  });
});
