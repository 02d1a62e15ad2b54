// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

/**
 * How deep JSON from outside (HTTP bodies, Kafka messages) may nest. Our deepest shape is an
 * event's data.items[] (4 levels); deeper input is refused before any recursive code (class-
 * transformer, class-validator, Nest's ValidationPipe, JSON.stringify) walks it and overflows the stack.
 */
export const MAX_JSON_DEPTH = 32;

/** An unpaired UTF-16 surrogate or U+0000: JSON can carry both, PostgreSQL text and jsonb cannot. */
const UNSTORABLE = /[\p{Cs}\u0000]/u;

/**
 * Keys JSON.parse keeps as plain properties but class-transformer drops without a word, so the
 * ValidationPipe never sees them to refuse as unknown (Fastify's own parser refuses them too).
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

/** True when objects/arrays nest deeper than `limit` levels. Iterative: safe on any depth. */
export function nestedDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  return jsonProblem(value, { maxDepth: limit, checkText: false, checkKeys: false }) !== null;
}

/**
 * What makes a parsed JSON value unfit to handle, or null: nesting deeper than `maxDepth`, (with
 * checkText) a key or string holding text PostgreSQL cannot store, which would fail the insert
 * of a row or of its outbox event with a 500, or (with checkKeys) a `__proto__` or `constructor`
 * property, which no request takes. Iterative: safe on any depth.
 */
export function jsonProblem(value: unknown, opts: { maxDepth?: number; checkText?: boolean; checkKeys?: boolean } = {}): string | null {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const checkText = opts.checkText ?? true;
  const checkKeys = opts.checkKeys ?? true;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (checkText && UNSTORABLE.test(node)) return 'holds U+0000 or an unpaired surrogate (text that cannot be stored)';
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const child of node) stack.push([child, depth + 1]);
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (checkText && UNSTORABLE.test(key)) return 'holds U+0000 or an unpaired surrogate (text that cannot be stored)';
      if (checkKeys && PROTOTYPE_KEYS.has(key)) return `has a property "${key}", which no request takes`;
      stack.push([child, depth + 1]);
    }
  }
  return null;
}
