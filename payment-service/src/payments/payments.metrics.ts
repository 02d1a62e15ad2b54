import { Counter, register } from 'prom-client';

const NAME = 'payments_total';

/**
 * Payments made, by status. prom-client's registry is global and tests build several apps in one
 * process, so an existing counter is reused instead of registered twice.
 */
export const paymentsTotal =
  (register.getSingleMetric(NAME) as Counter<'status'> | undefined) ??
  new Counter({ name: NAME, help: 'Payments made, by status (completed, failed).', labelNames: ['status'] });

const REFUNDS = 'refunds_total';

/** Refunds by outcome: completed, or failed once a delivery's attempts ran out. */
export const refundsTotal =
  (register.getSingleMetric(REFUNDS) as Counter<'outcome'> | undefined) ??
  new Counter({ name: REFUNDS, help: 'Refunds by outcome (completed, failed: attempts exhausted).', labelNames: ['outcome'] });
