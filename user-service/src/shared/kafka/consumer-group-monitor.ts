// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Admin } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { consumerLag, measureConsumerLagOnScrape, stopMeasuringConsumerLag } from '../observability/metrics';
import { createKafka, KafkaEnv } from './kafka-client';
import { KAFKA_SETTINGS } from './kafka-settings';

/** Scrapes closer together than this share one measurement. */
export const LAG_REFRESH_MS = 1000;
/** A scrape waits at most this long for the broker; then it shows the last values measured. */
const LAG_SCRAPE_WAIT_MS = 2000;

/** The part of a kafkajs consumer the monitor listens to (kafkajs' and Nest's typings both fit). */
export interface ObservableConsumer {
  readonly events: { GROUP_JOIN: string; CRASH: string; STOP: string; DISCONNECT: string };
  on(event: string, listener: (event: { payload: unknown }) => void): unknown;
}

export type Assignment = Record<string, number[]>;

type State =
  | { readonly kind: 'not_started' }
  | { readonly kind: 'joining' }
  | { readonly kind: 'joined'; readonly assignment: Assignment }
  | { readonly kind: 'left'; readonly reason: string };

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/**
 * Watches this app's Kafka consumer: whether it is a member of its group (readiness), and how far
 * behind it is on each partition it was assigned (the kafka_consumer_lag_messages gauge, from the
 * end offsets vs the group's committed offsets, measured when the gauge is read).
 */
@Injectable()
export class ConsumerGroupMonitor implements OnApplicationShutdown {
  private readonly logger = new Logger(ConsumerGroupMonitor.name);
  private state: State = { kind: 'not_started' };
  private groupId = '';
  private admin: Admin | null = null;
  private adminConnected = false;
  private lagFailing = false;
  private lastRefresh = 0;
  private refreshing: Promise<unknown> | null = null;
  private readonly scrape = () => this.refreshForScrape();

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaEnv,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Called for every kafkajs consumer the Kafka server creates (one per start attempt). */
  watch(consumer: ObservableConsumer, groupId: string): void {
    this.groupId = groupId;
    this.state = { kind: 'joining' };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.state = { kind: 'joined', assignment: (payload as { memberAssignment?: Assignment }).memberAssignment ?? {} };
      void this.refreshLag();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const { error, restart } = payload as { error?: Error; restart?: boolean };
      this.left(`consumer crashed (${error?.message ?? 'unknown error'})${restart ? '; restarting' : ''}`);
    });
    consumer.on(consumer.events.STOP, () => this.left('consumer stopped'));
    consumer.on(consumer.events.DISCONNECT, () => this.left('consumer disconnected'));
    measureConsumerLagOnScrape(this.scrape);
  }

  /** For a scrape: one measurement at a time, reused for LAG_REFRESH_MS, never holding it up long. */
  private async refreshForScrape(): Promise<void> {
    if (!this.refreshing && Date.now() - this.lastRefresh >= LAG_REFRESH_MS) {
      this.refreshing = this.refreshLag().finally(() => {
        this.lastRefresh = Date.now();
        this.refreshing = null;
      });
    }
    if (this.refreshing) await Promise.race([this.refreshing, sleep(LAG_SCRAPE_WAIT_MS, undefined, { ref: false })]);
  }

  /** Readiness: up once the consumer has joined its group, down before that and after it left. */
  check(key = 'consumer'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const state = this.state;
    if (state.kind === 'joined') {
      const partitions = Object.values(state.assignment).reduce((n, list) => n + list.length, 0);
      return indicator.up({ group: this.groupId, partitions });
    }
    const reason =
      state.kind === 'not_started' ? 'consumer not started' : state.kind === 'joining' ? 'consumer has not joined its group yet' : state.reason;
    return indicator.down({ group: this.groupId || undefined, reason });
  }

  /** Recomputes the lag of the assigned partitions; exposed for tests. */
  async refreshLag(): Promise<PartitionLag[]> {
    const state = this.state;
    if (state.kind !== 'joined') return [];
    const topics = Object.keys(state.assignment).filter((t) => state.assignment[t].length > 0);
    try {
      const lags = await this.measure(state.assignment, topics);
      // Only this member's partitions, and none it has given up since the last refresh.
      consumerLag.reset();
      if (this.state === state) {
        for (const l of lags) consumerLag.set({ group: this.groupId, topic: l.topic, partition: String(l.partition) }, l.lag);
      }
      if (this.lagFailing) this.logger.log('consumer lag measurable again');
      this.lagFailing = false;
      return lags;
    } catch (error) {
      // Kafka being down is /health/ready's news; one line per outage here, and the gauge keeps its values.
      if (!this.lagFailing) this.logger.warn({ err: error }, 'cannot measure consumer lag');
      this.lagFailing = true;
      await this.disconnectAdmin();
      return [];
    }
  }

  private async measure(assignment: Assignment, topics: string[]): Promise<PartitionLag[]> {
    if (topics.length === 0) return [];
    const admin = await this.connectedAdmin();
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
    const lags: PartitionLag[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const commits = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const partition of assignment[topic]) {
        const end = ends.find((e) => e.partition === partition);
        if (!end) continue;
        lags.push({ topic, partition, lag: lagOf(end, commits.find((c) => c.partition === partition)?.offset) });
      }
    }
    return lags;
  }

  private async connectedAdmin(): Promise<Admin> {
    this.admin ??= createKafka(
      this.settings,
      'lag',
    ).admin({ retry: { retries: 0 } });
    if (!this.adminConnected) {
      await this.admin.connect();
      this.adminConnected = true;
    }
    return this.admin;
  }

  private left(reason: string): void {
    if (this.state.kind === 'left' && this.state.reason === reason) return;
    this.state = { kind: 'left', reason };
    consumerLag.reset();
  }

  private async disconnectAdmin(): Promise<void> {
    this.adminConnected = false;
    await this.admin?.disconnect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    stopMeasuringConsumerLag(this.scrape);
    await this.disconnectAdmin();
  }
}

/**
 * Messages between the group's committed offset (the next one it will read) and the end. A
 * partition the group never committed on is read from its low watermark (subscribe fromBeginning).
 */
export function lagOf(end: { high: string; low: string }, committed: string | undefined): number {
  const high = Number(end.high);
  const from = committed === undefined || Number(committed) < 0 ? Number(end.low) : Number(committed);
  return Math.max(0, high - from);
}
