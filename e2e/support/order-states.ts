// What the end-state checks know of the order state machine (order-service/src/orders/order-status.ts).

/** Where an order may rest: nothing of the normal flow moves it any more. */
export const RESTING_STATUSES = ['paid', 'failed', 'cancelled', 'expired', 'refunded', 'refund_failed'];

/** Every move the state machine allows, as `from>to`: a stored history holds no other step. */
export const ALLOWED_MOVES: ReadonlySet<string> = new Set([
  'pending>paid',
  'pending>failed',
  'pending>cancelled',
  'pending>expired',
  'paid>refund_pending',
  'cancelled>refund_pending',
  'expired>refund_pending',
  'refund_pending>refunded',
  'refund_pending>refund_failed',
  'refund_failed>refunded',
]);
