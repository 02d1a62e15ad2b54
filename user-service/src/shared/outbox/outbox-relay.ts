// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import type { DatabaseEnv } from '../config/env';
import { eventsProduced, outboxBacklog, outboxOldestAge, outboxPublishFailures } from '../observability/metrics';
import { KafkaProducer } from '../kafka/kafka-producer';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

const BATCH_SIZE = 500;
/** Fallback only: commits wake the relay at once, so the poll matters only for rows of other instances. */
const IDLE_POLL_MS = 1000;
const BACKLOG_REFRESH_MS = 5000;
/** One relay per database at a time (advisory lock): rows leave in id order, so per-key order holds. */
const RELAY_LOCK_KEY = 74_201;
const tracer = trace.getTracer('outbox-relay');

/**
 * Publishes outbox rows to Kafka (acks=all) and deletes them in the same transaction that locked them.
 * A crash between send and delete republishes the batch: at-least-once, made exactly-once by the
 * consumers' processed_events ledger.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private pending = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private backlogTimer: NodeJS.Timeout | null = null;

  private readonly enabled: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
    config: ConfigService<Pick<DatabaseEnv, 'OUTBOX_RELAY_ENABLED'>, true>,
  ) {
    this.enabled = config.get('OUTBOX_RELAY_ENABLED', { infer: true }) !== 'false';
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.running = true;
    this.loop = this.run();
    this.backlogTimer = setInterval(
      () => context.with(suppressTracing(context.active()), () => void this.refreshBacklog()),
      BACKLOG_REFRESH_MS,
    );
    this.backlogTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    if (this.backlogTimer) clearInterval(this.backlogTimer);
    await this.loop;
  }

  /** Called after a transaction that added events has committed. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Publishes what is waiting now; returns how many rows were sent (tests and shutdown use it). */
  async publishPending(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK_KEY])) as {
        locked: boolean;
      }[];
      if (!locked) return 0;
      const rows = (await manager.query(
        'SELECT id, topic, message_key, payload, headers FROM outbox_messages ORDER BY id LIMIT $1',
        [BATCH_SIZE],
      )) as OutboxRow[];
      if (rows.length === 0) return 0;
      await this.send(rows);
      await manager.query('DELETE FROM outbox_messages WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  /** The relay's own polling is not part of any request: no spans for it, only for the sends. */
  private run(): Promise<void> {
    return context.with(suppressTracing(context.active()), () => this.runLoop());
  }

  private async runLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const sent = await this.publishPending();
        if (failures > 0) this.logger.log({ failures }, 'outbox relay recovered');
        failures = 0;
        if (sent === 0) await this.idle(IDLE_POLL_MS);
      } catch (error) {
        failures++;
        outboxPublishFailures.inc();
        // One line per outage phase, not one per retry.
        if (failures === 1 || failures % 30 === 0) {
          this.logger.warn({ err: error, failures }, 'outbox relay cannot publish; rows stay in the outbox');
        }
        await this.producer.reset();
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /**
   * The whole batch in one produce request per broker: one request per row would wait for each
   * row's acks=all round trip in turn (the idempotent producer allows one request in flight), a few
   * hundred events a second at most. kafkajs appends a partition's messages in array order, so rows of one key keep
   * their id order. Each message still gets its own producer span, child of the trace stored with
   * its row, and carries that span as its traceparent.
   */
  private async send(rows: OutboxRow[]): Promise<void> {
    const producer = await this.producer.get();
    const spans: Span[] = [];
    const topicMessages = byTopic(rows, (row) => {
      const headers = { ...row.headers };
      const span = tracer.startSpan(
        `send ${row.topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.name': 'send',
            'messaging.destination.name': row.topic,
            'messaging.kafka.message.key': row.message_key,
          },
        },
        propagation.extract(ROOT_CONTEXT, row.headers),
      );
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
      spans.push(span);
      return { key: row.message_key, value: JSON.stringify(row.payload), headers };
    });
    try {
      // Traced above, per message; kafkajs' own instrumentation would give the batch one parent.
      await context.with(suppressTracing(ROOT_CONTEXT), () => producer.sendBatch({ acks: -1, topicMessages }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    for (const row of rows) eventsProduced.inc({ topic: row.topic });
  }

  private idle(ms: number): Promise<void> {
    if (this.pending || !this.running) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async refreshBacklog(manager: EntityManager = this.dataSource.manager): Promise<void> {
    try {
      const [row] = (await manager.query(
        'SELECT count(*)::int AS rows, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age FROM outbox_messages',
      )) as { rows: number; age: number }[];
      outboxBacklog.set(row.rows);
      outboxOldestAge.set(row.age);
    } catch {
      // The database being down is reported by /health/ready; the gauges keep their last value.
    }
  }
}

/** Messages grouped by topic, each topic's in row order (the order kafkajs appends them in). */
export function byTopic<T extends { topic: string }>(
  rows: T[],
  toMessage: (row: T) => Message,
): { topic: string; messages: Message[] }[] {
  const topics = new Map<string, Message[]>();
  for (const row of rows) {
    let messages = topics.get(row.topic);
    if (!messages) topics.set(row.topic, (messages = []));
    messages.push(toMessage(row));
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
