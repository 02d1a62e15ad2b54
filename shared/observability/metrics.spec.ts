import type { IntervalHistogram } from 'node:perf_hooks';
import { register } from 'prom-client';
import { DROPPED_DEFAULT_METRICS } from './metrics';

/** `# TYPE <name> <type>` of everything the registry exposes. */
async function exposedTypes(): Promise<Map<string, string>> {
  const text = await register.metrics();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
}

describe('the metrics every app exposes', () => {
  it("follow Prometheus' naming rules that promtool checks: _total on counters and only on counters", async () => {
    const wrong = [...(await exposedTypes())].filter(([name, type]) => (type === 'counter') !== name.endsWith('_total'));
    expect(wrong).toEqual([]);
  });

  it('keep the default process and Node metrics the dashboards use', async () => {
    const types = await exposedTypes();
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect([name, types.has(name)]).toEqual([name, true]);
    }
    for (const name of DROPPED_DEFAULT_METRICS) expect(types.has(name)).toBe(false);
  });

  it("sample the event loop's delay every 100 ms, not prom-client's 10 ms that keeps an idle app waking", () => {
    const perfHooks: typeof import('node:perf_hooks') = jest.requireActual('node:perf_hooks');
    const histograms: IntervalHistogram[] = [];
    const realMonitor = perfHooks.monitorEventLoopDelay;
    const monitor = jest.spyOn(perfHooks, 'monitorEventLoopDelay').mockImplementation((options) => {
      const histogram = realMonitor(options);
      histograms.push(histogram);
      return histogram;
    });
    try {
      jest.isolateModules(() => require('./metrics'));
      expect(monitor.mock.calls).toEqual([[{ resolution: 100 }]]);
    } finally {
      for (const histogram of histograms) histogram.disable();
      monitor.mockRestore();
    }
  });

  it('include the Kafka and outbox metrics', async () => {
    const types = await exposedTypes();
    expect(Object.fromEntries([...types].filter(([name]) => /^(kafka|outbox|http)_/.test(name)))).toEqual({
      http_request_duration_seconds: 'histogram',
      kafka_messages_consumed_total: 'counter',
      kafka_handler_duration_seconds: 'histogram',
      kafka_messages_dead_lettered_total: 'counter',
      kafka_messages_failed_total: 'counter',
      kafka_consumer_lag_messages: 'gauge',
      kafka_messages_produced_total: 'counter',
      outbox_publish_failures_total: 'counter',
      outbox_backlog_messages: 'gauge',
      outbox_oldest_message_age_seconds: 'gauge',
    });
  });
});
