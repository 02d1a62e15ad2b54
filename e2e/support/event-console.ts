import { execFile } from 'node:child_process';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { promisify } from 'node:util';
import { repoPath } from './repo';

/** The console's JSON answers, as the tests read them. */
export interface MessageJson {
  id: string;
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  value: { eventId?: string; type?: string; requestId?: string | null; data?: Record<string, unknown> } | null;
  rawValue: string | null;
  eventId: string | null;
  requestId: string | null;
  traceId: string | null;
  link: string;
}
export interface DeadLetterJson {
  id: string;
  reason: string | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: number | null;
  failedConsumer: string | null;
  redriveCount: number;
  redrives: string[];
  message: MessageJson;
}
export interface RedriveJson {
  dryRun: boolean;
  by: string;
  planned: Array<{ id: string; topic: string; partition: number; key: string | null; headers: Record<string, string>; value: string | null; valueEncoding: string }>;
  sent: Array<{ id: string; sentAs: string }>;
  refused: Array<{ id: string; reason: string }>;
}
export interface StoryJson {
  id: string;
  by: string;
  traceIds: string[];
  traceLinks: string[];
  events: Array<MessageJson & { processedBy: string[] }>;
}

export interface Reply<T> {
  status: number;
  body: T;
  text: string;
}

export async function call<T = unknown>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // a page or plain text: the assertion shows it
  }
  return { status: res.status, body: parsed as T, text };
}

const BROKER = process.env.KAFKA_BROKER ?? 'localhost:9086';
let producer: Producer | null = null;

/** Sends bytes as they are to a topic: poison is made here, not by a service. */
export async function publishRaw(topic: string, key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
  if (!producer) {
    producer = new Kafka({ brokers: BROKER.split(','), clientId: 'e2e-console', logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }
  await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
}

export async function closeProducer(): Promise<void> {
  await producer?.disconnect();
  producer = null;
}

/** The test stack's orders database (order-service's store). */
export function ordersDb(): Pool {
  const port = Number(process.env.TEST_DB_PORT_ORDERS ?? 5435);
  const database = process.env.TEST_DB_NAME_ORDERS ?? 'orderdb_test';
  const pool = new Pool({ host: 'localhost', port, database, user: 'postgres', password: 'postgres', max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

const run = promisify(execFile);

/** `npm run dlq -- <args>` as a user types it (through scripts/dlq.mjs), against the test stack's Kafka. */
export async function dlq(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [repoPath('scripts', 'dlq.mjs'), ...args], {
      cwd: repoPath(),
      env: { ...process.env, KAFKA_BROKER: BROKER, ...env },
      timeout: 90000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
