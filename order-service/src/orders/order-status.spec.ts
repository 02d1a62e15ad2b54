import { ORDER_STATUSES, PaymentOutcome, transitionFor } from './order-status';

describe('order status transitions', () => {
  it.each<PaymentOutcome>(['paid', 'failed'])('moves a pending order to %s', (outcome) => {
    expect(transitionFor('pending', outcome)).toEqual({ change: true, from: 'pending', to: outcome });
  });

  it.each<PaymentOutcome>(['paid', 'failed'])('leaves an order already %s as it is', (outcome) => {
    expect(transitionFor(outcome, outcome)).toEqual({ change: false, reason: 'already_in_status' });
  });

  it('never turns a paid order into a failed one, nor the reverse', () => {
    expect(transitionFor('paid', 'failed')).toEqual({ change: false, reason: 'already_final' });
    expect(transitionFor('failed', 'paid')).toEqual({ change: false, reason: 'already_final' });
  });

  it('changes only pending orders', () => {
    const changing = ORDER_STATUSES.filter((s) => transitionFor(s, 'paid').change || transitionFor(s, 'failed').change);
    expect(changing).toEqual(['pending']);
  });
});
