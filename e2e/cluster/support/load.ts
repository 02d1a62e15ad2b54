// A steady client load through the cluster's entry point: sign-ups and orders (and, when asked,
// cancels), started at a fixed rate, bounded in count and in time. Every POST carries an
// Idempotency-Key, and a POST that gets no answer, a 5xx, a 429 or a 409 "in flight" is sent again
// with the same key and body, as a careful client does; what each attempt got is kept, so a
// scenario can say which requests failed, when, and whether the retries made them whole.
import { randomUUID } from 'node:crypto';
import { httpCall, Reply } from '../../support/http-client';

export type OpKind = 'signup' | 'order' | 'cancel';

export interface Attempt {
  at: number;
  ms: number;
  status: number;
  base: string;
  error?: string;
  message?: string;
  replayed: boolean;
}

export interface Op {
  kind: OpKind;
  /** The idempotency key, the same on every attempt. */
  key: string;
  /** For a sign-up the email, for an order its unique productId, for a cancel the order id. */
  ref: string;
  startedAt: number;
  attempts: Attempt[];
  /** The id the system gave (user or order), once an attempt succeeded. */
  id?: string;
  /** The status the operation ended with (2xx when it took effect). */
  final?: number;
  /** A sign-up retried after a lost answer can meet its own first attempt: "already exists" (no idempotency key support). */
  foundExisting?: boolean;
}

export interface LoadOptions {
  /** Entry points, used in turn (normally only the load balancer on 3005). */
  bases: string[];
  /** Unique per scenario: every email and productId carries it, so the end state is counted by it. */
  tag: string;
  /** Operations started per second. */
  ratePerSec: number;
  maxOps: number;
  maxMs: number;
  /** Every nth order is cancelled right after it is created (0: none). */
  cancelEvery?: number;
  /** One attempt's time limit. */
  attemptTimeoutMs?: number;
  /** How long one operation keeps retrying before it is given up (counted as lost by the client). */
  retryForMs?: number;
  headers?: Record<string, string>;
}

export interface LoadSummary {
  ops: Op[];
  requests: number;
  /** Attempts without a 2xx answer (including 429s; a cancel's 409 is an answer). */
  failedAttempts: Attempt[];
  /** Attempts answered 429 (allowed by every scenario; retried). */
  throttled: number;
  /** Operations that never got a 2xx. */
  gaveUp: Op[];
  startedAt: number;
  endedAt: number;
}

const PASSWORD = 'SecurePass123!';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Worth sending again with the same key: no answer, the server's fault, throttled, or (a POST with
 * a key) still in flight. A cancel's 409 is the order's answer ("already cancelled", "failed"): final.
 */
const retriable = (kind: OpKind, r: Reply) => r.status === 0 || r.status >= 500 || r.status === 429 || (r.status === 409 && kind !== 'cancel');
/** An answer the client takes as done: a 2xx, or a cancel the order's status refuses (409, by design). */
export const succeeded = (op: Pick<Op, 'kind' | 'final'>) =>
  op.final !== undefined && ((op.final >= 200 && op.final <= 299) || (op.kind === 'cancel' && op.final === 409));
const ok = (kind: OpKind, a: Pick<Attempt, 'status'>) => (a.status >= 200 && a.status <= 299) || (kind === 'cancel' && a.status === 409);

