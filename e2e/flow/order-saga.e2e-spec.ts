import { api, uniqueEmail } from './gateway';
import { eventually } from './kafka-watch';
import { ALLOWED_MOVES, RESTING_STATUSES } from '../support/order-states';

jest.setTimeout(180000);

interface Order {
  id: string;
  userId: string;
  status: string;
  totalAmount: number;
  history?: { from: string | null; to: string; trigger: string; at: string }[];
}

interface Payment {
  id: string;
  orderId: string;
  amount: string;
  status: string;
  refund: { amount: string; status: string } | null;
}


const cents = (decimal: string) => Math.round(Number(decimal) * 100);

async function aUser(tag: string): Promise<string> {
  const res = await api('POST', '/api/users', { email: uniqueEmail(tag), name: 'Saga', password: 'SecurePass123!' });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function anOrder(userId: string, price = 12.34): Promise<Order> {
  const res = await api<Order>('POST', '/api/orders', { userId, items: [{ productId: 'product-saga', quantity: 1, price }] });
  expect(res.status).toBe(201);
  return res.body;
}

const get = (id: string) => api<Order>('GET', `/api/orders/${id}`);
const cancel = (id: string) => api<Order>('POST', `/api/orders/${id}/cancel`);
const paymentsOf = async (orderId: string) => (await api<Payment[]>('GET', `/api/payments?orderId=${orderId}`)).body;
const until = (id: string, statuses: string[]) => eventually(() => get(id), (r) => statuses.includes(r.body.status), 60000);

/** captured − refunded, in cents, from payment-service's own rows. */
async function keptCents(orderId: string): Promise<{ kept: number; refunds: number }> {
  const payments = await paymentsOf(orderId);
  const captured = payments.filter((p) => p.status === 'completed').reduce((sum, p) => sum + cents(p.amount), 0);
  const refunds = payments.filter((p) => p.refund?.status === 'completed');
  return { kept: captured - refunds.reduce((sum, p) => sum + cents(p.refund!.amount), 0), refunds: refunds.length };
}

function expectLegalHistory(order: Order): void {
  const steps = order.history ?? [];
  expect(steps[0]).toMatchObject({ from: null, to: 'pending', trigger: 'created' });
  for (const step of steps.slice(1)) expect(ALLOWED_MOVES).toContain(`${step.from}>${step.to}`);
  // Each step starts where the previous ended, and no status is visited twice: nothing went backwards.
  steps.slice(1).forEach((step, i) => expect(step.from).toBe(steps[i].to));
  expect(new Set(steps.map((s) => s.to)).size).toBe(steps.length);
}

describe('cancelling orders through the gateway (real Kafka and PostgreSQL)', () => {
  let userId: string;
  beforeAll(async () => {
    userId = await aUser('saga');
  });

  it('cancels a paid order: refund_pending, then refunded, with one refund of the exact amount; a second cancel refunds nothing more', async () => {
    const order = await anOrder(userId, 19.99);
    await until(order.id, ['paid']);

    const first = await cancel(order.id);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('refund_pending');
    const second = await cancel(order.id);
    expect([200, 409]).toContain(second.status);

    const done = await until(order.id, ['refunded']);
    expect(done.body.history!.map((h) => h.to)).toEqual(['pending', 'paid', 'refund_pending', 'refunded']);
    const [payment] = await paymentsOf(order.id);
    expect(payment).toMatchObject({ amount: '19.99', status: 'completed', refund: { amount: '19.99', status: 'completed' } });
    expect(await keptCents(order.id)).toEqual({ kept: 0, refunds: 1 });

    const again = await cancel(order.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ statusCode: 409, message: `order ${order.id} is refunded and cannot be cancelled` });
  });

  it('cancels an order at once while pending; the payment that completes afterwards is refunded, never kept', async () => {
    const order = await anOrder(userId, 5.5);
    const res = await cancel(order.id);
    expect(res.status).toBe(200);
    expect(['cancelled', 'refund_pending']).toContain(res.body.status);

    const [payment] = await eventually(() => paymentsOf(order.id), (p) => p.length === 1, 60000);
    const done = await until(order.id, payment.status === 'completed' ? ['refunded'] : ['cancelled']);
    expect(await keptCents(order.id)).toEqual({ kept: 0, refunds: payment.status === 'completed' ? 1 : 0 });
    expectLegalHistory(done.body);
    expect(done.body.history!.map((h) => h.to)).not.toContain('paid');
  });

  it('answers 404 for an unknown order and 400 for a malformed id', async () => {
    expect((await cancel('3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a098')).status).toBe(404);
    const bad = await cancel('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400 });
  });

  it('race: 200 orders each cancelled at a random moment; all rest, the money balances, no order has two refunds, no status went backwards', async () => {
    const users = await Promise.all([aUser('race-a'), aUser('race-b')]);
    const orders = await Promise.all(Array.from({ length: 200 }, (_, i) => anOrder(users[i % 2], Number((1 + (i % 50) / 100).toFixed(2)))));
    // Some cancels land before the payment, some while it is being decided, some well after.
    const answers = await Promise.all(
      orders.map(async (o) => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1500)));
        return cancel(o.id);
      }),
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);

    // Settled: every payment decided, and every order resting with what its payment implies (a
    // cancelled order whose payment completed has not settled until it is refunded).
    const settled = async (o: Order) => {
      const [order, payments] = await Promise.all([get(o.id), paymentsOf(o.id)]);
      const paid = payments.some((p) => p.status === 'completed');
      const done = payments.length === 1 && RESTING_STATUSES.includes(order.body.status) && !(paid && order.body.status === 'cancelled');
      return { order, done };
    };
    const checks = await eventually(
      () => Promise.all(orders.map(settled)),
      (all) => all.every((c) => c.done),
      120000,
    );
    expect(checks.filter((c) => !c.done).map((c) => [c.order.body.id, c.order.body.status])).toEqual([]);
    const final = checks.map((c) => c.order);
    const byStatus: Record<string, number> = {};
    for (const { body } of final) {
      byStatus[body.status] = (byStatus[body.status] ?? 0) + 1;
      expectLegalHistory(body);
      expect(body.history!.map((h) => h.to)).not.toContain('refund_failed');
    }
    // A cancelled order either never saw its payment complete (cancelled) or gave it back (refunded).
    expect(Object.keys(byStatus).sort().every((s) => ['cancelled', 'failed', 'refunded'].includes(s))).toBe(true);

    const money = await Promise.all(orders.map((o) => eventually(() => keptCents(o.id), (m) => m.kept === 0, 60000)));
    expect(money.every((m) => m.kept === 0 && m.refunds <= 1)).toBe(true);
    // Both sides of the race happened: cancels before payment and after it.
    const paidFirst = final.filter((r) => r.body.history!.some((h) => h.to === 'paid')).length;
    console.log(`race: ${JSON.stringify(byStatus)}; ${paidFirst} cancelled after payment, ${200 - paidFirst} before`);
    expect(paidFirst).toBeGreaterThan(0);
  });
});
