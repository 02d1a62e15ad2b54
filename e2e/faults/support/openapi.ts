// The gateway's OpenAPI document as a test oracle and a source of requests: fast-check arbitraries
// built from its request schemas (valid and deliberately broken), and Ajv validators for every
// documented response.
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Schema = Record<string, any>;

/**
 * OpenAPI 3.0's `nullable` as JSON Schema: "that, or null". Ajv's own `nullable` relaxes only the
 * `type` next to it, not an `allOf: [{ $ref }]` beside it (how a nullable object property is
 * written), so null would still be checked against the referenced object.
 */
export function jsonSchemaOf(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, jsonSchemaOf(v)]));
  if (out.nullable === true) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

export interface Operation {
  method: string;
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body?: Schema;
  responses: Record<string, { schema?: Schema }>;
}

export class ApiDoc {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly doc: Schema) {
    addFormats(this.ajv);
  }

  operations(): Operation[] {
    return Object.entries(this.doc.paths as Record<string, Record<string, Schema>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const params: Schema[] = op.parameters ?? [];
        return {
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
          queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
          body: op.requestBody?.content?.['application/json']?.schema,
          responses: Object.fromEntries(
            Object.entries(op.responses as Record<string, Schema>).map(([status, r]) => [status, { schema: r.content?.['application/json']?.schema }]),
          ),
        };
      }),
    );
  }

  deref(schema: Schema): Schema {
    if (!schema?.$ref) return schema;
    const name = String(schema.$ref).replace('#/components/schemas/', '');
    return this.doc.components.schemas[name];
  }

  /** Problems with an answer: an undocumented status, or a body that is not what the status documents. */
  checkResponse(op: Operation, status: number, body: unknown): string[] {
    const documented = op.responses[String(status)];
    if (!documented) return [`${op.method} ${op.path}: status ${status} is not documented`];
    if (!documented.schema) return body === null || body === '' || body === undefined ? [] : [`${op.method} ${op.path} ${status}: documented without a body, got one`];
    const key = `${op.method} ${op.path} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(jsonSchemaOf({ ...documented.schema, components: this.doc.components }));
      this.validators.set(key, validate);
    }
    if (validate(body)) return [];
    return [`${key}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`];
  }

  /** Values the schema allows (with hints for fields whose rules the schema cannot say). */
  valid(schema: Schema, hints: Hints = {}, name = ''): fc.Arbitrary<unknown> {
    const s = this.deref(schema);
    if (hints[name]) return hints[name];
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.oneOf) return fc.oneof(...s.oneOf.map((x: Schema) => this.valid(x, hints)));
    switch (s.type) {
      case 'string': {
        if (s.format === 'uuid') return fc.uuid({ version: 4 });
        const max = Math.min(s.maxLength ?? 40, 40);
        if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 255) && v.length >= (s.minLength ?? 0));
        return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(max, s.minLength ?? 0), unit: 'grapheme' });
      }
      case 'integer':
        return fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 1000 });
      case 'number': {
        if (s.multipleOf === 0.01) return fc.integer({ min: Math.round((s.minimum ?? 0) * 100), max: Math.round((s.maximum ?? 1e6) * 100) }).map((c) => c / 100);
        return fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      }
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.valid(s.items, hints), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
      case 'object': {
        const props = s.properties ?? {};
        const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, this.valid(v as Schema, hints, k)]));
        return fc.record(model, { requiredKeys: s.required ?? [] });
      }
      default:
        return fc.jsonValue();
    }
  }

  /**
   * Bodies that break the schema or the API's documented rules for sure: one property of a valid
   * body made hostile (wrong type, out of range, too long, off-pattern), a required property
   * missing, an unknown property added, or no object at all.
   */
  broken(schema: Schema, hints: Hints = {}): fc.Arbitrary<{ body: unknown; how: string }> {
    const s = this.deref(schema);
    const validBody = this.valid(s, hints) as fc.Arbitrary<Record<string, unknown>>;
    // Where a hostile value can go: each property, and each property of an array's first item.
    const targets: { path: (string | number)[]; schema: Schema }[] = [];
    for (const [key, raw] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      const prop = this.deref(raw);
      targets.push({ path: [key], schema: prop });
      const item = prop.type === 'array' && prop.minItems ? this.deref(prop.items) : undefined;
      for (const [sub, subSchema] of Object.entries((item?.properties ?? {}) as Record<string, Schema>)) {
        targets.push({ path: [key, 0, sub], schema: this.deref(subSchema) });
      }
    }
    const mutated = fc
      .tuple(validBody, fc.constantFrom(...targets))
      .chain(([body, target]) => hostileFor(target.schema).map((bad) => ({ body: setPath(body, target.path, bad.value), how: `${target.path.join('.')}: ${bad.how}` })));
    const required: string[] = s.required ?? [];
    const missing = required.length
      ? fc.tuple(validBody, fc.constantFrom(...required)).map(([body, key]) => {
          const copy = { ...body };
          delete copy[key];
          return { body: copy, how: `missing ${key}` };
        })
      : fc.constant({ body: [], how: 'an array' });
    const unknown = fc
      .tuple(validBody, fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !(k in (s.properties ?? {})) && !['__proto__', 'constructor', 'prototype'].includes(k)), fc.jsonValue())
      .map(([body, key, value]) => ({ body: { ...body, [key]: value }, how: `unknown property ${JSON.stringify(key)}` }));
    const notObject = fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string(), fc.double(), fc.boolean(), fc.constant(null)).map((body) => ({ body, how: 'not an object' }));
    return fc.oneof(
      { weight: 5, arbitrary: mutated },
      { weight: 1, arbitrary: missing },
      { weight: 1, arbitrary: unknown },
      { weight: 1, arbitrary: notObject },
    );
  }
}

export type Hints = Record<string, fc.Arbitrary<unknown>>;

export const SQL_INJECTION = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  'Robert\'); DROP TABLE orders;--',
  '" OR 1=1 --',
  "1; SELECT pg_sleep(5); --",
  "' UNION SELECT password_hash, email FROM users --",
  '$$; TRUNCATE processed_events; $$',
  "\\'; DELETE FROM payments; --",
  "') OR ('a'='a",
  "1' AND (SELECT 1 FROM pg_sleep(5))::text = '1",
];

/** Strings no field of ours accepts in place of a uuid, a product id or a number. */
const weirdStrings = fc.oneof(
  fc.constantFrom('NaN', '-NaN', 'Infinity', '-Infinity', '-0', '0x10', '1e309', '', ' ', '\u0000', 'null', 'undefined', 'true', '[]', '{}', ...SQL_INJECTION),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** A value that breaks this property's schema, and how. */
function hostileFor(s: Schema): fc.Arbitrary<{ value: unknown; how: string }> {
  const wrongType = (allowed: string) =>
    fc
      .oneof(
        fc.double({ noNaN: true }),
        fc.integer(),
        fc.boolean(),
        fc.array(fc.jsonValue(), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
        fc.string({ maxLength: 10 }),
      )
      .filter((v) => typeOf(v) !== allowed)
      .map((value) => ({ value, how: `wrong type ${typeOf(value)}` }));
  switch (s.type) {
    case 'string': {
      const options: fc.Arbitrary<{ value: unknown; how: string }>[] = [wrongType('string')];
      // null is a value, refused like any other wrong type (an enum such as role aside: null there
      // means the default). It once slipped past @IsOptional() into a 500.
      if (!s.enum) options.push(fc.constant({ value: null, how: 'null' }));
      if (s.maxLength !== undefined) {
        // n characters (code points, as the validators count them), whatever their UTF-16 length.
        options.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 100_000 }).chain((n) => fc.constantFrom('a', 'é', '😀', "'").map((c) => ({ value: c.repeat(n), how: `${n} x ${c}` }))));
      }
      if (s.minLength) options.push(fc.constant({ value: '', how: 'empty' }));
      if (s.enum) options.push(weirdStrings.filter((v) => !s.enum.includes(v)).map((value) => ({ value, how: 'not in enum' })));
      if (s.format === 'uuid') options.push(weirdStrings.map((value) => ({ value, how: 'not a uuid' })));
      if (s.pattern) options.push(weirdStrings.filter((v) => !new RegExp(s.pattern).test(v)).map((value) => ({ value, how: 'off pattern' })));
      return fc.oneof(...options);
    }
    case 'integer':
    case 'number': {
      const options: fc.Arbitrary<{ value: unknown; how: string }>[] = [
        wrongType('number'),
        fc.constant({ value: null, how: 'null' }),
        weirdStrings.map((value) => ({ value, how: `string ${JSON.stringify(value).slice(0, 20)}` })),
      ];
      if (s.minimum !== undefined) options.push(fc.double({ max: s.minimum, maxExcluded: true, noNaN: true, noDefaultInfinity: true }).map((value) => ({ value, how: 'below minimum' })));
      if (s.maximum !== undefined) options.push(fc.double({ min: s.maximum, minExcluded: true, noNaN: true, noDefaultInfinity: true }).map((value) => ({ value, how: 'above maximum' })));
      if (s.type === 'integer') options.push(fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 100, noNaN: true }).filter((v) => !Number.isInteger(v)).map((value) => ({ value, how: 'not an integer' })));
      if (s.minimum !== undefined && s.minimum > 0) options.push(fc.constant({ value: -0, how: 'negative zero' }));
      if (s.multipleOf === 0.01) {
        options.push(
          fc
            .integer({ min: Math.round((s.minimum ?? 0) * 1000) + 1, max: Math.round((s.maximum ?? 1e6) * 1000) })
            .filter((m) => m % 10 !== 0)
            .map((m) => ({ value: m / 1000, how: 'three decimals' })),
        );
      }
      return fc.oneof(...options);
    }
    case 'array':
      return fc.oneof(
        wrongType('array'),
        ...(s.minItems ? [fc.constant({ value: [], how: 'empty array' })] : []),
        ...(s.maxItems ? [fc.constant({ value: Array(s.maxItems + 1).fill({}), how: `${s.maxItems + 1} items` })] : []),
      );
    default:
      return wrongType(s.type ?? 'object');
  }
}

/** A deep copy of `body` with `value` at `path`. */
function setPath(body: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
