import type { ConfigService } from '@nestjs/config';
import type { Message } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { DatabaseEnv } from '../config/env';
import type { KafkaProducer } from '../kafka/kafka-producer';
import { byId, byTopic, OutboxRelay } from './outbox-relay';

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

describe('OutboxRelay.publishPending', () => {
  const claimed = (locked: boolean, ...ids: string[]) => [
    { command: 'BEGIN', rows: [] },
    { command: 'DELETE', rows: ids.length ? ids.map((id) => ({ locked, id, topic: 'order.created', message_key: `k${id}`, payload: '{}', headers: {} })) : [{ locked, id: null }] },
  ];

  /** A relay over a pool of one fake connection, recording what it was sent and how it was released. */
  function relayWith(answers: { claim: unknown; failAt?: string }, send: () => Promise<void> = async () => undefined) {
    const sent: string[] = [];
    const released: boolean[] = [];
    const connection = {
      query: jest.fn(async (sql: string) => {
        sent.push(sql.startsWith('START TRANSACTION;') ? 'BEGIN+CLAIM' : sql);
        if (answers.failAt && sql.startsWith(answers.failAt)) throw new Error(`connection lost during ${answers.failAt}`);
        return sql.startsWith('START TRANSACTION;') ? answers.claim : { rows: [] };
      }),
      release: jest.fn((destroy: boolean) => released.push(destroy)),
    };
    const dataSource = { driver: { master: { connect: async () => connection } } } as unknown as DataSource;
    const producer = { sendAll: jest.fn(send) } as unknown as KafkaProducer;
    const config = { get: () => 'true' } as unknown as ConfigService<Pick<DatabaseEnv, 'OUTBOX_RELAY_ENABLED'>, true>;
    return { relay: new OutboxRelay(dataSource, producer, config), sent, released, producer };
  }

  it('sends the claimed rows in id order and commits: two round trips, the connection back in the pool', async () => {
    const { relay, sent, released, producer } = relayWith({ claim: claimed(true, '10', '9') });
    await expect(relay.publishPending()).resolves.toBe(2);
    expect(sent).toEqual(['BEGIN+CLAIM', 'COMMIT']);
    expect(released).toEqual([false]);
    const [[batch]] = (producer.sendAll as jest.Mock).mock.calls as [[{ messages: { key: string }[] }[]]][];
    expect(batch[0].messages.map((m) => m.key)).toEqual(['k9', 'k10']);
  });

  it('rolls the delete back when the send fails (the rows are in the outbox again) and throws', async () => {
    const { relay, sent, released } = relayWith({ claim: claimed(true, '1') }, async () => {
      throw new Error('broker gone');
    });
    await expect(relay.publishPending()).rejects.toThrow('broker gone');
    expect(sent).toEqual(['BEGIN+CLAIM', 'ROLLBACK']);
    expect(released).toEqual([false]);
  });

  it("answers 'busy' when another instance's relay holds the lock, sending nothing", async () => {
    const { relay, sent, producer } = relayWith({ claim: claimed(false) });
    await expect(relay.publishPending()).resolves.toBe('busy');
    expect(sent).toEqual(['BEGIN+CLAIM', 'COMMIT']);
    expect(producer.sendAll).not.toHaveBeenCalled();
  });

  it('closes the connection instead of pooling it when a statement failed (its transaction and lock may be open)', async () => {
    const atCommit = relayWith({ claim: claimed(true, '1'), failAt: 'COMMIT' });
    await expect(atCommit.relay.publishPending()).rejects.toThrow('connection lost during COMMIT');
    expect(atCommit.released).toEqual([true]);
    const atClaim = relayWith({ claim: claimed(true, '1'), failAt: 'START TRANSACTION;' });
    await expect(atClaim.relay.publishPending()).rejects.toThrow('connection lost during START TRANSACTION;');
    expect(atClaim.released).toEqual([true]);
  });
});
