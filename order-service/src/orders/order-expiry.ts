import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OrdersService } from './orders.service';

export interface ExpirySettings {
  readonly timeoutMs: number;
  readonly sweepMs: number;
}
export const EXPIRY_SETTINGS = Symbol('EXPIRY_SETTINGS');

/** Orders expired per sweep at most: one short transaction, however large the backlog. */
const BATCH = 200;

/**
 * The payment deadline. No timer per order (lost at a restart, doubled by a second instance):
 * every instance periodically asks the database for overdue pending orders and expires them in a
 * unit of work with SKIP LOCKED, so a restart only delays an expiry by one sweep and two
 * instances never expire the same order twice.
 */
@Injectable()
export class OrderExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderExpiry.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly orders: OrdersService,
    @Inject(EXPIRY_SETTINGS) private readonly settings: ExpirySettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.settings.sweepMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Expires everything overdue now, batch after batch; returns how many expired. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.orders.expireOverdue(this.settings.timeoutMs, BATCH);
      total += expired;
      if (expired < BATCH) return total;
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return; // a slow sweep is not overlapped by the next one
    this.running = this.sweep()
      .then((n) => void (n > 0 && this.logger.log({ expired: n }, 'orders past their payment deadline expired')))
      .catch((err: unknown) => this.logger.warn({ err }, 'expiry sweep failed; the next one retries'))
      .finally(() => (this.running = undefined));
    await this.running;
  }
}
