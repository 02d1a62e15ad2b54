import fc from 'fast-check';
import { Contracts, EventContract, ROLES } from './contracts';
import { parseEvent } from './parse-event';

// Property tests of every event contract through parseEvent, as each consumer runs it: valid
// events are taken with their data intact, whether the value arrives as bytes, text or an object;
// anything else is refused with a reason (the consumer dead-letters it); and no value at all (wrong
// types, huge or odd Unicode text, prototype keys, deep nesting, random bytes) makes it throw,
// which would have the consumer retry the message forever.

const RUNS = { numRuns: 200 };

const money = fc.oneof(fc.stringMatching(/^[1-9]\d{0,11}(\.\d{1,2})?$/), fc.stringMatching(/^0(\.\d{1,2})?$/));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const email = fc
  .tuple(fc.array(fc.stringMatching(/^[a-z0-9_+-]{1,8}$/), { minLength: 1, maxLength: 3 }), fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([local, domain, tld]) => `${local.join('.')}@${domain.join('.')}.${tld}`);
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: Math.min(max, 60) }).filter((s) => [...s].length <= max);
const item = fc.record({ productId: fc.stringMatching(/^product-[a-zA-Z0-9-]{1,40}$/), quantity: fc.integer({ min: 1, max: 9999 }), price: money });

/** Valid data, and data with one field broken, per contract. */
const CASES: { contract: EventContract<object>; data: fc.Arbitrary<Record<string, unknown>>; broken: Record<string, fc.Arbitrary<unknown>> }[] = [
  {
    contract: Contracts.UserCreated,
    data: fc.record({ userId: fc.uuid(), email, name: text(255), role: fc.constantFrom(...ROLES) }),
    broken: { userId: fc.string({ maxLength: 40 }), email: fc.string().filter((s) => !s.includes('@')), name: fc.integer(), role: fc.string().filter((s) => !(ROLES as readonly string[]).includes(s)) },
  },
  {
    contract: Contracts.UserDeleted,
    data: fc.record({ userId: fc.uuid() }),
    broken: { userId: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)) },
  },
  {
    contract: Contracts.OrderCreated,
    data: fc.record({ orderId: fc.uuid(), userId: fc.uuid(), kind: fc.constantFrom('welcome', 'regular'), items: fc.array(item, { minLength: 1, maxLength: 10 }), totalAmount: money }),
    broken: {
      orderId: fc.constantFrom('', 'not-a-uuid', "' OR 1=1 --"),
      kind: fc.string().filter((s) => s !== 'welcome' && s !== 'regular'),
      items: fc.oneof(fc.constant([]), fc.array(item, { minLength: 101, maxLength: 102 }), item.map((i) => [{ ...i, quantity: 0 }]), item.map((i) => [{ ...i, price: 12.3 }])),
      totalAmount: fc.oneof(fc.double(), fc.constantFrom('-1', '1.234', 'NaN', '1e3', '', '0x10', ' 1')),
    },
  },
  {
    contract: Contracts.PaymentCompleted,
    data: fc.record({ paymentId: fc.uuid(), orderId: fc.uuid(), amount: money }),
    broken: { paymentId: fc.string({ maxLength: 10 }), amount: fc.oneof(fc.double(), fc.constantFrom('-0', '1.001', 'Infinity')) },
  },
  {
    contract: Contracts.PaymentFailed,
    data: fc.record({ paymentId: fc.uuid(), orderId: fc.uuid(), amount: money, reason: text(500), code: text(20) }, { requiredKeys: ['paymentId', 'orderId', 'amount', 'reason'] }),
    broken: { reason: fc.oneof(fc.integer(), fc.constant('r'.repeat(501))), code: fc.integer() },
  },
  {
    contract: Contracts.OrderCancelled,
    data: fc.record({ orderId: fc.uuid(), userId: fc.uuid(), cancelledFrom: fc.constantFrom('pending', 'paid') }),
    broken: { cancelledFrom: fc.string().filter((s) => s !== 'pending' && s !== 'paid'), userId: fc.integer() },
  },
  {
    contract: Contracts.OrderExpired,
    data: fc.record({ orderId: fc.uuid(), userId: fc.uuid(), deadline: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) }),
    broken: { deadline: fc.constantFrom('', 'yesterday', '2020-13-45T00:00:00Z'), orderId: fc.constant('nope') },
  },
  {
    contract: Contracts.RefundRequested,
    data: fc.record({ orderId: fc.uuid(), paymentId: fc.uuid(), amount: money, reason: fc.constantFrom('cancelled', 'late_payment') }),
    broken: { amount: fc.oneof(fc.double(), fc.constantFrom('-1', '1.001')), reason: fc.string().filter((s) => s !== 'cancelled' && s !== 'late_payment') },
  },
  {
    contract: Contracts.PaymentRefunded,
    data: fc.record({ refundId: fc.uuid(), paymentId: fc.uuid(), orderId: fc.uuid(), amount: money }),
    broken: { refundId: fc.string({ maxLength: 10 }), amount: fc.double() },
  },
  {
    contract: Contracts.PaymentRefundFailed,
    data: fc.record({ refundId: fc.uuid(), paymentId: fc.uuid(), orderId: fc.uuid(), amount: money, attempts: fc.integer({ min: 1, max: 100 }), reason: text(500) }),
    broken: { attempts: fc.oneof(fc.constant(0), fc.double({ min: 1.1, max: 1.9, noNaN: true })), reason: fc.integer() },
  },
];

