// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IdempotencyKeys } from './idempotency-keys';

export interface IdempotencySettings {
  /** How long a key is kept (and its answer replayed), in seconds. */
  readonly retentionSeconds: number;
}
export const IDEMPOTENCY_SETTINGS = Symbol('IDEMPOTENCY_SETTINGS');

/** Often enough that the table holds little more than the retention; each run is one DELETE. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

/**
 * Deletes keys past their retention, on every instance (the DELETE is idempotent). A key stays
 * replayable at least the retention; until the next sweep, a little longer.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly keys: IdempotencyKeys,
    @Inject(IDEMPOTENCY_SETTINGS) private readonly settings: IdempotencySettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes every key older than the retention now; returns how many. */
  sweep(): Promise<number> {
    return this.keys.deleteOlderThan(this.settings.retentionSeconds);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep()
      .then((n) => void (n > 0 && this.logger.log({ deleted: n }, 'idempotency keys past their retention deleted')))
      .catch((err: unknown) => this.logger.warn({ err }, 'idempotency key cleanup failed; the next one retries'))
      .finally(() => (this.running = undefined));
    await this.running;
  }
}
