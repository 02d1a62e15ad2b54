import { Kafka, Message, PartitionerArgs, Partitioners, ProducerConfig, RecordMetadata, TopicMessages } from 'kafkajs';
import { IncompleteSendError, KafkaProducer, PartitionOf, recordingPartitioner, unacknowledged } from './kafka-producer';

const SETTINGS = { KAFKA_BROKER: 'localhost:1', KAFKA_CLIENT_ID: 'test', KAFKA_CONSUMER_GROUP: 'test' };
const PARTITIONS = 6;
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionId,
  leader: partitionId % 3,
  partitionErrorCode: 0,
  replicas: [0, 1, 2],
  isr: [0, 1, 2],
}));
const answer = (topicName: string, partition: number, errorCode = 0): RecordMetadata => ({ topicName, partition, errorCode, baseOffset: '0' });
const messages = (n: number): Message[] => Array.from({ length: n }, (_, i) => ({ key: `key-${i}`, value: `event-${i}` }));

/**
 * Stands in for kafkajs' producer: partitions each message with the partitioner it was built with
 * (as sendBatch does) and answers for the partitions `answered` lets through, as kafkajs 2.2.x does
 * when a leader moved to a broker that had answered already.
 */
function fakeKafka(answered: (topic: string, partition: number) => boolean) {
  const built: { disconnected: boolean }[] = [];
  jest.spyOn(Kafka.prototype, 'producer').mockImplementation((config?: ProducerConfig) => {
    const partition = config!.createPartitioner!();
    const state = { disconnected: false };
    built.push(state);
    return {
      connect: jest.fn().mockResolvedValue(undefined),
      disconnect: jest.fn(async () => void (state.disconnected = true)),
      on: jest.fn(),
      events: { DISCONNECT: 'producer.disconnect' },
      sendBatch: jest.fn(async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
        const touched = new Map<string, RecordMetadata>();
        for (const { topic, messages: batch } of topicMessages) {
          for (const message of batch) {
            const p = partition({ topic, partitionMetadata, message } as PartitionerArgs);
            if (answered(topic, p)) touched.set(`${topic}-${p}`, answer(topic, p));
          }
        }
        return [...touched.values()];
      }),
    } as never;
  });
  return built;
}

describe('recordingPartitioner', () => {
  it('picks the partition the default (murmur2) partitioner picks, and records it for the message', () => {
    const partitionOf: PartitionOf = new WeakMap();
    const recording = recordingPartitioner(partitionOf)();
    const reference = Partitioners.DefaultPartitioner();

    for (const message of messages(20)) {
      const picked = recording({ topic: 't', partitionMetadata, message });
      expect(picked).toBe(reference({ topic: 't', partitionMetadata, message }));
      expect(partitionOf.get(message)).toBe(picked);
    }
  });
});

describe('unacknowledged', () => {
  const a: Message = { key: 'a', value: '1' };
  const b: Message = { key: 'b', value: '2' };
  const c: Message = { key: 'c', value: '3' };
  const partitionOf: PartitionOf = new WeakMap([
    [a, 0],
    [b, 4],
    [c, 0],
  ]);
  const batch: TopicMessages[] = [
    { topic: 'order.created', messages: [a, b] },
    { topic: 'payment.completed', messages: [c] },
  ];

  it('is empty when every partition of the batch answered', () => {
    expect(unacknowledged(batch, [answer('order.created', 0), answer('order.created', 4), answer('payment.completed', 0)], partitionOf)).toEqual([]);
  });

  it('names each partition with messages and no answer, once', () => {
    expect(unacknowledged(batch, [answer('order.created', 0)], partitionOf)).toEqual(['order.created-4', 'payment.completed-0']);
  });

  it('counts an answer with an error code as no answer', () => {
    expect(unacknowledged(batch, [answer('order.created', 0), answer('order.created', 4, 6), answer('payment.completed', 0)], partitionOf)).toEqual([
      'order.created-4',
    ]);
  });

  it('counts a message that was never partitioned as not sent', () => {
    const stray: Message = { key: 'z', value: '9' };
    expect(unacknowledged([{ topic: 'order.created', messages: [stray] }], [], partitionOf)).toEqual(['order.created (message not sent)']);
  });
});

describe('KafkaProducer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('sends a batch every partition of which answered', async () => {
    fakeKafka(() => true);
    const sut = new KafkaProducer(SETTINGS);

    await expect(sut.sendAll([{ topic: 'order.created', messages: messages(30) }])).resolves.toBeUndefined();
  });

  it('throws IncompleteSendError naming the partitions a resolved sendBatch left out', async () => {
    fakeKafka((_topic, partition) => partition !== 2 && partition !== 5);
    const sut = new KafkaProducer(SETTINGS);

    const error = await sut.sendAll([{ topic: 'order.created', messages: messages(30) }]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IncompleteSendError);
    expect([...(error as IncompleteSendError).missing].sort()).toEqual(['order.created-2', 'order.created-5']);
  });

  it('reset builds a new producer (a new producer id) and disconnects the old one', async () => {
    const built = fakeKafka(() => true);
    const sut = new KafkaProducer(SETTINGS);
    const first = await sut.get();

    await sut.reset();
    const second = await sut.get();

    expect(second).not.toBe(first);
    expect(built.map((p) => p.disconnected)).toEqual([true, false]);
    expect(second.connect).toHaveBeenCalledTimes(1);
  });
});
