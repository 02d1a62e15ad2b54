// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { setTimeout as sleep } from 'node:timers/promises';
import { REQUEST_ID_HEADER, runWithOrigin } from '../context/origin';
import { UnitOfWork } from '../database/unit-of-work';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import { DomainError } from '../errors/domain-error';
import { EventContract } from '../events/contracts';
import { EventEnvelope } from '../events/envelope';
import { parseEvent } from '../events/parse-event';
import { eventHandlerDuration, eventsConsumed, eventsFailed } from '../observability/metrics';
import { REQUEST_ID_ATTRIBUTE } from '../observability/tracing';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { Ledger } from './ledger';

/** What an applied event did: changed something, or nothing (seen before, or nothing to do). */
export type EffectOutcome = 'processed' | 'duplicate';

/** A handler returns nothing when it changed something, 'duplicate' when it found nothing to do. */
export type HandlerResult = void | 'duplicate';

/** One delivery of a valid event, as its handler sees it. */
export interface Delivery {
  /** Keeps this consumer in its group during a long wait (call it at least every few seconds). */
  heartbeat(): Promise<void>;
  /** Whether this consumer applied the event already; reads only (to skip slow work early). */
  alreadyApplied(): Promise<boolean>;
  /**
   * For handlers declared `waitsOutsideTransaction`: runs the effect in a unit of work with the
   * ledger entry, once per event; the wait (a provider call) happens before, outside it.
   */
  applyOnce(effect: () => Promise<HandlerResult>): Promise<EffectOutcome>;
}

export type EventHandler<TData> = (event: EventEnvelope<string, TData>, delivery: Delivery) => Promise<HandlerResult>;

export interface EventHandlerOptions {
  /**
   * The handler waits on something outside the database first (a payment provider): it is called
   * outside any transaction, and puts its effect in `delivery.applyOnce(...)`.
   */
  readonly waitsOutsideTransaction?: boolean;
}

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
 * The one way to consume (handlers register with `@OnEvent`): parse the message (poison is
 * dead-lettered with its reason), then apply it once: the ledger entry, the handler's writes and
 * the events they record commit in one unit of work; a redelivered event finds its ledger entry
 * and changes nothing. Failures are retried with backoff, then dead-lettered; a dependency that is
 * down (the database, another service) is waited for instead, since parking would dead-letter
 * every valid event of the outage. It throws only when even parking fails (Kafka unreachable) or
 * the app stops while waiting, so the message is redelivered instead of lost.
 */
@Injectable()
export class EventProcessor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventProcessor.name);
  retry: RetryPolicy = DEFAULT_RETRY;

  private stopping = false;
  private readonly stopped = new AbortController();

  constructor(
    private readonly deadLetters: DeadLetterPublisher,
    private readonly unitOfWork: UnitOfWork,
    private readonly ledger: Ledger,
  ) {}

  /** Before the consumer disconnects: stop waiting for dependencies, so shutdown is not held up. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    this.stopped.abort();
  }

  async process<TData extends object>(
    contract: EventContract<TData>,
    consumer: string,
    raw: unknown,
    ctx: KafkaContext,
    handler: EventHandler<TData>,
    options: EventHandlerOptions = {},
  ): Promise<void> {
    const topic = contract.topic;
    const stopTimer = eventHandlerDuration.startTimer({ topic });
    const parsed = parseEvent(contract, raw);
    const requestId = parsed.ok ? parsed.event.requestId : headerOf(ctx, REQUEST_ID_HEADER);
    const eventId = parsed.ok ? parsed.event.eventId : undefined;
    try {
      await runWithOrigin({ requestId, eventId }, () =>
        withEventLogContext({ requestId, eventId, topic }, async () => {
          if (!parsed.ok) {
            await this.deadLetters.park(ctx, consumer, parsed.reason);
            eventsConsumed.inc({ topic, outcome: 'dead_lettered' });
            return;
          }
          const event = parsed.event;
          const outcome = await this.runWithRetries(ctx, consumer, event.eventId, () => this.apply(ctx, consumer, event, handler, options));
          eventsConsumed.inc({ topic, outcome });
          this.logger.log({ outcome }, `${contract.type} ${outcome}`);
        }),
      );
    } finally {
      stopTimer();
    }
  }

  private async apply<TData>(
    ctx: KafkaContext,
    consumer: string,
    event: EventEnvelope<string, TData>,
    handler: EventHandler<TData>,
    options: EventHandlerOptions,
  ): Promise<EffectOutcome> {
    const once = (effect: () => Promise<HandlerResult>) =>
      this.unitOfWork.run(async (): Promise<EffectOutcome> => {
        if (!(await this.ledger.firstDelivery(consumer, event.eventId))) return 'duplicate';
        return (await effect()) === 'duplicate' ? 'duplicate' : 'processed';
      });
    let applied: EffectOutcome | undefined;
    const delivery: Delivery = {
      heartbeat: () => ctx.getHeartbeat()(),
      alreadyApplied: () => this.ledger.seen(consumer, event.eventId),
      applyOnce: async (effect) => {
        if (!options.waitsOutsideTransaction) throw new Error(`${consumer}: applyOnce is for handlers declared waitsOutsideTransaction`);
        applied = await once(effect);
        return applied;
      },
    };
    if (!options.waitsOutsideTransaction) return once(() => handler(event, delivery));
    const result = await handler(event, delivery);
    if (applied) return applied;
    if (result === 'duplicate') return 'duplicate';
    throw new Error(`${consumer}: the handler returned without delivery.applyOnce(); its effect would not be recorded`);
  }

  private async runWithRetries(
    ctx: KafkaContext,
    consumer: string,
    eventId: string,
    attempt: () => Promise<EffectOutcome>,
  ): Promise<EffectOutcome | 'dead_lettered'> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        eventsFailed.inc({ topic: ctx.getTopic() });
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof DomainError && error.kind !== 'unavailable') {
          await this.deadLetters.park(ctx, consumer, `${error.code}: ${message}`);
          return 'dead_lettered';
        }
        if (isDependencyUnavailable(error)) {
          // Not this message's fault, and every message would fail alike: wait, heartbeating so
          // the group keeps this member. Shutting down: leave the message uncommitted for the
          // next start.
          if (this.stopping) throw error;
          if (tries === 1 || tries % 20 === 0) {
            this.logger.warn({ eventId, attempt: tries, err: error }, 'dependency unavailable; waiting for it before handling the event');
          }
          await this.pause(Math.min(MAX_UNAVAILABLE_DELAY_MS, this.retry.firstDelayMs * 2 ** Math.min(tries - 1, 10)));
          await ctx.getHeartbeat()().catch(() => undefined);
          continue;
        }
        if (tries >= this.retry.attempts) {
          await this.deadLetters.park(ctx, consumer, `gave up after ${tries} attempts: ${message}`);
          return 'dead_lettered';
        }
        this.logger.warn({ eventId, attempt: tries, err: error }, 'event handling failed, retrying');
        await sleep(this.retry.firstDelayMs * 2 ** (tries - 1));
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
