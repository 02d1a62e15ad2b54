// The event console (infra/console) on the test stack, with the four apps running: every API
// operation, the redrive proof (a message dead-lettered for a transient reason, redriven once with
// exactly one effect and the same trace), poison redriven and parked again, `npm run dlq`, and the
// admin token with AUTH_ENABLED.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { forgeToken } from '../support/jwt';
import { repoPath } from '../support/repo';
import { spawnApp, SpawnedApp } from '../support/spawned-app';
import { call, closeProducer, DeadLetterJson, dlq, MessageJson, ordersDb, publishRaw, RedriveJson, StoryJson } from '../support/event-console';
import { api, uniqueEmail } from './gateway';
import { BROKER, eventually } from './kafka-watch';

jest.setTimeout(180000);

const ORDERS_GROUP = 'order-service-group';
const PAYMENTS_GROUP = 'payment-service-group';
const timings: Record<string, number> = {};

let consoleApp: SpawnedApp;
let base = '';
let db: Pool;

const get = <T>(path: string) => call<T>(base, 'GET', path);
const post = <T>(path: string, body: unknown) => call<T>(base, 'POST', path, body);

async function signUp(tag: string): Promise<{ userId: string; requestId: string }> {
  const requestId = `console-${tag}-${randomUUID()}`;
  const res = await api<{ id: string }>('POST', '/api/users', { email: uniqueEmail(`console-${tag}`), name: 'Console Test', password: 'SecurePass123!' }, { 'x-request-id': requestId });
  expect(res.status).toBe(201);
  return { userId: res.body.id, requestId };
}

async function welcomeOrders(userId: string): Promise<Array<{ id: string; status: string }>> {
  const { rows } = await db.query<{ id: string; status: string }>("SELECT id, status FROM orders WHERE user_id = $1 AND kind = 'welcome'", [userId]);
  return rows;
}

async function messagesOf(query: string): Promise<MessageJson[]> {
  const res = await get<{ total: number; messages: MessageJson[] }>(`/api/messages?${query}`);
  expect(res.status).toBe(200);
  return res.body.messages;
}

