// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/** prom-client keeps one global registry; tests build several apps in one process. */
function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/**
 * prom-client's default gauges that end in _total break Prometheus' naming rules (promtool check
 * metrics refuses them); each is the sum of its per-type twin: sum(nodejs_active_handles) etc.
 */
export const DROPPED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * How often the event loop's delay is sampled for nodejs_eventloop_lag_*. prom-client's default,
 * 10 ms, is a timer waking every app 100 times a second when there is nothing to do: ~0.7 % of a
 * core each, most of an idle app's CPU. Every 100 ms still gives a scrape 150 samples, and a
 * blocked loop still shows, since a due sample waits for it.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

if (!register.getSingleMetric('process_cpu_user_seconds_total')) {
  collectDefaultMetrics({ eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  for (const name of DROPPED_DEFAULT_METRICS) register.removeSingleMetric(name);
}

export const httpRequestDuration = metric(
  'http_request_duration_seconds',
  () =>
    new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

export const eventsConsumed = metric(
  'kafka_messages_consumed_total',
  () =>
    new Counter({
      name: 'kafka_messages_consumed_total',
      help: 'Kafka messages handled, by topic and outcome (processed, duplicate, dead_lettered).',
      labelNames: ['topic', 'outcome'],
    }),
);

export const eventHandlerDuration = metric(
  'kafka_handler_duration_seconds',
  () =>
    new Histogram({
      name: 'kafka_handler_duration_seconds',
      help: 'Time spent handling one Kafka message, by topic.',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
);

export const eventsDeadLettered = metric(
  'kafka_messages_dead_lettered_total',
  () =>
    new Counter({
      name: 'kafka_messages_dead_lettered_total',
      help: 'Kafka messages parked on a dead-letter topic, by source topic.',
      labelNames: ['topic'],
    }),
);

export const eventsFailed = metric(
  'kafka_messages_failed_total',
  () =>
    new Counter({
      name: 'kafka_messages_failed_total',
      help: 'Kafka message handling attempts that threw (a transient failure, retried; or the last try before dead-lettering), by topic.',
      labelNames: ['topic'],
    }),
);

let lagSource: (() => Promise<unknown>) | null = null;

/**
 * The consumer lag is measured when /metrics is read (a scrape), not on a timer: asking the broker
 * for offsets every few seconds was most of an idle service's work. `source` refreshes the gauge.
 */
export function measureConsumerLagOnScrape(source: () => Promise<unknown>): void {
  lagSource = source;
}

/** The app that registered `source` shut down (another app of the same process may have replaced it). */
export function stopMeasuringConsumerLag(source: () => Promise<unknown>): void {
  if (lagSource === source) lagSource = null;
}

export const consumerLag = metric(
  'kafka_consumer_lag_messages',
  () =>
    new Gauge({
      name: 'kafka_consumer_lag_messages',
      help: "Messages not yet consumed by this app's consumer group, per assigned partition (end offset minus committed offset).",
      labelNames: ['group', 'topic', 'partition'],
      async collect() {
        await lagSource?.();
      },
    }),
);

export const eventsProduced = metric(
  'kafka_messages_produced_total',
  () =>
    new Counter({
      name: 'kafka_messages_produced_total',
      help: 'Kafka messages published by the outbox relay, by topic.',
      labelNames: ['topic'],
    }),
);

export const outboxPublishFailures = metric(
  'outbox_publish_failures_total',
  () =>
    new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Outbox relay batches that could not be published (Kafka unreachable or refusing); the rows stay and are retried.',
    }),
);

export const outboxBacklog = metric(
  'outbox_backlog_messages',
  () => new Gauge({ name: 'outbox_backlog_messages', help: 'Outbox rows not yet published to Kafka.' }),
);

export const outboxOldestAge = metric(
  'outbox_oldest_message_age_seconds',
  () =>
    new Gauge({
      name: 'outbox_oldest_message_age_seconds',
      help: 'Age of the oldest outbox row not yet published (0 when empty).',
    }),
);

/** Times every request by its route template; configureApp installs it on the app's Fastify. */
export function recordHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    // The route template (/users/:id), never the raw path: raw ids would explode the label set.
    const route = req.is404 ? undefined : req.routeOptions.url;
    httpRequestDuration.observe({ method: req.method, route: route ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  async metrics(): Promise<string> {
    return register.metrics();
  }
}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
