// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { EventContract } from '../events/contracts';
import { EventHandler, EventHandlerOptions, EventProcessor } from './event-processor';

/** Where the decorated class gets its EventProcessor (injected as a property: no constructor change). */
export const PROCESSOR = '__eventProcessor';

/**
 * Registers a method of a controller as the handler of one contract, under a consumer name (its
 * key in the processed_events ledger: keep it stable). The method receives the parsed, typed event;
 * EventProcessor does the rest (dead letters, deduplication, the unit of work, retries):
 *
 *   @OnEvent(Contracts.UserCreated, 'order-service.user-created')
 *   async welcome(event: EventEnvelope<'UserCreated', UserCreatedData>) { ... }
 */
export function OnEvent<TData extends object>(
  contract: EventContract<TData>,
  consumer: string,
  options: EventHandlerOptions = {},
): <T extends EventHandler<TData>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => void {
  return (target, key, descriptor) => {
    const handler = descriptor.value;
    if (!handler) throw new Error(`@OnEvent(${contract.type}) must decorate a method`);
    const receive = function (this: Record<string, EventProcessor>, raw: unknown, ctx: KafkaContext): Promise<void> {
      return this[PROCESSOR].process(contract, consumer, raw, ctx, (event, delivery) => handler.call(this, event, delivery), options);
    };
    (descriptor as PropertyDescriptor).value = receive;
    Inject(EventProcessor)(target, PROCESSOR);
    EventPattern(contract.topic)(target, key, descriptor as PropertyDescriptor);
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}
