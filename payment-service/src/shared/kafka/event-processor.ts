// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Injectable, Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventContract } from '../events/contracts';
import { EventEnvelope } from '../events/envelope';
import { parseEvent } from '../events/parse-event';
import { DomainError } from '../http/domain-error';
import { eventHandlerDuration, eventsConsumed } from '../observability/metrics';
import { traceFields } from '../observability/logger.module';
import { DeadLetterPublisher } from './dead-letter.publisher';

export type EffectOutcome = 'processed' | 'duplicate';

export interface RetryPolicy {
  readonly attempts: number;
  readonly firstDelayMs: number;
}

/** About 6 s in all: long enough for a blip, short enough to stay far below the session timeout. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 200 };

/**
 * Runs one consumed message through: validate, then the effect with bounded retries, and park
 * whatever cannot succeed on the dead-letter topic. It throws only when even parking fails
 * (Kafka unreachable), so the message is redelivered instead of lost.
 */
@Injectable()
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);
  retry: RetryPolicy = DEFAULT_RETRY;

  constructor(private readonly deadLetters: DeadLetterPublisher) {}

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
    if (!parsed.ok) {
      await this.deadLetters.park(ctx, consumer, parsed.reason);
      eventsConsumed.inc({ topic, outcome: 'dead_lettered' });
      stopTimer();
      return;
    }
    const event = parsed.event;
    await withEventLogContext(event, topic, async () => {
      const outcome = await this.runWithRetries(ctx, consumer, event, effect);
      eventsConsumed.inc({ topic, outcome });
      stopTimer();
      this.logger.log({ topic, eventId: event.eventId, outcome }, `${contract.type} ${outcome}`);
    });
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
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof DomainError && error.kind !== 'unavailable') {
          await this.deadLetters.park(ctx, consumer, `${error.code}: ${message}`);
          return 'dead_lettered';
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
}

/** Lines logged while handling an event carry its request id, event id and trace, as HTTP lines do. */
async function withEventLogContext(event: EventEnvelope, topic: string, work: () => Promise<void>): Promise<void> {
  const root = PinoLogger.root;
  if (!root) return work();
  const child = root.child({ requestId: event.requestId ?? undefined, eventId: event.eventId, topic, ...traceFields() });
  return storage.run(new Store(child), work);
}
