import { BadRequestException } from '@nestjs/common';
import fc from 'fast-check';
import { createValidationPipe } from '../http/configure-app';

// Property tests of DTOs, for each app's dto.property.spec.ts: through the very ValidationPipe
// main.ts installs, values within the documented rules pass unchanged, values outside them are
// refused with a 400 naming the field, and nothing (wrong types, huge or odd Unicode strings,
// prototype keys, -0, NaN-like strings) makes the pipe fail any other way, which would be a 500.
// Test code only: `.testing.ts` files are left out of every app's build.

const pipe = createValidationPipe();
const RUNS = { numRuns: 150 };

type Outcome = { ok: true; value: object } | { ok: false; messages: string[] };

export async function validate(metatype: new () => object, value: unknown, type: 'body' | 'query' = 'body'): Promise<Outcome> {
  try {
    return { ok: true, value: await pipe.transform(value, { type, metatype, data: '' }) };
  } catch (e) {
    if (!(e instanceof BadRequestException)) throw e; // anything else would be a 500
    return { ok: false, messages: [(e.getResponse() as { message: string | string[] }).message].flat() };
  }
}

// ---- values within the rules ----
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const email = fc
  .tuple(fc.array(fc.stringMatching(/^[a-z0-9_+-]{1,8}$/), { minLength: 1, maxLength: 3 }), fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([local, domain, tld]) => `${local.join('.')}@${domain.join('.')}.${tld}`)
  .filter((e) => !/(mailinator|guerrillamail|sharklasers|10minutemail|tempmail|temp-mail|yopmail|trashmail|throwawaymail|dispostable)\./.test(e));
const codePoints = (s: string) => [...s].length;
const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).filter((s) => codePoints(s) >= 1 && codePoints(s) <= 255);
const password = fc
  .tuple(fc.constantFrom(...'ABCDXYZ'), fc.constantFrom(...'abcdxyz'), fc.constantFrom(...'0123456789'), fc.constantFrom(...'!@#$%^&*?'), fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 124 }))
  .map((parts) => parts.join(''));
export const uuid = fc.uuid();
const productId = fc.stringMatching(/^product-[a-zA-Z0-9-]{1,60}$/);
const quantity = fc.integer({ min: 1, max: 9999 });
const price = fc.integer({ min: 1, max: 99_999_999 }).map((cents) => cents / 100);
const item = fc.record({ productId, quantity, price });
export const items = fc.array(item, { minLength: 1, maxLength: 20 });

// ---- values outside them ----
export const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.string(), { maxKeys: 2 }));
const notNumber = fc.oneof(
  fc.constantFrom('NaN', '-0', '0', '1', '12.30', 'Infinity', '1e3', '', ' 1'),
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
export const tooLong = (max: number) => fc.tuple(fc.constantFrom('a', 'é', '😀', '中'), fc.integer({ min: max + 1, max: max + 5000 })).map(([c, n]) => c.repeat(n));
const badEmail = fc.oneof(notString, fc.string().filter((s) => !s.includes('@')), email.map((e) => `${e.split('@')[0]}@mailinator.com`), tooLong(240).map((s) => `${s}@example.com`));
const badName = fc.oneof(notString, fc.constant(''), tooLong(255));
const badPassword = fc.oneof(
  notString,
  fc.string({ unit: 'grapheme-ascii', maxLength: 7 }),
  fc.stringMatching(/^[a-z0-9!@#]{8,30}$/), // no upper-case letter
  fc.stringMatching(/^[A-Za-z!@#]{8,30}$/), // no digit
  fc.stringMatching(/^[A-Za-z0-9]{8,30}$/), // no symbol
  password.map((p) => p + 'x'.repeat(129 - p.length)),
);
export const badUuid = fc.oneof(notString, fc.string({ maxLength: 40 }), uuid.map((u) => u.toUpperCase() + 'x'), uuid.map((u) => u.slice(1)));
const badProductId = fc.oneof(notString, fc.string({ maxLength: 30 }).filter((s) => !/^product-[a-zA-Z0-9-]+$/.test(s)), fc.constant(`product-${'a'.repeat(250)}`), fc.constantFrom("product-1' OR '1'='1", 'product-ä', 'product-'));
const badQuantity = fc.oneof(notNumber, fc.constant(-0), fc.integer({ max: 0 }), fc.integer({ min: 10000 }), fc.double({ min: 1, max: 9999, noNaN: true }).filter((q) => !Number.isInteger(q)));
const badPrice = fc.oneof(
  notNumber,
  fc.constant(-0),
  fc.double({ max: 0.01, maxExcluded: true, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 999999.99, minExcluded: true, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 11, max: 99_999_999 }).filter((m) => m % 10 !== 0).map((m) => m / 1000), // three decimals
);
export const badItems = fc.oneof(
  notString.filter((v) => !Array.isArray(v)),
  fc.constant([]),
  fc.array(item, { minLength: 101, maxLength: 110 }),
  fc
    .constantFrom(['productId', badProductId] as const, ['quantity', badQuantity] as const, ['price', badPrice] as const)
    .chain(([field, bad]) => fc.tuple(items, fc.constant(field), bad))
    .map(([list, field, bad]) => list.map((it, i) => (i === list.length - 1 ? { ...it, [field]: bad } : it))),
);

export interface Field {
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
  optional?: boolean;
}

/** The properties every body DTO must have. */
export function bodyProperties(dto: new () => object, fields: Record<string, Field>): void {
  const names = Object.keys(fields);
  const required = names.filter((n) => !fields[n].optional);
  const validBody = fc.record(Object.fromEntries(names.map((n) => [n, fields[n].valid])), { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;

  it('takes every body within the rules, unchanged (no coercion, nothing added or dropped)', async () => {
    await fc.assert(
      fc.asyncProperty(validBody, async (body) => {
        const out = await validate(dto, body);
        expect(out).toMatchObject({ ok: true });
        if (!out.ok) return;
        expect(out.value).toBeInstanceOf(dto);
        expect(JSON.parse(JSON.stringify(out.value))).toEqual(body);
      }),
      RUNS,
    );
  });

  it('refuses a body with one field outside the rules, naming that field', async () => {
    const broken = fc.constantFrom(...names).chain((field) => fc.tuple(fc.constant(field), validBody, fields[field].invalid));
    await fc.assert(
      fc.asyncProperty(broken, async ([field, body, bad]) => {
        const out = await validate(dto, { ...body, [field]: bad });
        expect(out.ok).toBe(false);
        if (out.ok) return;
        expect(out.messages.some((m) => m.startsWith(field) || m.includes(` ${field}`))).toBe(true);
      }),
      RUNS,
    );
  });

  if (required.length) {
    it('refuses a body without a required field', async () => {
      await fc.assert(
        fc.asyncProperty(validBody, fc.constantFrom(...required), async (body, field) => {
          const { [field]: _dropped, ...rest } = body;
          const out = await validate(dto, rest);
          expect(out.ok).toBe(false);
        }),
        RUNS,
      );
    });
  }

  it('refuses unknown fields (names of Object.prototype members, such as toString, are dropped instead)', async () => {
    const key = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'));
    await fc.assert(
      fc.asyncProperty(validBody, key.filter((k) => !names.includes(k) && !['__proto__', 'constructor', 'prototype'].includes(k)), fc.jsonValue(), async (body, k, v) => {
        const out = await validate(dto, { ...body, [k]: v });
        if (k in Object.prototype) {
          // class-transformer never assigns over an inherited method: the key is gone, nothing shadowed.
          if (out.ok) expect(Object.prototype.hasOwnProperty.call(out.value, k)).toBe(false);
        } else {
          expect(out).toEqual({ ok: false, messages: expect.arrayContaining([`property ${k} should not exist`]) });
        }
      }),
      RUNS,
    );
  });

  it('drops prototype-pollution keys and never merges them anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(validBody, fc.constantFrom('__proto__', 'constructor', 'prototype'), async (body, key) => {
        const json = JSON.stringify(body);
        const parsed = JSON.parse(`{"${key}":{"isAdmin":true,"role":"admin"}${json === '{}' ? '' : ','}${json.slice(1)}`);
        const out = await validate(dto, parsed);
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
        if (out.ok) expect(Object.prototype.hasOwnProperty.call(out.value, key)).toBe(false);
      }),
      RUNS,
    );
  });

  it('answers anything at all with a value or a 400, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything({ withNullPrototype: true, maxDepth: 4 }), fc.jsonValue({ maxDepth: 6 }), validBody), async (value) => {
        await validate(dto, value);
      }),
      RUNS,
    );
  });
}

