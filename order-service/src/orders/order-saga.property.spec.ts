import fc from 'fast-check';
import { decide, OrderStatus, OrderTrigger, RESTING_STATUSES } from './order-status';

// Property tests of the saga as a whole: the state machine of one order driven by a simulated
// world in which Kafka redelivers and reorders messages, the customer cancels at any moment, the
// deadline passes at any moment, and payment-service pays or declines once and refunds what it is
// asked to (a refund may fail and be redriven). Whatever the interleaving, the order ends resting,
// never revisits a status, asks for at most one refund, and the money balances.

const AMOUNT = 1999; // cents

interface World {
  status: OrderStatus;
  history: OrderStatus[];
  /** Messages on their way to order-service (a delivered one may stay: a redelivery). */
  inbox: OrderTrigger[];
  paymentOutcome: 'completed' | 'failed' | null;
  refundRequests: number;
  refundsPending: number;
  refundSucceeded: boolean;
  captured: number;
  refunded: number;
}

function apply(world: World, trigger: OrderTrigger): void {
  const decision = decide(world.status, trigger);
  if (decision.kind !== 'move') return;
  world.status = decision.to;
  world.history.push(decision.to);
  if (decision.refund) {
    world.refundRequests++;
    world.refundsPending++;
  }
}

/** payment-service: one refund per payment, at most; a completed refund is never repeated. */
function refund(world: World, succeeds: boolean): void {
  world.refundsPending--;
  if (world.refundSucceeded) return;
  if (succeeds) {
    world.refundSucceeded = true;
    world.refunded += world.captured;
    world.inbox.push('refund_completed');
  } else {
    world.inbox.push('refund_failed');
  }
}

type Step =
  | { kind: 'deliver'; pick: number; redeliver: boolean }
  | { kind: 'cancel' }
  | { kind: 'expire' }
  | { kind: 'pay'; completes: boolean }
  | { kind: 'refund'; succeeds: boolean }
  | { kind: 'redrive' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), redeliver: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), completes: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), succeeds: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'redrive' as const }) },
);

function run(steps: Step[]): World {
  const world: World = {
    status: 'pending',
    history: ['pending'],
    inbox: [],
    paymentOutcome: null,
    refundRequests: 0,
    refundsPending: 0,
    refundSucceeded: false,
    captured: 0,
    refunded: 0,
  };
  for (const s of steps) {
    switch (s.kind) {
      case 'deliver': {
        if (world.inbox.length === 0) break;
        const index = s.pick % world.inbox.length;
        const trigger = world.inbox[index];
        if (!s.redeliver) world.inbox.splice(index, 1);
        apply(world, trigger);
        break;
      }
      case 'cancel':
        apply(world, 'cancel');
        break;
      case 'expire':
        apply(world, 'expire');
        break;
      case 'pay':
        // One payment per order (unique index): a second decision never happens.
        if (world.paymentOutcome) break;
        world.paymentOutcome = s.completes ? 'completed' : 'failed';
        if (s.completes) world.captured = AMOUNT;
        world.inbox.push(s.completes ? 'payment_completed' : 'payment_failed');
        break;
      case 'refund':
        if (world.refundsPending > 0) refund(world, s.succeeds);
        break;
      case 'redrive':
        // An operator sends a dead-lettered refund request back after an exhausted refund.
        if (world.status === 'refund_failed' && !world.refundSucceeded) world.refundsPending++;
        break;
    }
  }
  // The end of the story: every message delivered, every requested refund attempted, the deadline passed.
  apply(world, 'expire');
  while (world.inbox.length > 0 || world.refundsPending > 0) {
    while (world.inbox.length > 0) apply(world, world.inbox.shift() as OrderTrigger);
    if (world.refundsPending > 0) refund(world, true);
  }
  return world;
}

describe('the order saga under any interleaving (property)', () => {
  const runs = { numRuns: 2000 };

  it('ends resting, with every status visited once and at most one refund asked for', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const world = run(steps);
        expect(RESTING_STATUSES).toContain(world.status);
        expect(new Set(world.history).size).toBe(world.history.length);
        expect(world.refundRequests).toBeLessThanOrEqual(1);
      }),
      runs,
    );
  });

  it('conserves money: captured − refunded is the amount if paid, 0 if failed, cancelled, expired or refunded', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const world = run(steps);
        const kept = world.captured - world.refunded;
        if (world.status === 'paid') expect(kept).toBe(AMOUNT);
        else if (world.status === 'refund_failed') expect(kept).toBe(AMOUNT); // owed, and shown as such
        else expect(kept).toBe(0);
      }),
      runs,
    );
  });

  it('never turns an order paid once it was cancelled or expired first', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const world = run(steps);
        const closedFirst = world.history.indexOf('cancelled') === 1 || world.history.indexOf('expired') === 1;
        if (closedFirst) expect(world.history).not.toContain('paid');
      }),
      runs,
    );
  });
});
