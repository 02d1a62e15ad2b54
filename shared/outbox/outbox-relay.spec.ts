import { wavesByKey } from './outbox-relay';

const row = (id: string, key: string, topic = 'order.created') => ({ id, topic, message_key: key });

describe('wavesByKey', () => {
  it('sends rows of different keys together and rows of one key one after another, in id order', () => {
    const waves = wavesByKey([row('1', 'a'), row('2', 'b'), row('3', 'a'), row('4', 'c'), row('5', 'a')]);
    expect(waves.map((w) => w.map((r) => r.id))).toEqual([['1', '2', '4'], ['3'], ['5']]);
  });

  it('treats the same key on different topics as independent', () => {
    const waves = wavesByKey([row('1', 'a', 'payment.completed'), row('2', 'a', 'order.created')]);
    expect(waves).toHaveLength(1);
  });
});
