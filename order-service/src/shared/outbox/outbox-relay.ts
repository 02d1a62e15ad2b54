// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import type { Pool, QueryResult } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { DatabaseEnv } from '../config/env';
import { eventsProduced, outboxBacklog, outboxOldestAge, outboxPublishFailures } from '../observability/metrics';
import { KafkaProducer } from '../kafka/kafka-producer';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  /** The envelope as stored: sent as it is, never parsed and serialized again. */
  payload: string;
  headers: Record<string, string>;
}

interface ClaimedRow extends Partial<OutboxRow> {
  locked: boolean;
}

const BATCH_SIZE = 500;
/**
 * Fallback only: a commit wakes its own relay at once, and a relay that finds another instance
 * publishing tries again shortly (BUSY_RETRY_MS), so the poll finds only rows nobody woke a relay
 * for (an instance that crashed right after its commit, rows written by hand). It starts at
 * IDLE_POLL_MIN_MS after work and doubles up to IDLE_POLL_MAX_MS: an idle service barely wakes.
 */
const IDLE_POLL_MIN_MS = 1000;
const IDLE_POLL_MAX_MS = 30_000;
/** Another instance holds the relay lock: it may have read the outbox before our rows committed. */
const BUSY_RETRY_MS = 100;
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
  private lastBacklogRefresh = 0;

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
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after a transaction that added events has committed. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /**
   * Publishes what is waiting now; returns how many rows were sent, or 'busy' when another
   * instance's relay holds the lock (tests and shutdown use it).
   */
  async publishPending(): Promise<number | 'busy'> {
    const connection = await this.pool.connect();
    let reusable = false;
    try {
      // BEGIN and the claim travel in one message, so a pass is two round trips (this, then COMMIT
      // or ROLLBACK), not three; the transaction, and with it the lock, lasts until the second.
      const [, claim] = (await connection.query(BEGIN_AND_CLAIM)) as unknown as [QueryResult, QueryResult<ClaimedRow>];
      const locked = claim.rows[0]?.locked === true;
      const rows = claim.rows.filter((r): r is ClaimedRow & OutboxRow => r.id !== null && r.id !== undefined).sort(byId);
      let sendFailure: { error: unknown } | undefined;
      if (locked && rows.length > 0) {
        try {
          await this.send(rows);
        } catch (error) {
          sendFailure = { error };
        }
      }
      // A failed send rolls the delete back: its rows are in the outbox again.
      await connection.query(sendFailure ? 'ROLLBACK' : 'COMMIT');
      reusable = true;
      if (sendFailure) throw sendFailure.error;
      return locked ? rows.length : 'busy';
    } finally {
      // After a failed statement the connection's state is unknown (a transaction left open, and
      // its lock): it is closed, not handed to the next user of the pool.
      connection.release(!reusable);
    }
  }

  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /** The relay's own polling is not part of any request: no spans for it, only for the sends. */
  private run(): Promise<void> {
    return context.with(suppressTracing(context.active()), () => this.runLoop());
  }

  private async runLoop(): Promise<void> {
    let failures = 0;
    let idlePoll = IDLE_POLL_MIN_MS;
    while (this.running) {
      try {
        const sent = await this.publishPending();
        if (failures > 0) this.logger.log({ failures }, 'outbox relay recovered');
        failures = 0;
        await this.refreshBacklogEvery(BACKLOG_REFRESH_MS);
        if (sent === 'busy') {
          await this.idle(BUSY_RETRY_MS);
        } else if (sent === 0) {
          // Woken (a commit) or polled: either way the next idle wait starts short again only
          // after rows were found; an idle outbox is looked at less and less often.
          if (await this.idle(idlePoll)) idlePoll = IDLE_POLL_MIN_MS;
          else idlePoll = Math.min(IDLE_POLL_MAX_MS, idlePoll * 2);
        } else {
          idlePoll = IDLE_POLL_MIN_MS;
        }
      } catch (error) {
        failures++;
        outboxPublishFailures.inc();
        // One line per outage phase, not one per retry.
        if (failures === 1 || failures % 30 === 0) {
          this.logger.warn({ err: error, failures }, 'outbox relay cannot publish; rows stay in the outbox');
        }
        // The backlog grows while Kafka is down: its gauges keep being refreshed (the alert's input).
        await this.refreshBacklogEvery(BACKLOG_REFRESH_MS);
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
      return { key: row.message_key, value: row.payload, headers };
    });
    try {
      // Traced above, per message; kafkajs' own instrumentation would give the batch one parent.
      // Checked partition by partition: a batch kafkajs resolved without some partitions throws,
      // and the transaction puts all its rows back (see IncompleteSendError).
      await context.with(suppressTracing(ROOT_CONTEXT), () => this.producer.sendAll(topicMessages));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    for (const row of rows) eventsProduced.inc({ topic: row.topic });
  }

  /** Waits up to `ms`; true when woken (or a wake was pending), false when the time ran out. */
  private idle(ms: number): Promise<boolean> {
    if (this.pending || !this.running) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.pending = false;
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), ms);
      this.wakeUp = () => done(true);
    });
  }

  /** The backlog gauges, from the relay's own loop: no timer of their own wakes an idle service. */
  private async refreshBacklogEvery(ms: number): Promise<void> {
    const now = Date.now();
    if (now - this.lastBacklogRefresh < ms) return;
    this.lastBacklogRefresh = now;
    await this.refreshBacklog();
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

/**
 * Opens the relay's transaction and, in the same message, takes the relay lock (one relay per
 * database at a time) and, only if it was taken, deletes the oldest rows and returns them; the
 * transaction stays open while they are sent, so a failed send rolls the delete back. Sent as a
 * simple query (two statements in one message), so it takes no parameters: its two values are
 * this file's constants. Always one row at least: `locked`, and the claimed columns (null when the
 * outbox is empty). RETURNING has no order: the caller sorts by id.
 */
const BEGIN_AND_CLAIM = `START TRANSACTION;
WITH relay_lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) AS locked),
claimed AS (
  DELETE FROM outbox_messages WHERE id IN (
    SELECT id FROM outbox_messages WHERE (SELECT locked FROM relay_lock) ORDER BY id LIMIT ${BATCH_SIZE}
  )
  RETURNING id, topic, message_key, payload::text AS payload, headers
)
SELECT relay_lock.locked, claimed.* FROM relay_lock LEFT JOIN claimed ON true`;

/** bigserial ids arrive as decimal strings: shorter is smaller, else compare as text. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
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
