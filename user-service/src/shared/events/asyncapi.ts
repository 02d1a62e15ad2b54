// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { getMetadataStorage } from 'class-validator';
import { DLQ_HEADERS } from '../kafka/dead-letter-headers';
import { Contracts, EventContract } from './contracts';
import { deadLetterTopicOf } from './topics';

type Schema = Record<string, unknown>;
type ContractName = keyof typeof Contracts;

/** Who writes and who reads each event: the services' @OnEvent handlers and events.record calls. */
export const EVENT_PARTIES: Record<ContractName, { publishedBy: string; consumedBy: readonly string[] }> = {
  UserCreated: { publishedBy: 'user-service', consumedBy: ['order-service'] },
  UserDeleted: { publishedBy: 'user-service', consumedBy: ['order-service'] },
  OrderCreated: { publishedBy: 'order-service', consumedBy: ['payment-service'] },
  PaymentCompleted: { publishedBy: 'payment-service', consumedBy: ['order-service'] },
  PaymentFailed: { publishedBy: 'payment-service', consumedBy: ['order-service'] },
  OrderCancelled: { publishedBy: 'order-service', consumedBy: [] },
  OrderExpired: { publishedBy: 'order-service', consumedBy: [] },
  RefundRequested: { publishedBy: 'order-service', consumedBy: ['payment-service'] },
  PaymentRefunded: { publishedBy: 'payment-service', consumedBy: ['order-service'] },
  PaymentRefundFailed: { publishedBy: 'payment-service', consumedBy: ['order-service'] },
};

const UUID = { type: 'string', format: 'uuid' };

/**
 * A data class's JSON Schema, read from its class-validator rules: the rules that validate a
 * consumed event are the ones documented, with no second description to keep in step.
 */
export function schemaOf(dataClass: new () => object): Schema {
  const storage = getMetadataStorage();
  const metas = storage.getTargetValidationMetadatas(dataClass, '', true, false);
  const byProperty = storage.groupByPropertyName(metas);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [name, rules] of Object.entries(byProperty)) {
    let schema: Schema = {};
    let optional = false;
    let items: Schema | undefined;
    for (const rule of rules) {
      const c = rule.constraints ?? [];
      switch (rule.name ?? rule.type) {
        case 'isUuid': schema = { ...schema, ...UUID }; break;
        case 'isEmail': schema = { ...schema, type: 'string', format: 'email' }; break;
        case 'isIso8601': schema = { ...schema, type: 'string', format: 'date-time' }; break;
        case 'isString': schema = { ...schema, type: 'string' }; break;
        case 'maxLength': schema = { ...schema, type: 'string', maxLength: c[0] }; break;
        case 'matches': schema = { ...schema, type: 'string', pattern: (c[0] as RegExp).source }; break;
        case 'isIn': schema = { ...schema, enum: [...(c[0] as unknown[])] }; break;
        case 'isInt': schema = { ...schema, type: 'integer' }; break;
        case 'min': schema = { ...schema, minimum: c[0] }; break;
        case 'max': schema = { ...schema, maximum: c[0] }; break;
        case 'arrayMinSize': schema = { ...schema, type: 'array', minItems: c[0] }; break;
        case 'arrayMaxSize': schema = { ...schema, type: 'array', maxItems: c[0] }; break;
        case 'conditionalValidation':
        case 'isOptional':
          optional = true;
          break;
        case 'nestedValidation': {
          const nested = (Reflect.getMetadata('design:type', dataClass.prototype, name) as unknown) === Array ? typeOf(dataClass, name) : undefined;
          if (nested) items = schemaOf(nested);
          break;
        }
        default: throw new Error(`${dataClass.name}.${name}: no JSON Schema for rule ${rule.name ?? rule.type}; teach schemaOf`);
      }
    }
    properties[name] = items ? { ...schema, type: 'array', items } : schema;
    if (!optional) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

function typeOf(target: new () => object, property: string): (new () => object) | undefined {
  // class-transformer's @Type metadata names the element class of an array of objects.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
    defaultMetadataStorage: { findTypeMetadata(t: object, p: string): { typeFunction: () => new () => object } | undefined };
  };
  return defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction();
}

