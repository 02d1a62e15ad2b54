import { decide, ORDER_STATUSES, ORDER_TRIGGERS, OrderStatus, OrderTrigger } from './order-status';

/** The moves the saga allows, written out independently of the table under test. */
const MOVES: [OrderStatus, OrderTrigger, OrderStatus, string | null][] = [
  ['pending', 'payment_completed', 'paid', null],
  ['pending', 'payment_failed', 'failed', null],
  ['pending', 'cancel', 'cancelled', null],
  ['pending', 'expire', 'expired', null],
  ['paid', 'cancel', 'refund_pending', 'cancelled'],
  ['cancelled', 'payment_completed', 'refund_pending', 'late_payment'],
  ['expired', 'payment_completed', 'refund_pending', 'late_payment'],
  ['refund_pending', 'refund_completed', 'refunded', null],
  ['refund_pending', 'refund_failed', 'refund_failed', null],
  ['refund_failed', 'refund_completed', 'refunded', null],
];

const REFUSED_CANCELS: OrderStatus[] = ['failed', 'cancelled', 'expired', 'refunded', 'refund_failed'];

describe('the order state machine', () => {
  it.each(MOVES)('moves %s on %s to %s', (from, trigger, to, refund) => {
    expect(decide(from, trigger)).toEqual({ kind: 'move', from, to, ...(refund ? { refund } : {}) });
  });

  it.each(REFUSED_CANCELS)('refuses to cancel an order that is %s, naming the status', (status) => {
    expect(decide(status, 'cancel')).toEqual({ kind: 'refuse', status });
  });

  it('answers a second cancel while the refund is under way with no change (no second refund)', () => {
    expect(decide('refund_pending', 'cancel')).toEqual({ kind: 'stay', reason: 'in_progress' });
  });

  const cells = ORDER_STATUSES.flatMap((s) => ORDER_TRIGGERS.map((t) => [s, t] as const));
  const isMove = (s: OrderStatus, t: OrderTrigger) => MOVES.some(([from, trigger]) => from === s && trigger === t);
  const isRefusal = (s: OrderStatus, t: OrderTrigger) => t === 'cancel' && REFUSED_CANCELS.includes(s);
  const staying = cells.filter(([s, t]) => !isMove(s, t) && !isRefusal(s, t));

  it.each(staying)('leaves a %s order as it is on %s', (status, trigger) => {
    expect(decide(status, trigger).kind).toBe('stay');
  });

  it('covers every status and trigger: 8 × 6 cells, 10 moves, 5 refusals, 33 no-ops', () => {
    expect(cells).toHaveLength(48);
    expect(staying).toHaveLength(33);
  });

  it('asks for a refund only when money was taken for an order that will not keep it', () => {
    const refunding = cells.filter(([s, t]) => {
      const d = decide(s, t);
      return d.kind === 'move' && d.refund !== undefined;
    });
    expect(refunding).toEqual([
      ['paid', 'cancel'],
      ['cancelled', 'payment_completed'],
      ['expired', 'payment_completed'],
    ]);
  });

  it('never moves an order back to pending or paid from a later status', () => {
    for (const [s, t] of cells) {
      const d = decide(s, t);
      if (d.kind !== 'move') continue;
      expect(d.to).not.toBe('pending');
      if (d.to === 'paid') expect(s).toBe('pending');
    }
  });
});
