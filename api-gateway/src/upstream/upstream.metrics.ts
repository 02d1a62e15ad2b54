import { Histogram, register } from 'prom-client';

const NAME = 'gateway_upstream_duration_seconds';

/**
 * One observation per forwarded request. status_code is the service's HTTP status, or
 * `unavailable` / `timeout` / `bad_response` when there was no usable answer.
 * Readiness probes are not recorded: they would drown the real traffic's latency.
 */
export const upstreamDuration: Histogram<'upstream' | 'method' | 'status_code'> =
  (register.getSingleMetric(NAME) as Histogram<'upstream' | 'method' | 'status_code'> | undefined) ??
  new Histogram({
    name: NAME,
    help: 'Time from sending a request to a service until its whole answer arrived, by upstream, method and status code.',
    labelNames: ['upstream', 'method', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