function envelope(c: EventContract<unknown>): Schema {
  return {
    type: 'object',
    required: ['eventId', 'type', 'version', 'occurredAt', 'requestId', 'data'],
    properties: {
      eventId: { ...UUID, description: 'Consumers process each eventId once' },
      type: { const: c.type },
      version: { const: c.version },
      occurredAt: { type: 'string', format: 'date-time' },
      requestId: { type: ['string', 'null'], description: 'The HTTP request the event comes from, if any' },
      data: schemaOf(c.dataClass as new () => object),
    },
  };
}

const HEADERS: Schema = {
  type: 'object',
  properties: {
    traceparent: { type: 'string', description: 'W3C trace context of the work that recorded the event' },
    'x-request-id': { type: 'string', description: 'The request id of that work' },
  },
};

const DEAD_LETTER_HEADERS: Schema = {
  type: 'object',
  properties: {
    ...(HEADERS.properties as Schema),
    [DLQ_HEADERS.reason]: { type: 'string', description: 'Why the message was parked' },
    [DLQ_HEADERS.originalTopic]: { type: 'string' },
    [DLQ_HEADERS.originalPartition]: { type: 'string' },
    [DLQ_HEADERS.originalOffset]: { type: 'string' },
    [DLQ_HEADERS.consumer]: { type: 'string', description: 'The consumer that failed it' },
    [DLQ_HEADERS.failedAt]: { type: 'string', format: 'date-time' },
  },
  required: [DLQ_HEADERS.reason, DLQ_HEADERS.originalTopic],
};

/**
 * The AsyncAPI 3.0 document of the events, generated from shared/events (`Contracts`). With a
 * service name: only the channels and operations that service publishes or consumes.
 */
export function asyncApiDocument(service?: string): Schema {
  const channels: Schema = {};
  const operations: Schema = {};
  const messages: Schema = {};
  const schemas: Schema = {};
  for (const [name, c] of Object.entries(Contracts) as Array<[ContractName, EventContract<unknown>]>) {
    const parties = EVENT_PARTIES[name];
    const publishes = !service || parties.publishedBy === service;
    const consumes = !service || parties.consumedBy.includes(service);
    if (!publishes && !consumes) continue;
    schemas[`${name}Envelope`] = envelope(c);
    messages[name] = {
      name: c.type,
      title: `${c.type} v${c.version}`,
      summary: `Published by ${parties.publishedBy}; consumed by ${parties.consumedBy.join(', ')}`,
      contentType: 'application/json',
      headers: HEADERS,
      payload: { $ref: `#/components/schemas/${name}Envelope` },
      bindings: { kafka: { key: { type: 'string', format: 'uuid', description: 'The aggregate id: one entity\'s events stay in order' } } },
    };
    messages[`${name}DeadLetter`] = {
      name: `${c.type}DeadLetter`,
      title: `${c.type} parked`,
      summary: 'The original message, unchanged, with why and where it failed',
      contentType: 'application/json',
      headers: DEAD_LETTER_HEADERS,
      payload: {},
    };
    channels[name] = { address: c.topic, messages: { [name]: { $ref: `#/components/messages/${name}` } } };
    channels[`${name}DeadLetter`] = { address: deadLetterTopicOf(c.topic), messages: { [`${name}DeadLetter`]: { $ref: `#/components/messages/${name}DeadLetter` } } };
    if (publishes) operations[`publish${name}`] = { action: 'send', channel: { $ref: `#/channels/${name}` }, summary: `${parties.publishedBy} publishes`, messages: [{ $ref: `#/channels/${name}/messages/${name}` }] };
    if (consumes) {
      operations[`consume${name}`] = { action: 'receive', channel: { $ref: `#/channels/${name}` }, summary: `${parties.consumedBy.join(', ')} consume`, messages: [{ $ref: `#/channels/${name}/messages/${name}` }] };
      operations[`deadLetter${name}`] = { action: 'send', channel: { $ref: `#/channels/${name}DeadLetter` }, summary: 'Consumers park what they cannot process', messages: [{ $ref: `#/channels/${name}DeadLetter/messages/${name}DeadLetter` }] };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: { title: service ? `${service} events` : 'nest-ms events', version: '1.0.0', description: 'Kafka topics of nest-ms: each value is the event envelope; the key is the aggregate id.' },
    defaultContentType: 'application/json',
    servers: { kafka: { host: 'localhost:9094', protocol: 'kafka', description: 'KAFKA_BROKER' } },
    channels,
    operations,
    components: { messages, schemas },
  };
}
