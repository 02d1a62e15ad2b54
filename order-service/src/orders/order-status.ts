import type { RefundReason } from '../shared/events/contracts';
import type { OrderStatus } from '../shared/dto/orders';

// The list lives with the DTOs (the documents and the gateway need it); the rules live here.
export { ORDER_STATUSES, type OrderStatus } from '../shared/dto/orders';

/** Statuses no event of the normal flow leaves (a late payment still leads cancelled/expired to a refund). */
export const RESTING_STATUSES: readonly OrderStatus[] = ['paid', 'failed', 'cancelled', 'expired', 'refunded', 'refund_failed'];

/** What happened to the order: a payment outcome, the customer, the deadline, a refund outcome. */
export const ORDER_TRIGGERS = ['payment_completed', 'payment_failed', 'cancel', 'expire', 'refund_completed', 'refund_failed'] as const;
export type OrderTrigger = (typeof ORDER_TRIGGERS)[number];

/** What a payment event asks the order to become (the payment-events consumer's vocabulary). */
export type PaymentOutcome = 'paid' | 'failed';

export type Decision =
  /** The order moves; `refund` asks payment-service to give the payment back. */
  | { readonly kind: 'move'; readonly from: OrderStatus; readonly to: OrderStatus; readonly refund?: RefundReason }
  /**
   * Nothing changes and nothing is wrong: a duplicate (another eventId, same meaning), a late or
   * conflicting event, a second cancel while the refund is under way.
   */
  | { readonly kind: 'stay'; readonly reason: 'already_in_status' | 'already_final' | 'in_progress' | 'not_expected' }
  /** Only a cancel is refused: the caller hears why (409 naming the status). */
  | { readonly kind: 'refuse'; readonly status: OrderStatus };

type Rule = OrderStatus | { readonly to: OrderStatus; readonly refund: RefundReason } | Exclude<Decision, { kind: 'move' }>;

const stay = (reason: 'already_in_status' | 'already_final' | 'in_progress' | 'not_expected'): Rule => ({ kind: 'stay', reason });
const refuse = (status: OrderStatus): Rule => ({ kind: 'refuse', status });

/**
 * The whole state machine, one row per status and one cell per trigger: the README's diagram is
 * drawn from it, and the unit tests walk every cell. A payment that completes for an order that
 * can no longer use it (cancelled, expired) is never kept: the order moves to refund_pending.
 */
const TABLE: Record<OrderStatus, Record<OrderTrigger, Rule>> = {
  pending: {
    payment_completed: 'paid',
    payment_failed: 'failed',
    cancel: 'cancelled',
    expire: 'expired',
    refund_completed: stay('not_expected'),
    refund_failed: stay('not_expected'),
  },
  paid: {
    payment_completed: stay('already_in_status'),
    payment_failed: stay('already_final'),
    cancel: { to: 'refund_pending', refund: 'cancelled' },
    expire: stay('already_final'),
    refund_completed: stay('not_expected'),
    refund_failed: stay('not_expected'),
  },
  failed: {
    payment_completed: stay('already_final'),
    payment_failed: stay('already_in_status'),
    cancel: refuse('failed'),
    expire: stay('already_final'),
    refund_completed: stay('not_expected'),
    refund_failed: stay('not_expected'),
  },
  cancelled: {
    payment_completed: { to: 'refund_pending', refund: 'late_payment' },
    payment_failed: stay('already_final'),
    cancel: refuse('cancelled'),
    expire: stay('already_final'),
    refund_completed: stay('not_expected'),
    refund_failed: stay('not_expected'),
  },
  expired: {
    payment_completed: { to: 'refund_pending', refund: 'late_payment' },
    payment_failed: stay('already_final'),
    cancel: refuse('expired'),
    expire: stay('already_in_status'),
    refund_completed: stay('not_expected'),
    refund_failed: stay('not_expected'),
  },
  refund_pending: {
    payment_completed: stay('already_final'),
    payment_failed: stay('already_final'),
    cancel: stay('in_progress'),
    expire: stay('already_final'),
    refund_completed: 'refunded',
    refund_failed: 'refund_failed',
  },
  refunded: {
    payment_completed: stay('already_final'),
    payment_failed: stay('already_final'),
    cancel: refuse('refunded'),
    expire: stay('already_final'),
    refund_completed: stay('already_in_status'),
    refund_failed: stay('already_final'),
  },
  refund_failed: {
    payment_completed: stay('already_final'),
    payment_failed: stay('already_final'),
    cancel: refuse('refund_failed'),
    expire: stay('already_final'),
    // An operator redrove the dead-lettered refund request and this time it went through.
    refund_completed: 'refunded',
    refund_failed: stay('already_in_status'),
  },
};

export function decide(current: OrderStatus, trigger: OrderTrigger): Decision {
  const rule = TABLE[current][trigger];
  if (typeof rule === 'string') return { kind: 'move', from: current, to: rule };
  if ('to' in rule) return { kind: 'move', from: current, to: rule.to, refund: rule.refund };
  return rule;
}

export function triggerOf(outcome: PaymentOutcome): OrderTrigger {
  return outcome === 'paid' ? 'payment_completed' : 'payment_failed';
}
