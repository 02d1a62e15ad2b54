// The public API as a client uses it: JSON in and out, each call bounded in time, a missing answer
// reported as a status 0 with its cause. Shared by the fault and cluster suites.

export interface Reply<T = any> {
  status: number;
  body: T;
  ms: number;
  headers: Headers;
  /** 'timeout' or a connection error code when no answer came back. */
  error?: string;
}

export async function httpCall<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  opts: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const t0 = Date.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // kept as text
    }
    return { status: res.status, body: parsed as T, ms: Date.now() - t0, headers: res.headers };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message);
    return { status: 0, body: undefined as T, ms: Date.now() - t0, headers: new Headers(), error };
  }
}

/** Runs `fn` over the items with at most `concurrency` at once; results in input order. */
export async function inParallel<I, O>(items: I[], concurrency: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i], i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** Statuses that are not the expected one, as "status x count" (empty when all match). */
export function unexpected(replies: Reply[], expected: number): string[] {
  const counts = new Map<string, number>();
  for (const r of replies) {
    if (r.status === expected) continue;
    const key = `${r.status || r.error}${r.body?.message ? ` (${String(r.body.message).slice(0, 120)})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([k, n]) => `${k} x${n}`);
}
