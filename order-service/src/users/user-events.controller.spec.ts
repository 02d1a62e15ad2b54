import { randomUUID } from 'node:crypto';
import { UserCreatedData, UserDeletedData } from '../shared/events/contracts';
import { EventEnvelope } from '../shared/events/envelope';
import { DLQ_HEADERS } from '../shared/kafka/dead-letter.publisher';
import { EffectOutcome } from '../shared/kafka/event-processor';
import { aKafkaContext, anEnvelope, anEventProcessor } from '../testing/kafka-fakes';
import { UserEventsController } from './user-events.controller';
import { UserEventsService } from './user-events.service';

class FakeUserEvents {
  readonly created: EventEnvelope<string, UserCreatedData>[] = [];
  readonly deleted: EventEnvelope<string, UserDeletedData>[] = [];
  failWith: Error | null = null;

  async applyUserCreated(e: EventEnvelope<string, UserCreatedData>): Promise<EffectOutcome> {
    if (this.failWith) throw this.failWith;
    this.created.push(e);
    return 'processed';
  }

  async applyUserDeleted(e: EventEnvelope<string, UserDeletedData>): Promise<EffectOutcome> {
    this.deleted.push(e);
    return 'processed';
  }
}

function setup() {
  const { processor, producer } = anEventProcessor();
  const users = new FakeUserEvents();
  const sut = new UserEventsController(processor, users as unknown as UserEventsService);
  return { sut, users, producer };
}

const aUserCreated = (over: Record<string, unknown> = {}) =>
  anEnvelope('UserCreated', { userId: randomUUID(), email: 'ann@example.com', name: 'Ann', role: 'user', ...over });

describe('UserEventsController', () => {
  it('hands a valid user.created to the service, typed, and parks nothing', async () => {
    const { sut, users, producer } = setup();
    const event = aUserCreated();
    await sut.onUserCreated(event, aKafkaContext('user.created', event));
    expect(users.created).toHaveLength(1);
    expect(users.created[0]).toMatchObject({ eventId: event.eventId, requestId: 'req-1', data: event.data });
    expect(producer.sent).toEqual([]);
  });

  it('hands a valid user.deleted to the service', async () => {
    const { sut, users } = setup();
    const event = anEnvelope('UserDeleted', { userId: randomUUID() });
    await sut.onUserDeleted(event, aKafkaContext('user.deleted', event));
    expect(users.deleted.map((e) => e.data.userId)).toEqual([event.data.userId]);
  });

  it('dead-letters a value that is not JSON, with the reason, and does not call the service', async () => {
    const { sut, users, producer } = setup();
    await sut.onUserCreated('not json {', aKafkaContext('user.created', 'not json {'));
    expect(users.created).toEqual([]);
    expect(producer.sent[0].topic).toBe('user.created.dlq');
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('value is not JSON');
    expect(producer.sent[0].messages[0].value).toBe('not json {');
  });

  it('dead-letters an event whose data breaks the contract', async () => {
    const { sut, users, producer } = setup();
    const event = aUserCreated({ email: 'not-an-email' });
    await sut.onUserCreated(event, aKafkaContext('user.created', event));
    expect(users.created).toEqual([]);
    expect(String(producer.headersOf(0)[DLQ_HEADERS.reason])).toMatch(/^invalid data: email/);
  });

  it('dead-letters an event of another type sent to the topic', async () => {
    const { sut, producer } = setup();
    const event = anEnvelope('UserDeleted', { userId: randomUUID() });
    await sut.onUserCreated(event, aKafkaContext('user.created', event));
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('type must be UserCreated, got UserDeleted');
  });

  it('retries a failing effect a bounded number of times, then parks the message', async () => {
    const { sut, users, producer } = setup();
    users.failWith = new Error('connection reset');
    const event = aUserCreated();
    await sut.onUserCreated(event, aKafkaContext('user.created', event));
    expect(producer.sent).toHaveLength(1);
    expect(producer.headersOf(0)[DLQ_HEADERS.reason]).toBe('gave up after 3 attempts: connection reset');
  });
});
