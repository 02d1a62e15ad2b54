import { Producer } from 'kafkajs';
import { Contracts } from '../../src/shared/events/contracts';
import { eventsConsumed } from '../../src/shared/observability/metrics';
import { anOrderCreated, publishOrderCreated, startPaymentService, testKafka, TestApp, TopicRecorder } from './support';

const COMPLETED = Contracts.PaymentCompleted.topic;
/** Longer than the consumer's 30 s session timeout: without heartbeats Kafka would evict the member. */
const DELAY_MS = 35_000;

async function duplicatesSeen(): Promise<number> {
  const metric = await eventsConsumed.get();
  return metric.values.find((v) => v.labels.topic === Contracts.OrderCreated.topic && v.labels.outcome === 'duplicate')?.value ?? 0;
}

describe(`payment-service with a provider slower than the session timeout (PAYMENT_DELAY_MS=${DELAY_MS})`, () => {
  let sut: TestApp;
  let producer: Producer;
  let recorder: TopicRecorder;
  const kafka = testKafka('it-slow');

  beforeAll(async () => {
    recorder = new TopicRecorder([COMPLETED]);
    await recorder.start();
    sut = await startPaymentService({ PAYMENT_FAILURE_RATE: '0', PAYMENT_DELAY_MS: String(DELAY_MS) });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await recorder?.stop();
    await sut?.close();
  });

  it('stays in its group while it waits: the order is paid once and the message is not redelivered', async () => {
    const before = await duplicatesSeen();
    const order = anOrderCreated();
    const started = Date.now();

    await publishOrderCreated(producer, order);
    await recorder.waitFor(COMPLETED, order.data.orderId, 1, DELAY_MS + 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS);

    // An evicted member's offset commit fails and the message comes back: give it the time to.
    await new Promise((r) => setTimeout(r, 5000));
    expect(await duplicatesSeen()).toBe(before);
    const [{ count }] = await sut.db.query('SELECT count(*)::int AS count FROM payments WHERE order_id = $1', [order.data.orderId]);
    expect(count).toBe(1);
    expect(recorder.on(COMPLETED, order.data.orderId)).toHaveLength(1);
  }, DELAY_MS + 60_000);
});
