import { randomUUID } from 'node:crypto';
import { KnownUsers } from '../known-users/known-users';
import { OrderDraft, OrdersService } from '../orders/orders.service';
import { aKafkaContext, anEnvelope, anEventProcessor, deliver, withProcessor } from '../shared/kafka/consumers.testing';
import { DLQ_HEADERS } from '../shared/kafka/dead-letter.publisher';
import { UserEventsConsumer } from './user-events.consumer';

class FakeKnownUsers {
  readonly known = new Set<string>();
  readonly deleted = new Set<string>();
  remembered = 0;
  async remember(userId: string): Promise<{ active: boolean }> {
    this.remembered++;
    this.known.add(userId);
    return { active: !this.deleted.has(userId) };
  }
  async markDeleted(userId: string): Promise<void> {
    this.known.add(userId);
    this.deleted.add(userId);
  }
}

/** One welcome order per user, as the unique index keeps it; a new user is remembered with it. */
class FakeOrders {
  readonly inserted: OrderDraft[] = [];
  failWith: Error | null = null;
  constructor(private readonly users: FakeKnownUsers) {}
  async insert(draft: OrderDraft): Promise<object | null> {
    if (this.failWith) throw this.failWith;
    if (this.inserted.some((d) => d.userId === draft.userId && d.kind === 'welcome')) return null;
    this.inserted.push(draft);
    return {};
  }
  async insertForNewUser(draft: OrderDraft): Promise<object | null | 'user known'> {
    if (this.failWith) throw this.failWith;
    if (this.users.known.has(draft.userId)) return 'user known';
    this.users.known.add(draft.userId);
    return this.insert(draft);
  }
}

function setup() {
  const { processor, producer } = anEventProcessor();
  const users = new FakeKnownUsers();
  const orders = new FakeOrders(users);
  const sut = withProcessor(new UserEventsConsumer(users as unknown as KnownUsers, orders as unknown as OrdersService), processor);
  return { sut, users, orders, producer };
}

const aUserCreated = (over: Record<string, unknown> = {}) =>
  anEnvelope('UserCreated', { userId: randomUUID(), email: 'ann@example.com', name: 'Ann', role: 'user', ...over });

describe('UserEventsConsumer', () => {
  it('creates the welcome order of a valid user.created, dated by the event, and parks nothing', async () => {
    const { sut, orders, producer } = setup();
    const event = aUserCreated();
    await deliver(sut, 'welcome', event, aKafkaContext('user.created', event));
    expect(orders.inserted).toEqual([expect.objectContaining({ userId: event.data.userId, kind: 'welcome', chainStartedAt: new Date(event.occurredAt) })]);
    expect(producer.sent).toEqual([]);
  });

  it('makes no second welcome order, whether the same event comes again or another one repeats the user', async () => {
    const { sut, orders } = setup();
    const event = aUserCreated();
    await deliver(sut, 'welcome', event, aKafkaContext('user.created', event));
    await deliver(sut, 'welcome', event, aKafkaContext('user.created', event));
    const again = { ...aUserCreated(), data: event.data };
    await deliver(sut, 'welcome', again, aKafkaContext('user.created', again));
    expect(orders.inserted).toHaveLength(1);
  });

  it('remembers a new user with their welcome order in one call; a user known already (an order placed first) takes the long way', async () => {
    const { sut, orders, users } = setup();
    const fresh = aUserCreated();
    await deliver(sut, 'welcome', fresh, aKafkaContext('user.created', fresh));
    expect(users.remembered).toBe(0);
    const early = aUserCreated();
    users.known.add(early.data.userId as string);
    await deliver(sut, 'welcome', early, aKafkaContext('user.created', early));
    expect(users.remembered).toBe(1);
    expect(orders.inserted.map((d) => d.userId)).toEqual([fresh.data.userId, early.data.userId]);
  });

  it('makes no welcome order for a user deleted already (a user.created redriven after user.deleted)', async () => {
    const { sut, orders } = setup();
    const deleted = anEnvelope('UserDeleted', { userId: randomUUID() });
    await deliver(sut, 'forget', deleted, aKafkaContext('user.deleted', deleted));
    const created = aUserCreated({ userId: deleted.data.userId });
    await deliver(sut, 'welcome', created, aKafkaContext('user.created', created));
    expect(orders.inserted).toEqual([]);
  });

  it('dead-letters a value that is not JSON, with the reason, and changes nothing', async () => {
    const { sut, orders, producer } = setup();
    await deliver(sut, 'welcome', 'not json {', aKafkaContext('user.created', 'not json {'));
    expect(orders.inserted).toEqual([]);
    expect(producer.sent[0].topic).toBe('user.created.dlq');
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('value is not JSON');
    expect(producer.sent[0].messages[0].value).toBe('not json {');
  });

  it('dead-letters an event whose data breaks the contract', async () => {
    const { sut, orders, producer } = setup();
    const event = aUserCreated({ email: 'not-an-email' });
    await deliver(sut, 'welcome', event, aKafkaContext('user.created', event));
    expect(orders.inserted).toEqual([]);
    expect(String(producer.headersOf(0)[DLQ_HEADERS.reason])).toMatch(/^invalid data: email/);
  });

  it('dead-letters an event of another type sent to the topic', async () => {
    const { sut, producer } = setup();
    const event = anEnvelope('UserDeleted', { userId: randomUUID() });
    await deliver(sut, 'welcome', event, aKafkaContext('user.created', event));
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('type must be UserCreated, got UserDeleted');
  });

  it('retries a failing effect a bounded number of times, then parks the message', async () => {
    const { sut, orders, producer } = setup();
    orders.failWith = new Error('connection reset');
    const event = aUserCreated();
    await deliver(sut, 'welcome', event, aKafkaContext('user.created', event));
    expect(producer.sent).toHaveLength(1);
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('gave up after 3 attempts: connection reset');
  });
});
