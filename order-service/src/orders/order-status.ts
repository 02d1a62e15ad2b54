/** An order starts pending and ends paid or failed; once final it never changes again. */
import type { OrderStatus } from '../shared/dto/orders';

export { ORDER_STATUSES, type OrderStatus } from '../shared/dto/orders';

/** What a payment event asks the order to become. */
export type PaymentOutcome = 'paid' | 'failed';

export type Transition =
  | { readonly change: true; readonly from: 'pending'; readonly to: PaymentOutcome }
  /** Already there: a late duplicate of the same outcome (another eventId, same meaning). */
  | { readonly change: false; readonly reason: 'already_in_status' }
  /** The order already ended the other way: a conflicting late event changes nothing. */
  | { readonly change: false; readonly reason: 'already_final' };

export function transitionFor(current: OrderStatus, outcome: PaymentOutcome): Transition {
  if (current === 'pending') return { change: true, from: 'pending', to: outcome };
  if (current === outcome) return { change: false, reason: 'already_in_status' };
  return { change: false, reason: 'already_final' };
}