async function deadLettersOf(query: string): Promise<DeadLetterJson[]> {
  const res = await get<DeadLetterJson[]>(`/api/dead-letters?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  consoleApp = await spawnApp('infra/console', { KAFKA_BROKER: BROKER, JAEGER_UI_URL: 'http://localhost:16686' }, 60000);
  base = consoleApp.url;
  db = ordersDb();
});

afterAll(async () => {
  await consoleApp?.stop();
  await db?.end();
  await closeProducer();
  const dir = process.env.E2E_LOG_DIR;
  if (dir) writeFileSync(join(dir, 'event-console-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  console.log(`event console timings (ms): ${JSON.stringify(timings)}`);
});

describe('the event console API', () => {
  let signedUp: { userId: string; requestId: string };
  let userCreated: MessageJson;

  beforeAll(async () => {
    signedUp = await signUp('api');
    const paid = await eventually(() => welcomeOrders(signedUp.userId), (o) => o.length === 1 && o[0].status !== 'pending', 60000);
    expect(paid[0]?.status).toMatch(/^(paid|failed)$/);
    const found = await eventually(() => messagesOf(`topic=user.created&key=${signedUp.userId}`), (m) => m.length === 1);
    userCreated = found[0];
  });

  it('GET /api/topics: every topic and its dead-letter twin, partitions with earliest/latest offsets, counts and rate', async () => {
    const res = await get<Array<{ name: string; deadLetter: boolean; partitions: Array<{ partition: number; earliest: number; latest: number; messages: number }>; messages: number; messagesPerSecond: number }>>('/api/topics');
    expect(res.status).toBe(200);
    const names = res.body.map((t) => t.name);
    for (const t of ['user.created', 'user.deleted', 'order.created', 'payment.completed', 'payment.failed']) {
      expect(names).toEqual(expect.arrayContaining([t, `${t}.dlq`]));
    }
    const topic = res.body.find((t) => t.name === 'user.created')!;
    expect(topic.deadLetter).toBe(false);
    expect(res.body.find((t) => t.name === 'user.created.dlq')?.deadLetter).toBe(true);
    expect(topic.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(topic.messages).toBe(topic.partitions.reduce((n, p) => n + p.latest - p.earliest, 0));
    expect(topic.messages).toBeGreaterThanOrEqual(1);
    expect(topic.messagesPerSecond).toBeGreaterThan(0);
    const onPartition = topic.partitions.find((p) => p.partition === userCreated.partition)!;
    expect(userCreated.offset).toBeLessThan(onPartition.latest);
  });

  it('GET /api/groups: the services\' groups, state, members with their partitions, committed offsets and lag', async () => {
    const res = await get<Array<{ groupId: string; state: string; members: Array<{ clientId: string; assignment: Record<string, number[]> }>; partitions: Array<{ topic: string; partition: number; committed: number | null; latest: number; lag: number }>; lag: number }>>('/api/groups');
    expect(res.status).toBe(200);
    const orders = res.body.find((g) => g.groupId === ORDERS_GROUP);
    expect(orders).toMatchObject({ state: 'Stable' });
    expect(orders!.members.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(orders!.members[0].assignment)).toEqual(expect.arrayContaining(['user.created']));
    const row = orders!.partitions.find((p) => p.topic === 'user.created' && p.partition === userCreated.partition)!;
    expect(row.committed).toBeGreaterThan(userCreated.offset);
    expect(row.lag).toBe(row.latest - (row.committed ?? 0));
    expect(res.body.map((g) => g.groupId)).toContain(PAYMENTS_GROUP);
    // The console's own reader is not a consumer of the system.
    expect(res.body.some((g) => g.groupId.startsWith('event-console-reader-'))).toBe(false);
  });

  it('GET /api/messages: newest first, the envelope decoded, filtered by key, eventId, requestId, trace id and time', async () => {
    expect(userCreated.value).toMatchObject({ type: 'UserCreated', requestId: signedUp.requestId, data: { userId: signedUp.userId } });
    expect(userCreated.headers.traceparent).toMatch(/^00-[\da-f]{32}-/);
    expect(userCreated.traceId).toBe(userCreated.headers.traceparent.split('-')[1]);
    expect(await messagesOf(`eventId=${userCreated.eventId}`)).toEqual([userCreated]);
    const ofRequest = await messagesOf(`requestId=${signedUp.requestId}`);
    expect(ofRequest.map((m) => m.topic)).toEqual(expect.arrayContaining(['user.created', 'order.created']));
    const ofTrace = await messagesOf(`traceId=${userCreated.traceId}`);
    expect(ofTrace.map((m) => m.id)).toContain(userCreated.id);
    const times = ofRequest.map((m) => Date.parse(m.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const at = Date.parse(userCreated.timestamp);
    expect(await messagesOf(`topic=user.created&key=${signedUp.userId}&from=${new Date(at - 1000).toISOString()}&to=${new Date(at + 1000).toISOString()}`)).toHaveLength(1);
    expect(await messagesOf(`topic=user.created&key=${signedUp.userId}&from=${new Date(at + 1000).toISOString()}`)).toHaveLength(0);
    expect(await messagesOf(`topic=user.created&partition=${userCreated.partition}&key=${signedUp.userId}`)).toHaveLength(1);
    expect((await messagesOf('topic=user.created&limit=1')).length).toBe(1);
  });

  it('GET /api/messages/:topic/:partition/:offset: the permalink; 404 for none, 400 for bad filters', async () => {
    const one = await get<MessageJson>(`/api/messages/${userCreated.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(userCreated);
    expect(userCreated.link).toBe(`/messages/${userCreated.id}`);
    const page = await call(base, 'GET', userCreated.link);
    expect(page.status).toBe(200);
    expect(page.text).toContain(signedUp.userId);
    const missing = await get<{ statusCode: number; requestId: string }>('/api/messages/user.created/0/999999999');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: expect.any(String) });
    const bad = await get<{ message: string[] }>('/api/messages?traceId=xyz&limit=0&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(/traceId.*|limit|colour/);
    // One message a field, with its range, whatever is wrong with the number.
    for (const [query, message] of [
      ['limit=abc', 'limit must be a whole number from 1 to 1000'],
      ['limit=1001', 'limit must be a whole number from 1 to 1000'],
      ['partition=-1', 'partition must be a whole number from 0 to 100000'],
    ]) {
      const refused = await get<{ message: string[] }>(`/api/messages?${query}`);
      expect({ query, status: refused.status, message: refused.body.message }).toEqual({ query, status: 400, message: [message] });
    }
    // A parameter given twice is refused, as the services refuse it, on the API and on the pages.
    const twice = await get<{ statusCode: number; message: string }>('/api/messages?topic=user.created&limit=1&limit=2');
    expect({ status: twice.status, message: twice.body.message }).toEqual({ status: 400, message: 'limit is given more than once; give it once' });
    const twicePage = await call(base, 'GET', '/messages?topic=user.created&topic=order.created');
    expect(twicePage.status).toBe(400);
    expect(twicePage.text).toContain('topic is given more than once');
    // A position JavaScript cannot hold, or not a plain integer, is named as sent, not rounded.
    for (const [path, named] of [
      ['/api/messages/user.created/0/99999999999999999999', 'offset must be an integer from 0 to 9007199254740991 (got "99999999999999999999")'],
      ['/api/messages/user.created/-1/0', 'partition must be an integer from 0 to 9007199254740991 (got "-1")'],
      ['/api/dead-letters/user.created.dlq/0/1e3', 'offset must be an integer from 0 to 9007199254740991 (got "1e3")'],
    ]) {
      const refused = await get<{ message: string }>(path);
      expect({ path, status: refused.status, message: refused.body.message }).toEqual({ path, status: 400, message: named });
    }
  });

  it('a POST body in a type the console does not read is a 415 naming the types it takes, on the API and on the pages', async () => {
    for (const path of ['/api/dead-letters/redrive', '/dead-letters/redrive']) {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ids=user.created.dlq/0/0' });
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status: 415 });
      expect(text).toContain('Content-Type must be application/json or application/x-www-form-urlencoded');
    }
  });

  it('a filter naming a topic the broker lacks is a 404 naming the topics it has; time bounds that cross are a 400', async () => {
    const typo = await get<{ statusCode: number; message: string }>('/api/dead-letters?topic=user.create.dlq');
    expect(typo.status).toBe(404);
    expect(typo.body.message).toMatch(/^no topic user\.create\.dlq on the broker \(it has .*\buser\.created\.dlq\b/);
    expect(typo.body.message).not.toMatch(/user\.created(,|\)| )/);
    const messages = await get<{ message: string }>('/api/messages?topic=user.create');
    expect(messages.status).toBe(404);
    expect(messages.body.message).toMatch(/^no topic user\.create on the broker \(it has .*\buser\.created\b/);
    const redrive = await post<{ message: string }>('/api/dead-letters/redrive', { filter: { topic: 'user.create.dlq' }, dryRun: true });
    expect(redrive.status).toBe(404);
    const page = await call(base, 'GET', '/dead-letters?topic=user.create.dlq');
    expect(page.status).toBe(404);
    expect(page.text).toContain('no topic user.create.dlq on the broker');
    const crossed = await get<{ message: string }>('/api/messages?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z');
    expect(crossed.status).toBe(400);
    expect(crossed.body.message).toBe('from (2030-01-01T00:00:00.000Z) is after to (2020-01-01T00:00:00.000Z)');
  });

  it('GET /api/story/:id: one request across topics in time order, who processed each, by requestId and by trace id', async () => {
    const story = await eventually(
      () => get<StoryJson>(`/api/story/${signedUp.requestId}`).then((r) => r.body),
      (s) => s.events.some((e) => e.topic.startsWith('payment.') && e.processedBy.includes(ORDERS_GROUP)),
    );
    const topics = story.events.map((e) => e.topic);
    expect(topics.slice(0, 2)).toEqual(['user.created', 'order.created']);
    expect(topics[2]).toMatch(/^payment\.(completed|failed)$/);
    expect(story.events[0].processedBy).toContain(ORDERS_GROUP);
    expect(story.events[1].processedBy).toContain(PAYMENTS_GROUP);
    const times = story.events.map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(story.traceIds).toEqual([userCreated.traceId]);
    expect(story.traceLinks).toEqual([`http://localhost:16686/trace/${userCreated.traceId}`]);
    const byTrace = await get<StoryJson>(`/api/story/${userCreated.traceId}`);
    expect(byTrace.body.by).toBe('traceId');
    expect(byTrace.body.events.map((e) => e.id)).toEqual(expect.arrayContaining(story.events.map((e) => e.id)));
  });

  it('/metrics: the redrive counter and the dead-letter depth per topic', async () => {
    const res = await call(base, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^# TYPE dead_letter_redriven_total counter$/m);
    expect(res.text).toMatch(/^dead_letter_depth_messages\{topic="user\.created"\} \d+$/m);
    expect(res.text).toMatch(/^dead_letter_depth_messages\{topic="payment\.failed"\} \d+$/m);
  });
});

