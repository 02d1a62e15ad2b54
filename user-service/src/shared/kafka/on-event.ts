// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { EventContract } from '../events/contracts';
import { EventHandler, EventHandlerOptions, EventProcessor, EventRegistration } from './event-processor';

/** Where the decorated class gets its EventProcessor (injected as a property: no constructor change). */
export const PROCESSOR = '__eventProcessor';

const REGISTRATIONS = Symbol('onEventRegistrations');

type Registrar = (instance: object) => EventRegistration;
type Decorated = Record<string | symbol, unknown> & { [REGISTRATIONS]?: Registrar[] };

/**
 * Remembers a handler of the class, and once per class puts a setter where Nest injects the
 * processor (a plain assignment): when an object of the class gets its processor, each of its
 * handlers is registered with it, bound to that object. The batch consumer finds them there.
 */
function addRegistrar(target: object, registrar: Registrar): void {
  const proto = target as Decorated;
  if (!Object.prototype.hasOwnProperty.call(proto, REGISTRATIONS)) {
    Object.defineProperty(proto, REGISTRATIONS, { value: [...(proto[REGISTRATIONS] ?? [])] });
    Object.defineProperty(proto, PROCESSOR, {
      configurable: true,
      get: () => undefined,
      set(this: Decorated, processor: EventProcessor) {
        Object.defineProperty(this, PROCESSOR, { value: processor, writable: true, configurable: true, enumerable: true });
        for (const register of this[REGISTRATIONS] ?? []) processor.register(register(this));
      },
    });
  }
  proto[REGISTRATIONS]?.push(registrar);
}

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
    addRegistrar(target, (instance) => ({
      // The registry holds handlers of every contract; each gets only events its contract parsed.
      contract: contract as unknown as EventContract<object>,
      consumer,
      handler: (event, delivery) => handler.call(instance, event as never, delivery),
      options,
    }));
    Inject(EventProcessor)(target, PROCESSOR);
    EventPattern(contract.topic)(target, key, descriptor as PropertyDescriptor);
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}
