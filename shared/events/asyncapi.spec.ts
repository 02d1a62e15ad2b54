import { Parser } from '@asyncapi/parser';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiDocument } from './asyncapi';
import { breakingChanges } from './compatibility';

const FILE = join(__dirname, 'asyncapi.json');
// `npm run asyncapi` (root) rewrites the committed document; the gate below then compares against it.
if (process.env.WRITE_ASYNCAPI === '1') writeFileSync(FILE, `${JSON.stringify(asyncApiDocument(), null, 2)}\n`);
const committed = JSON.parse(readFileSync(FILE, 'utf8'));

describe('the AsyncAPI document of the events', () => {
  const parser = new Parser();

  it.each([undefined, 'user-service', 'order-service', 'payment-service'])('is valid AsyncAPI 3.0 for %s (the official parser finds no error)', async (service) => {
    const { document, diagnostics } = await parser.parse(JSON.stringify(asyncApiDocument(service)));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('has every topic, its dead-letter topic and each payload\'s schema', () => {
    const doc = asyncApiDocument() as any;
    const addresses = Object.values(doc.channels).map((c: any) => c.address);
    expect(addresses).toEqual(expect.arrayContaining(['user.created', 'user.created.dlq', 'order.created', 'payment.completed', 'payment.failed.dlq']));
    expect(doc.components.schemas.OrderCreatedEnvelope.properties.data.properties.items.items.properties.price).toEqual({ type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,2})?$' });
  });

  it('gives a service only the channels it publishes or consumes', () => {
    const doc = asyncApiDocument('payment-service') as any;
    expect(Object.keys(doc.operations).sort()).toEqual([
      'consumeOrderCreated',
      'consumeRefundRequested',
      'deadLetterOrderCreated',
      'deadLetterRefundRequested',
      'publishPaymentCompleted',
      'publishPaymentFailed',
      'publishPaymentRefundFailed',
      'publishPaymentRefunded',
    ]);
  });

  it('is the committed shared/events/asyncapi.json (regenerate: npm run asyncapi)', () => {
    expect(asyncApiDocument()).toEqual(committed);
  });
});

describe('the compatibility gate (the contracts against the committed document)', () => {
  it('finds no breaking change in the contracts as they are', () => {
    expect(breakingChanges(committed, asyncApiDocument())).toEqual([]);
  });

  const edit = (fn: (data: any) => void, version?: number) => {
    const next = JSON.parse(JSON.stringify(committed));
    const envelope = next.components.schemas.PaymentFailedEnvelope;
    fn(envelope.properties.data);
    if (version) envelope.properties.version = { const: version };
    return next;
  };

  it('fails on a removed field, a retyped field or a new required field, without a version bump', () => {
    expect(breakingChanges(committed, edit((d) => delete d.properties.reason))).toEqual(['PaymentFailed v1: data.reason removed']);
    expect(breakingChanges(committed, edit((d) => (d.properties.amount = { type: 'number' })))).toEqual(['PaymentFailed v1: data.amount changed type or rules']);
    expect(
      breakingChanges(committed, edit((d) => {
        d.properties.currency = { type: 'string' };
        d.required.push('currency');
      })),
    ).toEqual(['PaymentFailed v1: data.currency is new and required']);
  });

  it('passes an additive optional field, and a breaking change that raises the version', () => {
    expect(breakingChanges(committed, edit((d) => (d.properties.note = { type: 'string' })))).toEqual([]);
    expect(breakingChanges(committed, edit((d) => delete d.properties.reason, 2))).toEqual([]);
  });
});