describe('poison stays poison', () => {
  it('a value that is not JSON, redriven, is parked again; the dry run sends nothing; a second redrive needs "again"', async () => {
    const key = `console-poison-${randomUUID()}`;
    await publishRaw('user.created', key, '{"eventId": not json', { 'x-request-id': key });
    const [dead] = await eventually(() => deadLettersOf(`topic=user.created.dlq&key=${key}`), (d) => d.length === 1);
    expect(dead).toMatchObject({ originalTopic: 'user.created', failedConsumer: expect.stringContaining('order-service'), redriveCount: 0 });
    expect(dead.reason).toMatch(/json/i);
    expect(dead.message.value).toBeNull();
    expect(Buffer.from(dead.message.rawValue!, 'base64').toString()).toBe('{"eventId": not json');
    const shown = await get<DeadLetterJson>(`/api/dead-letters/${dead.id}`);
    expect(shown.body).toEqual(dead);

    const dry = await post<RedriveJson>('/api/dead-letters/redrive', { ids: [dead.id], dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, sent: [], refused: [] });
    expect(dry.body.planned).toEqual([expect.objectContaining({ id: dead.id, topic: 'user.created', partition: dead.originalPartition, key, valueEncoding: 'base64' })]);
    expect(dry.body.planned[0].headers).toMatchObject({ 'x-request-id': key, 'x-redrive-of': dead.id, 'x-redriven-by': 'anonymous (AUTH_ENABLED=false)' });
    expect(dry.body.planned[0].headers['x-dead-letter-reason']).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await messagesOf(`topic=user.created&key=${key}`)).toHaveLength(1);

    const sent = await post<RedriveJson>('/api/dead-letters/redrive', { ids: [dead.id] });
    expect(sent.status).toBe(200);
    expect(sent.body.sent).toEqual([{ id: dead.id, sentAs: expect.stringMatching(new RegExp(`^user\\.created/${dead.originalPartition}/\\d+$`)) }]);
    const copies = await eventually(() => messagesOf(`topic=user.created&key=${key}`), (m) => m.length === 2);
    const copy = copies.find((m) => m.id === sent.body.sent[0].sentAs)!;
    expect(copy.rawValue).toBe(dead.message.rawValue);
    expect(copy.headers).toMatchObject({ 'x-request-id': key, 'x-redrive-of': dead.id });

    const parked = await eventually(() => deadLettersOf(`topic=user.created.dlq&key=${key}`), (d) => d.length === 2);
    const again = parked.find((d) => d.id !== dead.id)!;
    expect(again).toMatchObject({ originalTopic: 'user.created', originalOffset: copy.offset });
    expect(again.message.headers['x-redrive-of']).toBe(dead.id);
    expect(parked.find((d) => d.id === dead.id)).toMatchObject({ redriveCount: 1, redrives: [copy.id] });

    const refused = await post<RedriveJson>('/api/dead-letters/redrive', { ids: [dead.id] });
    expect(refused.status).toBe(409);
    expect(refused.body.refused).toEqual([{ id: dead.id, reason: expect.stringMatching(/already redriven 1 time.*again/) }]);

    // All matching a filter: the parked copy only (the first needs "again").
    const byFilter = await post<RedriveJson>('/api/dead-letters/redrive', { filter: { topic: 'user.created.dlq', key } });
    expect(byFilter.body.sent.map((s) => s.id)).toEqual([again.id]);
    expect(byFilter.body.refused.map((s) => s.id)).toEqual([dead.id]);
    await eventually(() => deadLettersOf(`topic=user.created.dlq&key=${key}`), (d) => d.length === 3);
    expect(await messagesOf(`topic=order.created&requestId=${key}`)).toEqual([]);

    const metrics = await call(base, 'GET', '/metrics');
    const redriven = Number(/^dead_letter_redriven_total\{topic="user\.created"\} (\d+)$/m.exec(metrics.text)?.[1]);
    expect(redriven).toBeGreaterThanOrEqual(2);

    const bad = await post<{ message: string | string[] }>('/api/dead-letters/redrive', { ids: ['user.created/0/1'] });
    expect(bad.status).toBe(404);
    const both = await post<{ message: string }>('/api/dead-letters/redrive', { ids: [dead.id], filter: {} });
    expect(both.status).toBe(400);
  });
});

