import { Contracts } from './contracts';
import { createEnvelope } from './envelope';
import { jsonProblem, nestedDeeperThan } from './json-limits';
import { parseEvent } from './parse-event';

const userId = '6f1c2b1e-3a4d-4c5e-9f00-112233445566';
const orderId = '0b7e9a52-8d1f-4b6c-a3e2-665544332211';

function anOrderCreated(overrides: Record<string, unknown> = {}) {
  return {
    ...createEnvelope('OrderCreated', 1, {
      orderId,
      userId,
      kind: 'regular',
      items: [{ productId: 'product-123', quantity: 2, price: '10.50' }],
      totalAmount: '21.00',
    }, 'req-1'),
    ...overrides,
  };
}

describe('parseEvent', () => {
  it('accepts a valid envelope given as bytes, text or object', () => {
    const event = anOrderCreated();
    for (const raw of [Buffer.from(JSON.stringify(event)), JSON.stringify(event), event]) {
      const parsed = parseEvent(Contracts.OrderCreated, raw);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.event.data.items[0].price).toBe('10.50');
    }
  });

  it.each([
    ['non-JSON text', 'not json {', 'value is not JSON'],
    ['a JSON array', '[1,2]', 'value is not a JSON object'],
    ['null', 'null', 'value is not a JSON object'],
  ])('refuses %s with a reason', (_, raw, reason) => {
    expect(parseEvent(Contracts.OrderCreated, raw)).toEqual({ ok: false, reason });
  });

  it('refuses another event type, an unknown version and a bad event id', () => {
    expect(parseEvent(Contracts.OrderCreated, anOrderCreated({ type: 'UserCreated' }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('type must be OrderCreated'),
    });
    expect(parseEvent(Contracts.OrderCreated, anOrderCreated({ version: 2 }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unsupported version 2'),
    });
    expect(parseEvent(Contracts.OrderCreated, anOrderCreated({ eventId: 'x' }))).toMatchObject({
      ok: false,
      reason: 'eventId must be a uuid',
    });
  });

  it('names every invalid data field, nested ones included', () => {
    const event = anOrderCreated();
    const bad = { ...event, data: { ...event.data, totalAmount: 21, items: [{ productId: 'nope', quantity: 0, price: '1.234' }] } };
    const parsed = parseEvent(Contracts.OrderCreated, bad);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toContain('totalAmount');
    expect(parsed.reason).toContain('items.0.productId');
    expect(parsed.reason).toContain('items.0.quantity');
    expect(parsed.reason).toContain('items.0.price');
  });

  it('refuses unknown data fields', () => {
    const event = anOrderCreated();
    expect(parseEvent(Contracts.OrderCreated, { ...event, data: { ...event.data, discount: '5.00' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('discount'),
    });
  });

  it('refuses prototype-pollution keys anywhere in the message', () => {
    const text = JSON.stringify(anOrderCreated()).replace('"productId"', '"__proto__":{"admin":true},"productId"');
    expect(parseEvent(Contracts.OrderCreated, text)).toEqual({ ok: false, reason: 'forbidden key __proto__' });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses a message over 1 MB without parsing it', () => {
    expect(parseEvent(Contracts.UserCreated, 'x'.repeat(1024 * 1024 + 1))).toEqual({
      ok: false,
      reason: 'message larger than 1 MB',
    });
  });

  it.each([40, 2000, 100000])('refuses data nested %i levels deep instead of overflowing the stack', (depth) => {
    const event = JSON.stringify(anOrderCreated());
    const arrays = event.replace('"items":', `"deep":${'['.repeat(depth)}${']'.repeat(depth)},"items":`);
    const objects = event.replace('"items":', `"deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},"items":`);
    for (const text of [arrays, objects]) {
      expect(parseEvent(Contracts.OrderCreated, text)).toEqual({ ok: false, reason: 'value nested deeper than 32 levels' });
    }
  });
});

describe('JSON limits', () => {
  it('count objects and arrays, not scalars', () => {
    expect(nestedDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [{ b: [] }] }, 3)).toBe(true);
    expect(nestedDeeperThan('[[[[[', 1)).toBe(false);
    expect(nestedDeeperThan(undefined, 1)).toBe(false);
  });

  it('find text PostgreSQL cannot store, in values and keys, and let any other Unicode through', () => {
    expect(jsonProblem({ name: 'Zoë 😀 ✓ 中文 \u0001' })).toBeNull();
    const unstorable = 'holds U+0000 or an unpaired surrogate (text that cannot be stored)';
    expect(jsonProblem({ name: 'a\u0000b' })).toBe(unstorable);
    expect(jsonProblem({ items: [{ productId: '😀'.slice(0, 1) }] })).toBe(unstorable);
    expect(jsonProblem({ ['\udc00']: 1 })).toBe(unstorable);
    expect(jsonProblem({ a: '\u0000' }, { checkText: false })).toBeNull();
  });

  it('find a __proto__ or constructor property at any depth, unless asked only for depth', () => {
    expect(jsonProblem(JSON.parse('{"a":{"__proto__":{"x":1}}}'))).toBe('has a property "__proto__", which no request takes');
    expect(jsonProblem(JSON.parse('{"items":[{"constructor":1}]}'))).toBe('has a property "constructor", which no request takes');
    expect(jsonProblem(JSON.parse('{"__proto__":1}'), { checkKeys: false })).toBeNull();
    expect(nestedDeeperThan(JSON.parse('{"constructor":1}'))).toBe(false);
  });
});
