// A client retry storm: every POST sent three times at once with the same Idempotency-Key and
// body, to two gateway instances directly and to 3005, beside the steady load: one effect each
// (one user, one welcome order, one order, one payment), every success naming the same id, and a
// later resend answered as a replay of the first answer.
import { randomUUID } from 'node:crypto';
import { httpCall, Reply } from '../support/http-client';
import { gatewayUrls, readHostState } from './support/cluster';
import { isReplay, Op } from './support/load';
import { allProblems, runScenario } from './support/scenario';

jest.setTimeout(240000);

const SIGNUPS = 12;
const ORDERS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (r: Reply) => r.status >= 200 && r.status <= 299;

/** Sends one POST three times at once (one per entry point), then again until a copy succeeds; then once more, for the replay. */
async function storm(op: Op, bases: string[], path: string, body: unknown): Promise<{ ids: Set<string>; replayed: boolean; inFlight: number }> {
  // Every id a success named: one effect means one id, whichever copy got it.
  const ids = new Set<string>();
  const send = async (base: string) => {
    const at = Date.now();
    const r = await httpCall(base, 'POST', path, body, { headers: { 'Idempotency-Key': op.key }, timeoutMs: 30000 });
    op.attempts.push({ at, ms: r.ms, status: r.status, base, error: r.error, replayed: isReplay(r), message: r.body?.message ? String(r.body.message).slice(0, 200) : undefined });
    if (ok(r) && typeof r.body?.id === 'string') ids.add(r.body.id);
    return r;
  };
  let replies = await Promise.all(bases.map(send));
  // A copy that met another still in flight (409) or no answer is sent again, as a client would.
  for (let i = 0; !replies.some(ok) && i < 10; i++) {
    await sleep(300 * (i + 1));
    replies = [await send(bases[i % bases.length])];
  }
  const winner = replies.find(ok);
  op.final = winner?.status ?? replies[replies.length - 1].status;
  op.id = winner?.body?.id;
  const again = await send(bases[0]);
  return { ids, replayed: isReplay(again), inFlight: op.attempts.filter((a) => a.status === 409).length };
}

describe('cluster: client retry storm', () => {
  it(`${SIGNUPS} sign-ups and ${ORDERS} orders, each POSTed 3 times at once via two gateways and 3005: one effect each`, async () => {
    const result = await runScenario({
      name: 'retry-storm',
      maxMs: 90000,
      fault: async (_load, tag) => {
        const bases = [...(await gatewayUrls()).slice(0, 2), readHostState().entry];
        const faultAt = Date.now();
        const ops: Op[] = [];
        const outcomes: { kind: string; ids: number; replayed: boolean; inFlight: number }[] = [];
        const signups = await Promise.all(
          Array.from({ length: SIGNUPS }, async (_, n) => {
            const email = `${tag}-storm-${n}-${randomUUID().slice(0, 8)}@example.com`;
            const op: Op = { kind: 'signup', key: randomUUID(), ref: email, startedAt: Date.now(), attempts: [] };
            ops.push(op);
            const out = await storm(op, bases, '/api/users', { email, name: `storm ${n}`, password: 'SecurePass123!' });
            outcomes.push({ kind: 'signup', ids: out.ids.size, replayed: out.replayed, inFlight: out.inFlight });
            return op.id;
          }),
        );
        const users = signups.filter((id): id is string => Boolean(id));
        await Promise.all(
          Array.from({ length: ORDERS }, async (_, n) => {
            const productId = `product-${tag}-storm-${n}`;
            const op: Op = { kind: 'order', key: randomUUID(), ref: productId, startedAt: Date.now(), attempts: [] };
            ops.push(op);
            const body = { userId: users[n % users.length], items: [{ productId, quantity: 1, price: 9.99 }] };
            const out = await storm(op, bases, '/api/orders', body);
            outcomes.push({ kind: 'order', ids: out.ids.size, replayed: out.replayed, inFlight: out.inFlight });
          }),
        );
        const sameId = outcomes.filter((o) => o.ids === 1).length;
        const replayed = outcomes.filter((o) => o.replayed).length;
        const inFlight = outcomes.reduce((n, o) => n + o.inFlight, 0);
        return {
          faultAt,
          extraOps: ops,
          summary:
            `${ops.length} POSTs x3 at once via ${bases.join(', ')} (${ops.reduce((n, o) => n + o.attempts.length, 0)} requests): ` +
            `${sameId}/${ops.length} answered with one id, ${replayed}/${ops.length} resends marked as replays, ${inFlight} copies answered 409 in flight`,
          figures: { stormOps: ops.length, sameId, replayed, inFlight, outcomes },
        };
      },
    });
    const figures = result.figures as { stormOps: number; sameId: number; replayed: number };
    expect(figures.sameId).toBe(figures.stormOps);
    expect(figures.replayed).toBe(figures.stormOps);
    expect(result.problems.doubled).toEqual([]);
    expect(allProblems(result.problems)).toEqual([]);
    expect(result.load.gaveUp.map((o) => `${o.kind} ${o.ref}: ${o.final}`)).toEqual([]);
  });
});