describe('the redrive proof', () => {
  const trigger = `console_e2e_refuse_${process.pid}`;

  afterEach(async () => {
    await db.query(`DROP TRIGGER IF EXISTS ${trigger} ON orders`).catch(() => undefined);
    await db.query(`DROP FUNCTION IF EXISTS ${trigger}()`).catch(() => undefined);
  });

  it('a sign-up whose welcome order fails past the retry budget is dead-lettered; redriven once: one order, the chain completes, the same trace; "again" changes nothing', async () => {
    // The orders database refuses new welcome orders, as a read-only database mid-failover would:
    // an error that is not "unreachable", so order-service retries it (about 3 s) and then parks it.
    await db.query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.kind = 'welcome' THEN
          RAISE EXCEPTION 'cannot execute INSERT in a read-only transaction (failover in progress)' USING ERRCODE = '25006';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
    const t0 = Date.now();
    const { userId, requestId } = await signUp('redrive');
    const [dead] = await eventually(() => deadLettersOf(`topic=user.created.dlq&key=${userId}`), (d) => d.length === 1, 60000);
    timings.signUpToDeadLetterMs = Date.now() - t0;
    expect(dead.reason).toMatch(/gave up after \d+ attempts: .*read-only/);
    expect(await welcomeOrders(userId)).toEqual([]);

    await db.query(`DROP TRIGGER ${trigger} ON orders`);
    const t1 = Date.now();
    const first = await post<RedriveJson>('/api/dead-letters/redrive', { ids: [dead.id] });
    expect(first.status).toBe(200);
    expect(first.body.sent).toHaveLength(1);
    const settled = await eventually(() => welcomeOrders(userId), (o) => o.length === 1 && o[0].status !== 'pending', 60000);
    timings.redriveToSettledOrderMs = Date.now() - t1;
    expect(settled).toEqual([{ id: expect.any(String), status: expect.stringMatching(/^(paid|failed)$/) }]);

    const traceId = dead.message.traceId;
    expect(traceId).toMatch(/^[\da-f]{32}$/);
    const story = await eventually(
      () => get<StoryJson>(`/api/story/${requestId}`).then((r) => r.body),
      (s) => s.events.some((e) => e.topic.startsWith('payment.')),
    );
    const topics = story.events.map((e) => e.topic);
    expect(topics).toEqual(expect.arrayContaining(['user.created', 'user.created.dlq', 'order.created']));
    expect(story.events.filter((e) => e.topic === 'order.created')).toHaveLength(1);
    expect(story.traceIds).toEqual([traceId]);
    const copy = story.events.find((e) => e.id === first.body.sent[0].sentAs)!;
    expect(copy.headers['x-redrive-of']).toBe(dead.id);
    expect(copy.eventId).toBe(dead.message.eventId);

    const refused = await post<RedriveJson>('/api/dead-letters/redrive', { ids: [dead.id] });
    expect(refused.status).toBe(409);
    expect(refused.body.sent).toEqual([]);

    const again = await post<RedriveJson>('/api/dead-letters/redrive', { ids: [dead.id], again: true });
    expect(again.status).toBe(200);
    const secondCopy = again.body.sent[0].sentAs;
    const processed = await eventually(
      () => get<StoryJson>(`/api/story/${requestId}`).then((r) => r.body.events.find((e) => e.id === secondCopy)),
      (e) => e?.processedBy.includes(ORDERS_GROUP) ?? false,
    );
    expect(processed?.processedBy).toContain(ORDERS_GROUP);
    expect(await welcomeOrders(userId)).toEqual(settled);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1', [dead.message.eventId]);
    expect(rows[0].n).toBe(1);
    expect(await messagesOf(`topic=order.created&requestId=${requestId}`)).toHaveLength(1);
    expect(await deadLettersOf(`topic=user.created.dlq&key=${userId}`)).toEqual([expect.objectContaining({ id: dead.id, redriveCount: 2 })]);
  });
});

