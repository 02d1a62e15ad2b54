// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { Context, context, propagation, ROOT_CONTEXT, Span, SpanKind, TextMapGetter, trace } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Origin, REQUEST_ID_HEADER, runWithOrigin } from '../context/origin';
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
  /**
   * With `waitsOutsideTransaction`: the waits of a batch still run one event at a time, but their
   * effects commit together, in one unit of work per batch (one ledger insert, one outbox insert).
   * Only for a wait that may be repeated harmlessly: if that unit fails, each event is handled
   * again alone, wait included.
   */
  readonly commitsTogether?: boolean;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly firstDelayMs: number;
}

/** About 6 s in all: long enough for a blip, short enough to stay far below the session timeout. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 200 };

/**
 * Most events applied in one transaction: large enough that BEGIN, COMMIT, the ledger insert and
 * the outbox insert are paid once for many events, small enough that a transaction stays short.
 */
export const MAX_EVENTS_PER_TRANSACTION = 100;

/**
 * Longest an effect whose wait is over is held for its batch-mates' (see `commitsTogether`): long
 * enough to gather the effects of quick waits, short enough not to delay an order's outcome.
 */
export const MAX_HOLD_MS = 50;

/** One @OnEvent method of a live consumer object: what a batch of its topic is applied with. */
export interface EventRegistration {
  readonly contract: EventContract<object>;
  readonly consumer: string;
  readonly handler: EventHandler<object>;
  readonly options: EventHandlerOptions;
}

/** The part of kafkajs' eachBatch payload the processor uses. */
export interface ConsumedBatch {
  readonly batch: { readonly topic: string; readonly partition: number; readonly messages: KafkaMessage[] };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

const tracer = trace.getTracer('event-processor');

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

  private readonly registrations = new Map<string, EventRegistration[]>();

  /** Called for each @OnEvent method when Nest gives its object this processor (see on-event.ts). */
  register(registration: EventRegistration): void {
    const list = this.registrations.get(registration.contract.topic) ?? [];
    list.push(registration);
    this.registrations.set(registration.contract.topic, list);
  }