const queryInt = (min: number, max: number) => fc.integer({ min, max }).map(String);
const badQueryInt = (min: number, max: number) =>
  fc.oneof(
    fc.constantFrom('', ' 5', '1.5', '1e2', '0x10', 'NaN', '-0', 'Infinity', 'abc', '9999999999', "1' OR '1'='1"),
    fc.integer({ max: min - 1 }).map(String),
    fc.integer({ min: max + 1 }).map(String),
    fc.string({ maxLength: 12 }).filter((s) => !/^\d{1,9}$/.test(s) || Number(s) < min || Number(s) > max),
    fc.array(queryInt(min, max), { minLength: 2, maxLength: 3 }), // ?limit=1&limit=2
  );

/** The properties of a query DTO: every value arrives as text. */
export function queryProperties(dto: new () => object, fields: Record<string, Field>): void {
  const names = Object.keys(fields);
  const validQuery = fc.record(Object.fromEntries(names.map((n) => [n, fields[n].valid])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;

  it('takes every query within the rules, numbers as numbers, with the defaults', async () => {
    await fc.assert(
      fc.asyncProperty(validQuery, async (query) => {
        const out = await validate(dto, query, 'query');
        expect(out).toMatchObject({ ok: true });
        if (!out.ok) return;
        const expected = { limit: 20, offset: 0, ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, k === 'limit' || k === 'offset' ? Number(v) : v])) };
        expect({ ...out.value }).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('refuses a query with one parameter outside the rules, naming it', async () => {
    const broken = fc.constantFrom(...names).chain((field) => fc.tuple(fc.constant(field), validQuery, fields[field].invalid));
    await fc.assert(
      fc.asyncProperty(broken, async ([field, query, bad]) => {
        const out = await validate(dto, { ...query, [field]: bad }, 'query');
        expect(out.ok).toBe(false);
        if (!out.ok) expect(out.messages.some((m) => m.startsWith(field))).toBe(true);
      }),
      RUNS,
    );
  });
}

export const userFields = (passwordOptional = false): Record<string, Field> => ({
  email: { valid: email, invalid: badEmail, optional: passwordOptional },
  name: { valid: name, invalid: badName, optional: passwordOptional },
  password: { valid: password, invalid: badPassword, optional: passwordOptional },
});
export const page = { limit: { valid: queryInt(1, 100), invalid: badQueryInt(1, 100) }, offset: { valid: queryInt(0, 1_000_000), invalid: badQueryInt(0, 1_000_000) } };