describe('npm run dlq', () => {
  it('list, show and redrive with the same filters, --dry-run, and "again" required a second time', async () => {
    const key = `console-cli-${randomUUID()}`;
    await publishRaw('user.created', key, 'not json at all');
    const [dead] = await eventually(() => deadLettersOf(`topic=user.created.dlq&key=${key}`), (d) => d.length === 1);

    const list = await dlq(['list', '--topic', 'user.created.dlq', '--key', key, '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as DeadLetterJson[]).map((d) => d.id)).toEqual([dead.id]);
    const text = await dlq(['list', '--key', key]);
    expect(text.stdout).toContain(`${dead.id}  from user.created/`);
    const show = await dlq(['show', dead.id, '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: dead.id, originalTopic: 'user.created' });

    const dry = await dlq(['redrive', '--key', key, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would send ${dead.id} -> user.created/`);
    expect(await messagesOf(`topic=user.created&key=${key}`)).toHaveLength(1);

    const sent = await dlq(['redrive', dead.id, '--json']);
    expect(sent.code).toBe(0);
    const result = JSON.parse(sent.stdout) as RedriveJson;
    expect(result.sent).toHaveLength(1);
    expect(result.by).toMatch(/^cli /);
    await eventually(() => messagesOf(`topic=user.created&key=${key}`), (m) => m.length === 2);

    const refused = await dlq(['redrive', dead.id]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/refused .*already redriven 1 time/);
    const again = await dlq(['redrive', dead.id, '--again']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^sent 1, refused 0/);

    const usage = await dlq(['redrive']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--all');
    const typo = await dlq(['list', '--topic', 'user.create.dlq']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^dlq: no topic user\.create\.dlq on the broker \(it has .*\buser\.created\.dlq\b/);
    const crossed = await dlq(['list', '--from', '2030-01-01', '--to', '2020-01-01']);
    expect(crossed.code).toBe(2);
    expect(crossed.stderr).toContain('dlq: --from/--to: from (2030-01-01T00:00:00.000Z) is after to (2020-01-01T00:00:00.000Z)');
    // Kafka out of reach: one line saying which broker and why, not kafkajs' retries.
    const unreachable = await dlq(['list'], { KAFKA_BROKER: 'localhost:1' });
    expect(unreachable.code).toBe(1);
    const lines = unreachable.stderr.trim().split('\n').filter((l) => !l.startsWith('infra/console: '));
    expect(lines).toEqual([expect.stringMatching(/^dlq: Kafka at localhost:1 \(KAFKA_BROKER\): .*ECONNREFUSED/)]);
    const unknown = await dlq(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('dlq: unknown command "frobnicate": list, show or redrive');
  });
});

describe('with AUTH_ENABLED', () => {
  const secret = 'console-e2e-secret-console-e2e-secret-0123';
  const adminId = randomUUID();
  let secured: SpawnedApp;

  beforeAll(async () => {
    secured = await spawnApp('infra/console', { KAFKA_BROKER: BROKER, AUTH_ENABLED: 'true', JWT_SECRET: secret }, 60000);
  });
  afterAll(() => secured?.stop());

  it('pages and API need an admin token of the gateway; probes and metrics stay open; a redrive is logged with who did it', async () => {
    const admin = { Authorization: `Bearer ${forgeToken({ sub: adminId, roles: ['admin'] }, secret)}` };
    const user = { Authorization: `Bearer ${forgeToken({ sub: randomUUID(), roles: ['user'] }, secret)}` };
    const forged = { Authorization: `Bearer ${forgeToken({ sub: adminId, roles: ['admin'] }, 'another-secret-another-secret-0000')}` };
    expect((await call(secured.url, 'GET', '/api/topics')).status).toBe(401);
    expect((await call(secured.url, 'GET', '/api/topics', undefined, forged)).status).toBe(401);
    expect((await call(secured.url, 'GET', '/api/topics', undefined, user)).status).toBe(403);
    expect((await call(secured.url, 'GET', '/api/topics', undefined, admin)).status).toBe(200);
    const page = await call(secured.url, 'GET', '/dead-letters');
    expect(page.status).toBe(401);
    expect(page.text).toContain('Admin token');
    expect((await call(secured.url, 'GET', '/health/live')).status).toBe(200);
    expect((await call(secured.url, 'GET', '/metrics')).status).toBe(200);

    const key = `console-auth-${randomUUID()}`;
    await publishRaw('user.created', key, 'poison for the admin');
    const [dead] = await eventually(
      () => call<DeadLetterJson[]>(secured.url, 'GET', `/api/dead-letters?topic=user.created.dlq&key=${key}`, undefined, admin).then((r) => (Array.isArray(r.body) ? r.body : [])),
      (d) => d.length === 1,
    );
    expect((await call(secured.url, 'POST', '/api/dead-letters/redrive', { ids: [dead.id] }, user)).status).toBe(403);
    const res = await call<RedriveJson>(secured.url, 'POST', '/api/dead-letters/redrive', { ids: [dead.id] }, admin);
    expect(res.status).toBe(200);
    expect(res.body.by).toBe(`admin ${adminId}`);
    const copies = await eventually(() => messagesOf(`topic=user.created&key=${key}`), (m) => m.length === 2);
    expect(copies.find((m) => m.id === res.body.sent[0].sentAs)?.headers['x-redriven-by']).toBe(`admin ${adminId}`);
    expect(secured.lines.some((l) => l.includes(`redrive by admin ${adminId}: 1 sent`))).toBe(true);
  });

  it('is not started in production unless asked for, and then only with tokens', () => {
    const start = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['dist/main.js'], { cwd: repoPath('infra', 'console'), env: { PATH: process.env.PATH ?? '', KAFKA_BROKER: BROKER, PORT: '1', ...env }, encoding: 'utf8', timeout: 20000 });
    const refused = start({ NODE_ENV: 'production' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('EVENT_CONSOLE=true');
    const open = start({ NODE_ENV: 'production', EVENT_CONSOLE: 'true', AUTH_ENABLED: 'false' });
    expect(open.status).toBe(1);
    expect(open.stderr).toContain('AUTH_ENABLED=false is refused in production');
    const noSecret = start({ NODE_ENV: 'production', EVENT_CONSOLE: 'true' });
    expect(noSecret.status).toBe(1);
    expect(noSecret.stderr).toContain('JWT_SECRET');
  });
});