  /**
   * kafkajs' eachBatch: the messages of one partition, in offset order. Handlers that work inside
   * the database apply up to MAX_EVENTS_PER_TRANSACTION events in one unit of work (one ledger
   * insert for all of them, one outbox insert for what they record); poison is dead-lettered on
   * its own. If that unit fails, it is rolled back whole and its events go one by one through
   * `process` (retries, dead letters): a bad event costs its batch-mates one extra try, never
   * their effect, and nothing is applied twice (the ledger rolled back with it). Handlers that
   * wait outside the database take one event at a time, as before.
   */
  async processBatch(payload: ConsumedBatch): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const registrations = this.registrations.get(topic) ?? [];
    if (registrations.length === 0) {
      this.logger.error({ topic }, `no @OnEvent handler for ${topic}; its messages are skipped`);
      if (messages.length > 0) payload.resolveOffset(messages[messages.length - 1].offset);
      return;
    }
    for (let start = 0; start < messages.length; start += MAX_EVENTS_PER_TRANSACTION) {
      // Stopping, or the partition went to another member in a rebalance: leave the rest uncommitted.
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = messages.slice(start, start + MAX_EVENTS_PER_TRANSACTION);
      const deliveries = chunk.map((message) => new BatchDelivery(Object.assign(message, { topic, partition }), payload));
      try {
        for (const registration of registrations) {
          const { waitsOutsideTransaction, commitsTogether } = registration.options;
          if (!waitsOutsideTransaction) await this.together(registration, deliveries);
          else if (commitsTogether) await this.waitThenCommitTogether(registration, deliveries);
          else await this.oneByOne(registration, deliveries);
        }
      } finally {
        for (const d of deliveries) d.span.end();
      }
      payload.resolveOffset(chunk[chunk.length - 1].offset);
      await payload.heartbeat();
    }
  }

  private async oneByOne(registration: EventRegistration, deliveries: BatchDelivery[]): Promise<void> {
    for (const d of deliveries) {
      await context.with(d.context, () => this.process(registration.contract, registration.consumer, d.raw, d.ctx, registration.handler, registration.options));
    }
  }

  private async together(registration: EventRegistration, deliveries: BatchDelivery[]): Promise<void> {
    const { contract, consumer, handler } = registration;
    const topic = contract.topic;
    const valid: { d: BatchDelivery; event: EventEnvelope<string, object> }[] = [];
    for (const d of deliveries) {
      const parsed = parseEvent(contract, d.raw);
      // Poison: dead-lettered with its reason by the one-by-one path, outside the batch's unit.
      if (!parsed.ok) await context.with(d.context, () => this.process(contract, consumer, d.raw, d.ctx, handler));
      else valid.push({ d, event: parsed.event });
    }
    if (valid.length === 0) return;
    const timers = valid.map(() => eventHandlerDuration.startTimer({ topic }));
    let outcomes: EffectOutcome[];
    try {
      outcomes = await this.unitOfWork.run(async () => {
        const first = await this.ledger.firstDeliveries(consumer, [...new Set(valid.map((v) => v.event.eventId))]);
        const results: EffectOutcome[] = [];
        for (const { d, event } of valid) {
          // An id seen twice in one batch counts once: the second is a duplicate.
          if (!first.delete(event.eventId.toLowerCase())) {
            results.push('duplicate');
            continue;
          }
          const result = await d.inEventContext(event, () => handler(event, d.delivery(this.ledger, consumer, event.eventId)));
          results.push(result === 'duplicate' ? 'duplicate' : 'processed');
        }
        return results;
      });
    } catch (error) {
      for (const stop of timers) stop();
      eventsFailed.inc({ topic });
      this.logger.warn({ err: error, events: valid.length }, `${contract.type}: a batch of ${valid.length} failed; applying its events one by one`);
      for (const { d } of valid) {
        await context.with(d.context, () => this.process(contract, consumer, d.raw, d.ctx, handler));
      }
      return;
    }
    valid.forEach(({ d, event }, i) => {
      timers[i]();
      const outcome = outcomes[i];
      eventsConsumed.inc({ topic, outcome });
      void d.inEventContext(event, async () => this.logger.log({ outcome }, `${contract.type} ${outcome}`));
    });
  }

  /**
   * For handlers that wait outside the database and commit together: each handler runs in turn,
   * up to its `applyOnce`, whose effect is held; then the held effects commit in one unit with the
   * ledger, in offset order, and each handler's `applyOnce` answers. Anything that must go one by
   * one (poison, a handler failing before its effect) first commits what is held, so effects keep
   * their offset order.
   */
  private async waitThenCommitTogether(registration: EventRegistration, deliveries: BatchDelivery[]): Promise<void> {
    const { contract, consumer, handler, options } = registration;
    const topic = contract.topic;
    let held: HeldEffect[] = [];
    const commitHeld = async () => {
      if (held.length > 0) await this.commitHeld(registration, held);
      held = [];
    };
    const alone = async (d: BatchDelivery) => {
      await commitHeld();
      await context.with(d.context, () => this.process(contract, consumer, d.raw, d.ctx, handler, options));
    };
    for (const d of deliveries) {
      const parsed = parseEvent(contract, d.raw);
      if (!parsed.ok) {
        await alone(d);
        continue;
      }
      const effect = new HeldEffect(d, parsed.event, eventHandlerDuration.startTimer({ topic }));
      const delivery: Delivery = {
        heartbeat: () => d.ctx.getHeartbeat()(),
        alreadyApplied: () => this.ledger.seen(consumer, parsed.event.eventId),
        applyOnce: (work) => effect.hold(work),
      };
      const reached = await effect.runUntilHeld(() => handler(parsed.event, delivery));
      if (reached === 'held') {
        held.push(effect);
        // A slow wait (a provider taking its time) must not hold its batch-mates' effects, nor its own.
        if (Date.now() - held[0].startedAt >= MAX_HOLD_MS) await commitHeld();
      } else if (reached === 'duplicate') effect.counted('duplicate', this.logger, contract.type);
      else {
        effect.stopTimer();
        await alone(d);
      }
    }
    await commitHeld();
  }

  private async commitHeld(registration: EventRegistration, held: HeldEffect[]): Promise<void> {
    const { contract, consumer, handler, options } = registration;
    const topic = contract.topic;
    let outcomes: EffectOutcome[];
    try {
      outcomes = await this.unitOfWork.run(async () => {
        const first = await this.ledger.firstDeliveries(consumer, [...new Set(held.map((h) => h.event.eventId))]);
        const results: EffectOutcome[] = [];
        for (const h of held) {
          results.push(first.delete(h.event.eventId.toLowerCase()) ? await h.applyHeld() : 'duplicate');
        }
        return results;
      });
    } catch (error) {
      eventsFailed.inc({ topic });
      this.logger.warn({ err: error, events: held.length }, `${contract.type}: a batch of ${held.length} failed; handling its events one by one`);
      for (const h of held) {
        h.stopTimer();
        await h.answer(Promise.reject(error));
        await context.with(h.d.context, () => this.process(contract, consumer, h.d.raw, h.d.ctx, handler, options));
      }
      return;
    }
    for (const [i, h] of held.entries()) {
      // The effect has committed; a handler failing after it is handled again alone, and finds it applied.
      if (await h.answer(Promise.resolve(outcomes[i]))) h.counted(outcomes[i], this.logger, contract.type);
      else {
        h.stopTimer();
        await context.with(h.d.context, () => this.process(contract, consumer, h.d.raw, h.d.ctx, handler, options));
      }
    }
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
      await runWithOrigin({ requestId, eventId, topic }, () =>
        withEventTraceFields({ requestId, eventId }, async () => {
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

/**
 * The consumer span gets the event's request and event ids, so Jaeger finds it by either. Lines
 * logged while handling the event carry them (and the topic) from its origin, through the logger's
 * mixin, as HTTP lines carry theirs.
 */
function withEventTraceFields<T>(fields: Pick<Origin, 'requestId' | 'eventId'>, work: () => T): T {
  const span = trace.getActiveSpan();
  if (fields.requestId) span?.setAttribute(REQUEST_ID_ATTRIBUTE, fields.requestId);
  if (fields.eventId) span?.setAttribute('messaging.message.id', fields.eventId);
  return work();
}

/** kafkajs hands header values as Buffers (or arrays of them). */
const bufferHeaders: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/**
 * One message of a batch: its KafkaContext (what the one-by-one path and the dead letters read),
 * and its own consumer span, child of the producer span it carries, so each event stays in the
 * trace of the request that caused it (kafkajs' instrumentation would start one trace per batch).
 */
class BatchDelivery {
  readonly raw: unknown;
  readonly ctx: KafkaContext;
  readonly span: Span;
  readonly context: Context;

  constructor(
    message: KafkaMessage & { topic: string; partition: number },
    private readonly batch: ConsumedBatch,
  ) {
    this.raw = message.value;
    this.ctx = new KafkaContext([message, message.partition, message.topic, undefined as never, () => batch.heartbeat(), undefined as never]);
    const parent = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, bufferHeaders);
    this.span = tracer.startSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.name': 'process',
          'messaging.destination.name': message.topic,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': message.offset,
        },
      },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
  }

  /** Runs `work` in this message's trace, with the event's origin and log fields. */
  inEventContext<T>(event: EventEnvelope<string, object>, work: () => Promise<T>): Promise<T> {
    const origin = { requestId: event.requestId, eventId: event.eventId, topic: this.ctx.getTopic() };
    return context.with(this.context, () => runWithOrigin(origin, () => withEventTraceFields(origin, work)));
  }

  /** The Delivery a handler applied in a batch's unit gets (its effect is in the unit already). */
  delivery(ledger: Ledger, consumer: string, eventId: string): Delivery {
    return {
      heartbeat: () => this.batch.heartbeat(),
      alreadyApplied: () => ledger.seen(consumer, eventId),
      applyOnce: () => Promise.reject(new Error(`${consumer}: applyOnce is for handlers declared waitsOutsideTransaction`)),
    };
  }

}

/**
 * One event of a batch whose handler waits outside the database: the handler runs until it hands
 * its effect to `applyOnce` (held here, applied later in the batch's unit) or ends without one.
 */
class HeldEffect {
  private work: (() => Promise<HandlerResult>) | undefined;
  private heldSignal!: () => void;
  private readonly heldNow = new Promise<void>((resolve) => (this.heldSignal = resolve));
  private outcome!: (answer: Promise<EffectOutcome>) => void;
  private readonly answered = new Promise<EffectOutcome>((resolve) => (this.outcome = resolve));
  private finished: Promise<{ ok: true; result: HandlerResult } | { ok: false }> | undefined;
  private timer: (() => void) | undefined;
  /** When its handler started: the hold is counted from the first held event's start. */
  readonly startedAt = Date.now();

  constructor(
    readonly d: BatchDelivery,
    readonly event: EventEnvelope<string, object>,
    stopTimer: () => void,
  ) {
    this.timer = stopTimer;
  }

  private inEventContext<T>(work: () => Promise<T>): Promise<T> {
    return this.d.inEventContext(this.event, work);
  }

  hold(work: () => Promise<HandlerResult>): Promise<EffectOutcome> {
    if (this.work) return Promise.reject(new Error('applyOnce called twice for one event'));
    this.work = work;
    this.answered.catch(() => undefined);
    this.heldSignal();
    return this.answered;
  }

  /** 'held': the effect waits for the batch's unit; 'duplicate': nothing to do; 'failed': go alone. */
  async runUntilHeld(handler: () => Promise<HandlerResult>): Promise<'held' | 'duplicate' | 'failed'> {
    this.finished = this.inEventContext(handler).then(
      (result) => ({ ok: true as const, result }),
      () => ({ ok: false as const }),
    );
    const first = await Promise.race([this.heldNow.then(() => undefined), this.finished]);
    if (this.work) return 'held';
    // Returning without applyOnce and without 'duplicate' records nothing: the one-by-one path says so.
    return first?.ok && first.result === 'duplicate' ? 'duplicate' : 'failed';
  }

  /** In the batch's unit, in this event's trace and log context. */
  async applyHeld(): Promise<EffectOutcome> {
    const result = await this.inEventContext(this.work as () => Promise<HandlerResult>);
    return result === 'duplicate' ? 'duplicate' : 'processed';
  }

  /** Answers the handler's `applyOnce`; true when the handler then ended well. */
  async answer(outcome: Promise<EffectOutcome>): Promise<boolean> {
    outcome.catch(() => undefined);
    this.outcome(outcome);
    const end = await this.finished;
    return end?.ok === true;
  }

  stopTimer(): void {
    this.timer?.();
    this.timer = undefined;
  }

  counted(outcome: EffectOutcome, logger: Logger, type: string): void {
    this.stopTimer();
    eventsConsumed.inc({ topic: this.d.ctx.getTopic(), outcome });
    void this.inEventContext(async () => logger.log({ outcome }, `${type} ${outcome}`));
  }
}

function headerOf(ctx: KafkaContext, name: string): string | null {
  const value = ctx.getMessage().headers?.[name];
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? String(value[0]) : String(value);
}