export class Load {
  private readonly ops: Op[] = [];
  private readonly users: { id: string; at: number }[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private ticker?: Promise<void>;
  private startedAt = 0;
  private next = 0;
  private ordersPlaced = 0;

  constructor(private readonly opts: LoadOptions) {}

  start(): this {
    this.startedAt = Date.now();
    this.ticker = this.tick();
    return this;
  }

  /** Operations so far (for a scenario that waits until the load is visibly under way). */
  get progress(): { started: number; done: number; users: number } {
    return { started: this.ops.length, done: this.ops.filter((o) => o.final !== undefined).length, users: this.users.length };
  }

  /** Stops starting operations and waits for the ones under way (each bounded by retryForMs). */
  async stop(): Promise<LoadSummary> {
    this.stopped = true;
    await this.ticker;
    while (this.running.size) await Promise.all([...this.running]);
    const attempts = this.ops.flatMap((o) => o.attempts);
    return {
      ops: this.ops,
      requests: attempts.length,
      failedAttempts: this.ops.flatMap((o) => o.attempts.filter((a) => !ok(o.kind, a))),
      throttled: attempts.filter((a) => a.status === 429).length,
      gaveUp: this.ops.filter((o) => !succeeded(o)),
      startedAt: this.startedAt,
      endedAt: Date.now(),
    };
  }

  /** Ends the load once it has run its course (maxOps or maxMs). */
  async finished(): Promise<LoadSummary> {
    await this.ticker;
    return this.stop();
  }

  private async tick(): Promise<void> {
    const every = 1000 / this.opts.ratePerSec;
    for (let i = 0; !this.stopped && i < this.opts.maxOps && Date.now() - this.startedAt < this.opts.maxMs; i++) {
      // Half sign-ups, half orders of users already signed up (a sign-up while nobody exists yet).
      const eligible = this.eligibleUsers();
      const kind: OpKind = i % 2 === 0 || eligible.length === 0 ? 'signup' : 'order';
      const p = this.run(kind === 'signup' ? this.signup() : this.order(eligible)).finally(() => this.running.delete(p));
      this.running.add(p);
      const due = this.startedAt + (i + 1) * every;
      await sleep(Math.max(0, due - Date.now()));
    }
  }

  private signup(): { op: Op; path: string; body: unknown } {
    const n = this.next++;
    const email = `${this.opts.tag}-${n}-${randomUUID().slice(0, 8)}@example.com`;
    const op: Op = { kind: 'signup', key: randomUUID(), ref: email, startedAt: Date.now(), attempts: [] };
    return { op, path: '/api/users', body: { email, name: `${this.opts.tag} ${n}`, password: PASSWORD } };
  }

  private eligibleUsers(): string[] {
    return this.users.map((u) => u.id);
  }

  private order(users: string[]): { op: Op; path: string; body: unknown } {
    const n = this.next++;
    const userId = users[Math.floor(Math.random() * users.length)];
    // One productId per order: a doubled order is visible in the database as two rows with it.
    const productId = `product-${this.opts.tag}-${n}`;
    const op: Op = { kind: 'order', key: randomUUID(), ref: productId, startedAt: Date.now(), attempts: [] };
    return { op, path: '/api/orders', body: { userId, items: [{ productId, quantity: 1 + (n % 3), price: 12.34 }] } };
  }

  private async run({ op, path, body }: { op: Op; path: string; body: unknown }): Promise<void> {
    this.ops.push(op);
    const reply = await this.send(op, path, body);
    if (!reply || reply.status < 200 || reply.status > 299) return;
    if (op.kind === 'signup' && op.id) this.users.push({ id: op.id, at: Date.now() });
    const every = this.opts.cancelEvery ?? 0;
    if (op.kind === 'order' && op.id && every > 0 && ++this.ordersPlaced % every === 0) {
      const cancel: Op = { kind: 'cancel', key: randomUUID(), ref: op.id, startedAt: Date.now(), attempts: [] };
      this.ops.push(cancel);
      await this.send(cancel, `/api/orders/${op.id}/cancel`, undefined);
    }
  }

  /** Sends one operation until it gets an answer that is not worth retrying, or its time is up. */
  private async send(op: Op, path: string, body: unknown): Promise<Reply | undefined> {
    const deadline = op.startedAt + (this.opts.retryForMs ?? 60000);
    let last: Reply | undefined;
    for (let attempt = 0; ; attempt++) {
      const base = this.opts.bases[(this.ops.length + attempt) % this.opts.bases.length];
      const headers: Record<string, string> = { ...this.opts.headers };
      if (op.kind !== 'cancel') headers['Idempotency-Key'] = op.key;
      const at = Date.now();
      last = await httpCall(base, 'POST', path, body, { headers, timeoutMs: this.opts.attemptTimeoutMs ?? 15000 });
      const message = last.body && typeof last.body === 'object' ? String(last.body.message ?? '').slice(0, 200) : undefined;
      op.attempts.push({ at, ms: last.ms, status: last.status, base, error: last.error, message, replayed: isReplay(last) });
      if (last.status >= 200 && last.status <= 299) {
        op.final = last.status;
        op.id = typeof last.body?.id === 'string' ? last.body.id : op.kind === 'cancel' ? op.ref : undefined;
        return last;
      }
      // A retried sign-up meeting its own first attempt (a server without idempotency keys).
      if (op.kind === 'signup' && attempt > 0 && last.status === 409 && /already exists/i.test(message ?? '')) {
        op.foundExisting = true;
        op.final = 200;
        return last;
      }
      if (!retriable(op.kind, last) || Date.now() > deadline) {
        op.final = last.status;
        return last;
      }
      await sleep(Math.min(2000, 200 * 2 ** attempt));
    }
  }
}

/** The idempotency layer marks a replayed answer with a header (any name mentioning "replay"). */
export function isReplay(reply: Reply): boolean {
  let replayed = false;
  reply.headers.forEach((value, name) => {
    if (/replay/i.test(name) && value !== 'false') replayed = true;
  });
  return replayed;
}

/** Counts of a load's attempts by status ("201 x40", "0 ECONNRESET x2"), for a scenario's report. */
export function statusCounts(summary: LoadSummary): string {
  const counts = new Map<string, number>();
  for (const a of summary.ops.flatMap((o) => o.attempts)) {
    const k = a.status ? String(a.status) : `0 ${a.error}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort().map(([k, n]) => `${k} x${n}`).join(', ');
}
