import { Heartbeat, PaymentSimulator, RandomSource } from './payment-simulator';

export interface RefundSettings {
  /** 0 = every refund call succeeds, 1 = every call is declined. */
  readonly failureRate: number;
  /** How long one refund call takes. */
  readonly delayMs: number;
  /** Calls per delivery of a refund request before it is given up (and dead-lettered). */
  readonly maxAttempts: number;
  /** Pause after a declined call, doubled after each. */
  readonly retryDelayMs: number;
}
export const REFUND_SETTINGS = Symbol('REFUND_SETTINGS');

export const REFUND_DECLINED = 'refund declined by the (simulated) payment provider';

export type RefundAttempts = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly reason: string };

/**
 * Stands in for the provider's refund API: it takes its time (heartbeating, like a payment) and
 * declines a configurable share of calls; a declined call is retried with backoff up to
 * `maxAttempts` times.
 */
export class RefundProvider {
  private readonly provider: PaymentSimulator;

  constructor(
    private readonly settings: RefundSettings,
    random: RandomSource,
  ) {
    this.provider = new PaymentSimulator({ failureRate: settings.failureRate, delayMs: settings.delayMs }, random);
  }

  async refund(heartbeat: Heartbeat): Promise<RefundAttempts> {
    for (let attempt = 1; ; attempt++) {
      await this.provider.awaitProvider(heartbeat);
      if (this.provider.decide().status === 'completed') return { ok: true, attempts: attempt };
      if (attempt >= this.settings.maxAttempts) return { ok: false, attempts: attempt, reason: REFUND_DECLINED };
      await pause(this.settings.retryDelayMs * 2 ** (attempt - 1));
      await heartbeat().catch(() => undefined);
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
