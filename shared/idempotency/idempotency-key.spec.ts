import {
  canonicalJson,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENCY_KEY_PATTERN_SOURCE,
  idempotencyScope,
  InvalidIdempotencyKeyError,
  readIdempotencyKey,
  requestFingerprint,
} from './idempotency-key';

describe('readIdempotencyKey', () => {
  it('is undefined without the header', () => {
    expect(readIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each(['a', '8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b', '!~"{}', 'x'.repeat(255)])('takes %s', (key) => {
    expect(readIdempotencyKey(key)).toBe(key);
    expect(readIdempotencyKey([key])).toBe(key);
  });

  it.each([
    ['', /must not be empty/],
    ['x'.repeat(256), /at most 255 characters \(got 256\)/],
    ['has space', /visible ASCII/],
    ['tab\there', /visible ASCII/],
    ['caf\u00e9', /visible ASCII/],
    ['nul\u0000', /visible ASCII/],
  ])('refuses %j naming the header', (key, message) => {
    const attempt = () => readIdempotencyKey(key);
    expect(attempt).toThrow(InvalidIdempotencyKeyError);
    expect(attempt).toThrow(/^Idempotency-Key /);
    expect(attempt).toThrow(message);
  });

  it('refuses a header sent twice', () => {
    expect(() => readIdempotencyKey(['a', 'b'])).toThrow(/sent once/);
  });

  it('documents the pattern it checks', () => {
    expect(new RegExp(IDEMPOTENCY_KEY_PATTERN_SOURCE).source).toBe(IDEMPOTENCY_KEY_PATTERN.source);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('writes strings and numbers as JSON does', () => {
    expect(canonicalJson({ s: 'é"\n', n: 0.1, big: 1e21 })).toBe(JSON.stringify({ big: 1e21, n: 0.1, s: 'é"\n' }));
  });

  it('leaves out undefined properties, as JSON would', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('requestFingerprint', () => {
  const body = { email: 'a@example.com', name: 'A', items: [{ productId: 'product-1', quantity: 1 }] };

  it('is the same for the same body in another key order', () => {
    const reordered = { items: [{ quantity: 1, productId: 'product-1' }], name: 'A', email: 'a@example.com' };
    expect(requestFingerprint('POST /users', reordered)).toBe(requestFingerprint('POST /users', body));
    expect(requestFingerprint('POST /users', body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs for another value, another array order or another route', () => {
    const fp = requestFingerprint('POST /users', body);
    expect(requestFingerprint('POST /users', { ...body, name: 'B' })).not.toBe(fp);
    expect(requestFingerprint('POST /users', { ...body, items: [...body.items, { productId: 'product-2', quantity: 1 }] })).not.toBe(fp);
    expect(requestFingerprint('POST /orders', body)).not.toBe(fp);
  });

  it('tells a string from a number', () => {
    expect(requestFingerprint('POST /orders', { price: '12' })).not.toBe(requestFingerprint('POST /orders', { price: 12 }));
  });
});

describe('idempotencyScope', () => {
  it('is the user when there is one, else the one anonymous scope', () => {
    expect(idempotencyScope('8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b')).toBe('user:8a6f2c1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b');
    expect(idempotencyScope(undefined)).toBe('anonymous');
  });
});
