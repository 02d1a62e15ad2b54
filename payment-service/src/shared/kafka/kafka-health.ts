// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Admin } from 'kafkajs';
import { createKafka, KafkaEnv } from './kafka-client';
import { KAFKA_SETTINGS } from './kafka-settings';

const CHECK_TIMEOUT_MS = 2000;

/** Ready needs the broker: an admin round trip (describeCluster) within two seconds. */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private readonly admin: Admin;
  private connected = false;

  constructor(
    @Inject(KAFKA_SETTINGS) settings: KafkaEnv,
    private readonly indicator: HealthIndicatorService,
  ) {
    const kafka = createKafka(
      settings,
      'health',
    );
    // Two quick retries: each connect failure moves kafkajs to the next broker of the list, so a
    // dead broker costs a check ~100 ms instead of failing every check that starts from it (the
    // cluster's readiness flapped after a broker was killed).
    this.admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 } });
  }

  async check(key = 'kafka'): Promise<HealthIndicatorResult> {
    const probe = this.indicator.check(key);
    try {
      await withTimeout(this.describe(), CHECK_TIMEOUT_MS);
      return probe.up();
    } catch (e) {
      this.connected = false;
      await this.admin.disconnect().catch(() => undefined);
      return probe.down({ message: e instanceof Error ? e.message : 'unreachable' });
    }
  }

  private async describe(): Promise<void> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    await this.admin.describeCluster();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
