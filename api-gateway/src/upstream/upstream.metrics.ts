import { Counter, Gauge, Histogram, register } from 'prom-client';

/*
 * The instance label is `upstream_instance`, not `instance`: Prometheus sets `instance` itself on
 * every scraped series (the gateway that was scraped) and would rename ours.
 */
type Labels = 'upstream' | 'upstream_instance' | 'method' | 'status_code';

/**
 * One observation per attempt (a GET retried on another instance counts twice, once per
 * instance). status_code is the service's HTTP status, or `unavailable` / `timeout` /
 * `bad_response` when there was no usable answer.
 * Health probes are not recorded: they would drown the real traffic's latency.
 */
export const upstreamDuration: Histogram<Labels> =
  (register.getSingleMetric('gateway_upstream_duration_seconds') as Histogram<Labels> | undefined) ??
  new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time from sending a request to a service instance until its whole answer arrived, by upstream, instance, method and status code.',
    labelNames: ['upstream', 'upstream_instance', 'method', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

type ErrorLabels = 'upstream' | 'upstream_instance' | 'error' | 'retried';

/**
 * Attempts without a usable answer, by what went wrong: `connect_failed` (nothing was sent),
 * `connection_lost` (sent, then the connection died), `timeout`, `bad_response`; `retried` says
 * whether the request was then tried on another instance.
 */
export const upstreamErrors: Counter<ErrorLabels> =
  (register.getSingleMetric('gateway_upstream_errors_total') as Counter<ErrorLabels> | undefined) ??
  new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Attempts to reach a service instance that got no usable answer, by upstream, instance, error and whether it was retried elsewhere.',
    labelNames: ['upstream', 'upstream_instance', 'error', 'retried'],
  });

/** Instances that get traffic now (ready at the last probe, no connection failure since). */
export const upstreamHealthyInstances: Gauge<'upstream'> =
  (register.getSingleMetric('gateway_upstream_healthy_instances') as Gauge<'upstream'> | undefined) ??
  new Gauge({
    name: 'gateway_upstream_healthy_instances',
    help: 'Instances of each service the gateway currently sends traffic to.',
    labelNames: ['upstream'],
  });
