import { Inject, Injectable } from '@nestjs/common';

/** Keeps the consumer's group membership alive; in a Kafka handler it is `ctx.getHeartbeat()`. */
export type Heartbeat = () => Promise<void>;
export const NO_HEARTBEAT: Heartbeat = () => Promise.resolve();

/** A number in [0, 1), as Math.random gives; tests inject a fixed sequence. */
export type RandomSource = () => number;
export const RANDOM_SOURCE = Symbol('RANDOM_SOURCE');

export interface PaymentSettings {
  /** 0 = every payment succeeds, 1 = every payment is declined. */
  readonly failureRate: number;
  /** How long the provider takes to answer. */
  readonly delayMs: number;
}
export const PAYMENT_SETTINGS = Symbol('PAYMENT_SETTINGS');

export type PaymentDecision =
  | { readonly status: 'completed' }
  | { readonly status: 'failed'; readonly reason: string; readonly code: string };

export const DECLINED = { code: 'PAYMENT.DECLINED', reason: 'payment declined by the (simulated) payment provider' };

/**
 * Kafka drops a member that sends no heartbeat within its session timeout (30 s) and hands the
 * message to someone else; a slice well under the heartbeat interval keeps us in the group.
 */
export const HEARTBEAT_SLICE_MS = 2000;

/** Stands in for a payment provider: it takes its time, and declines a configurable share. */
@Injectable()
export class PaymentSimulator {
  constructor(
    @Inject(PAYMENT_SETTINGS) private readonly settings: PaymentSettings,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {}

  /** The provider's answer time, spent in slices with a heartbeat after each. */
  async awaitProvider(heartbeat: Heartbeat): Promise<void> {
    let left = this.settings.delayMs;
    while (left > 0) {
      const slice = Math.min(left, HEARTBEAT_SLICE_MS);
      await pause(slice);
      left -= slice;
      // A failed heartbeat (a rebalance under way) is not the payment's failure: if the message is
      // handed to another member, the idempotent payOnce makes the second delivery harmless.
      await heartbeat().catch(() => undefined);
    }
  }

  decide(): PaymentDecision {
    const declined = this.random() < this.settings.failureRate;
    return declined ? { status: 'failed', ...DECLINED } : { status: 'completed' };
  }
}

// A plain timer (not timers/promises) so that Jest's fake timers can drive it.
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