const envelopeOf = (contract: EventContract<object>, data: unknown) =>
  fc.record({
    eventId: fc.uuid(),
    type: fc.constant(contract.type),
    version: fc.constant(contract.version),
    occurredAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    requestId: fc.option(text(100), { nil: null }),
    data: fc.constant(data),
  });

describe.each(CASES)('$contract.type: parseEvent properties', ({ contract, data, broken }) => {
  const valid = data.chain((d) => envelopeOf(contract, d));

  it('takes every valid event, as bytes, text or object, with its data intact', () => {
    fc.assert(
      fc.property(valid, fc.constantFrom('object', 'text', 'bytes'), (event, form) => {
        const raw = form === 'object' ? JSON.parse(JSON.stringify(event)) : form === 'text' ? JSON.stringify(event) : Buffer.from(JSON.stringify(event));
        const parsed = parseEvent(contract, raw);
        expect(parsed).toMatchObject({ ok: true });
        if (!parsed.ok) return;
        expect(parsed.event.eventId).toBe(event.eventId);
        expect(JSON.parse(JSON.stringify(parsed.event.data))).toEqual(event.data);
      }),
      RUNS,
    );
  });

  it('refuses data with one field broken, with a reason naming it', () => {
    const fields = Object.keys(broken);
    const bad = fc.constantFrom(...fields).chain((f) => fc.tuple(fc.constant(f), data, broken[f]));
    fc.assert(
      fc.property(bad, fc.uuid(), ([field, d, value], eventId) => {
        const parsed = parseEvent(contract, { eventId, type: contract.type, version: contract.version, occurredAt: new Date().toISOString(), data: { ...d, [field]: value } });
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.reason).toContain(field);
      }),
      RUNS,
    );
  });

  it('refuses a broken envelope: event id, type, version (1.5, "1", -0, 2), date, request id, data', () => {
    const mutation = fc.oneof(
      fc.record({ eventId: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)) }),
      fc.record({ type: fc.string().filter((t) => t !== contract.type) }),
      fc.record({ version: fc.oneof(fc.constantFrom(0, -0, 2, 1.5, '1', null, 'v1'), fc.integer({ min: 2 })) }),
      fc.record({ occurredAt: fc.oneof(fc.constantFrom('yesterday', '', '2024-13-45T99:99:99Z', 'NaN'), fc.integer(), fc.constant(null)) }),
      fc.record({ requestId: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 })) }),
      fc.record({ data: fc.oneof(fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 2 }), fc.string(), fc.integer()) }),
    );
    fc.assert(
      fc.property(valid, mutation, (event, change) => {
        const parsed = parseEvent(contract, { ...event, ...change });
        expect(parsed).toEqual({ ok: false, reason: expect.any(String) });
      }),
      RUNS,
    );
  });

  it('refuses unknown data fields and prototype keys anywhere, polluting nothing', () => {
    const key = fc
      .oneof(fc.string({ minLength: 1, maxLength: 15 }), fc.constantFrom('toString', 'valueOf', 'hasOwnProperty'))
      .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
    fc.assert(
      fc.property(valid, key, fc.jsonValue(), fc.constantFrom('__proto__', 'constructor', 'prototype'), (event, k, v, proto) => {
        if (!(k in (event.data as object))) {
          const parsed = parseEvent(contract, { ...event, data: { ...(event.data as object), [k]: v } });
          // A name of an Object.prototype member (toString...) is dropped, never assigned; any other is refused.
          if (k in Object.prototype && parsed.ok) expect(Object.prototype.hasOwnProperty.call(parsed.event.data, k)).toBe(false);
          else expect(parsed.ok).toBe(false);
        }
        const text = JSON.stringify(event).replace('"data":{', `"data":{"${proto}":{"polluted":true},`);
        expect(parseEvent(contract, text)).toEqual({ ok: false, reason: `forbidden key ${proto}` });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('never throws, whatever arrives: any value, any text, any bytes', () => {
    const anything = fc.oneof(
      fc.anything({ withNullPrototype: true, withBoxedValues: true, maxDepth: 5 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      valid.map((e) => JSON.stringify(e).slice(0, -1)), // truncated
      fc.integer({ min: 33, max: 3000 }).map((n) => JSON.stringify({ eventId: 'x', data: JSON.parse('['.repeat(n) + ']'.repeat(n)) })),
    );
    fc.assert(
      fc.property(anything, (raw) => {
        const parsed = parseEvent(contract, raw);
        expect(typeof parsed.ok).toBe('boolean');
        if (!parsed.ok) expect(typeof parsed.reason).toBe('string');
      }),
      RUNS,
    );
  });
});
