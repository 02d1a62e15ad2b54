import type { Message } from 'kafkajs';
import { byId, byTopic } from './outbox-relay';

const row = (id: string, key: string, topic = 'order.created') => ({ id, topic, message_key: key });
const toMessage = (r: { id: string; message_key: string }): Message => ({ key: r.message_key, value: r.id });

describe('byTopic', () => {
  it('keeps the rows of each topic in id order, so one key\'s events reach its partition in order', () => {
    const batch = byTopic([row('1', 'a'), row('2', 'b'), row('3', 'a'), row('4', 'c'), row('5', 'a')], toMessage);
    expect(batch).toEqual([{ topic: 'order.created', messages: ['1', '2', '3', '4', '5'].map((id) => expect.objectContaining({ value: id })) }]);
    const ofKeyA = batch[0].messages.filter((m) => m.key === 'a').map((m) => m.value);
    expect(ofKeyA).toEqual(['1', '3', '5']);
  });

  it('puts each topic in its own group, in order of first appearance', () => {
    const batch = byTopic([row('1', 'a', 'payment.completed'), row('2', 'a', 'order.created'), row('3', 'b', 'payment.completed')], toMessage);
    expect(batch.map((t) => [t.topic, t.messages.map((m) => m.value)])).toEqual([
      ['payment.completed', ['1', '3']],
      ['order.created', ['2']],
    ]);
  });
});

describe('byId', () => {
  it('orders bigserial ids as numbers, not as text (9 before 10), so rows leave in the order they were written', () => {
    const ids = ['10', '9', '100', '11', '2'].map((id) => ({ id }));
    expect(ids.sort(byId).map((r) => r.id)).toEqual(['2', '9', '10', '11', '100']);
  });
});
