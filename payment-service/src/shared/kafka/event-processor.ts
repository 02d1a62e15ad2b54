// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventContract } from '../events/contracts';
import { EventEnvelope } from '../events/envelope';
import { parseEvent } from '../events/parse-event';
import { isDatabaseUnavailable } from '../http/all-exceptions.filter';
import { DomainError } from '../http/domain-error';
import { REQUEST_ID_HEADER } from '../http/request-id';
import { eventHandlerDuration, eventsConsumed, eventsFailed } from '../observability/metrics';
import { REQUEST_ID_ATTRIBUTE } from '../observability/tracing';
import { DeadLetterPublisher } from './dead-letter.publisher';

export type EffectOutcome = 'processed' | 'duplicate';

export interface RetryPolicy {
  readonly attempts: number;
  readonly firstDelayMs: number;
}

/** About 6 s in all: long enough for a blip, short enough to stay far below the session timeout. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 200 };

/** Longest pause between two tries while a dependency is down (a heartbeat follows each pause). */
const MAX_UNAVAILABLE_DELAY_MS = 5000;

/**
 * A failure of what the effect depends on rather than of the message: the database unreachable or
 * restarting, or a DomainError of kind `unavailable` (another service down).
 */
export function isDependencyUnavailable(error: unknown): boolean {
  return (error instanceof DomainError && error.kind === 'unavailable') || isDatabaseUnavailable(error);
}

/**
 * Runs one consumed message through: validate, then the effect with bounded retries, and park
 * whatever cannot succeed on the dead-letter topic. A dependency that is down (the database, or a
 * service) is waited for instead: parking would dead-letter every valid event of the outage. It
 * throws only when even parking fails (Kafka unreachable) or the app stops while waiting, so the
 * message is redelivered instead of lost.
 */
@Injectable()
export class EventProcessor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventProcessor.name);
  retry: RetryPolicy = DEFAULT_RETRY;

  private stopping = false;
  private readonly stopped = new AbortController();

  constructor(private readonly deadLetters: DeadLetterPublisher) {}

  /** Before the consumer disconnects: stop waiting for dependencies, so shutdown is not held up. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    this.stopped.abort();
  }

  async process<TData extends object>(
    contract: EventContract<TData>,
    raw: unknown,
    ctx: KafkaContext,
    consumer: string,
    effect: (event: EventEnvelope<string, TData>) => Promise<EffectOutcome>,
  ): Promise<void> {
    const topic = contract.topic;
    const stopTimer = eventHandlerDuration.startTimer({ topic });
    const parsed = parseEvent(contract, raw);
    const requestId = parsed.ok ? parsed.event.requestId : headerOf(ctx, REQUEST_ID_HEADER);
    const eventId = parsed.ok ? parsed.event.eventId : undefined;
    try {
      await withEventLogContext({ requestId, eventId, topic }, async () => {
        if (!parsed.ok) {
          await this.deadLetters.park(ctx, consumer, parsed.reason);
          eventsConsumed.inc({ topic, outcome: 'dead_lettered' });
          return;
        }
        const outcome = await this.runWithRetries(ctx, consumer, parsed.event, effect);
        eventsConsumed.inc({ topic, outcome });
        this.logger.log({ outcome }, `${contract.type} ${outcome}`);
      });
    } finally {
      stopTimer();
    }
  }

  private async runWithRetries<TData>(
    ctx: KafkaContext,
    consumer: string,
    event: EventEnvelope<string, TData>,
    effect: (event: EventEnvelope<string, TData>) => Promise<EffectOutcome>,
  ): Promise<EffectOutcome | 'dead_lettered'> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await effect(event);
      } catch (error) {
        eventsFailed.inc({ topic: ctx.getTopic() });
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof DomainError && error.kind !== 'unavailable') {
          await this.deadLetters.park(ctx, consumer, `${error.code}: ${message}`);
          return 'dead_lettered';
        }
        if (isDependencyUnavailable(error)) {
          // The database (or a service) is down: not this message's fault, and every message
          // would fail alike. Wait for it, heartbeating so the group keeps this member, rather than
          // park valid events. Shutting down: leave the message uncommitted for the next start.
          if (this.stopping) throw error;
          if (attempt === 1 || attempt % 20 === 0) {
            this.logger.warn({ eventId: event.eventId, attempt, err: error }, 'dependency unavailable; waiting for it before handling the event');
          }
          await this.pause(Math.min(MAX_UNAVAILABLE_DELAY_MS, this.retry.firstDelayMs * 2 ** Math.min(attempt - 1, 10)));
          await ctx.getHeartbeat()().catch(() => undefined);
          continue;
        }
        if (attempt >= this.retry.attempts) {
          await this.deadLetters.park(ctx, consumer, `gave up after ${attempt} attempts: ${message}`);
          return 'dead_lettered';
        }
        this.logger.warn({ eventId: event.eventId, attempt, err: error }, 'event handling failed, retrying');
        await sleep(this.retry.firstDelayMs * 2 ** (attempt - 1));
        await ctx.getHeartbeat()().catch(() => undefined);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopped.signal }).catch(() => undefined);
  }
}

interface EventLogContext {
  readonly requestId: string | null;
  readonly eventId: string | undefined;
  readonly topic: string;
}

/**
 * Lines logged while handling an event carry its request id, event id and topic, as HTTP lines
 * carry theirs; the trace and span come from the logger's mixin (the Kafka consumer span is active
 * here). The consumer span gets the request and event ids too, so Jaeger finds it by either.
 */
async function withEventLogContext(fields: EventLogContext, work: () => Promise<void>): Promise<void> {
  const span = trace.getActiveSpan();
  if (fields.requestId) span?.setAttribute(REQUEST_ID_ATTRIBUTE, fields.requestId);
  if (fields.eventId) span?.setAttribute('messaging.message.id', fields.eventId);
  const root = PinoLogger.root;
  if (!root) return work();
  const child = root.child({ requestId: fields.requestId, eventId: fields.eventId, topic: fields.topic });
  return storage.run(new Store(child), work);
}

function headerOf(ctx: KafkaContext, name: string): string | null {
  const value = ctx.getMessage().headers?.[name];
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? String(value[0]) : String(value);
}
