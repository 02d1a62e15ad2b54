import { readdirSync } from 'node:fs';
import { exportedSeries, metricNamesIn } from '../support/metric-names';
import { readRepoFile, readYaml, repoPath } from '../support/repo';

interface Target {
  expr?: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; type: string; query?: unknown; definition?: string; datasource?: { uid?: string } }> };
  panels: Panel[];
}

const DASHBOARD_DIR = ['infra', 'grafana', 'provisioning', 'dashboards'];
const dashboardFiles = readdirSync(repoPath(...DASHBOARD_DIR)).filter((f) => f.endsWith('.json'));

/** Every panel, rows' children included. */
const allPanels = (d: Dashboard): Panel[] => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const expressions = (d: Dashboard): { panel: string; expr: string }[] =>
  allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));

describe('metricNamesIn (the PromQL reader the checks below rely on)', () => {
  it.each([
    ['histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{service=~"$service"}[$__rate_interval])))', ['http_request_duration_seconds_bucket']],
    ['sum(rate(a_total{x="1"}[5m])) / sum without (pod) (rate(b_total[1m]))', ['a_total', 'b_total']],
    ['max by (group, topic, partition) (kafka_consumer_lag_messages{service=~"$service"}) > 100', ['kafka_consumer_lag_messages']],
    ['up{job="a"} == bool 1 and on (instance) process_start_time_seconds offset 5m', ['up', 'process_start_time_seconds']],
  ])('%s names %j', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });
});

describe('exportedSeries (what the apps expose, read from their code)', () => {
  const exported = exportedSeries();

  it("includes our metrics with their histogram series, prom-client's defaults, and not what we drop", () => {
    for (const name of ['users_created_total', 'user_to_paid_chain_seconds_bucket', 'kafka_consumer_lag_messages', 'gateway_upstream_duration_seconds_count', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds_sum']) {
      expect([name, exported.has(name)]).toEqual([name, true]);
    }
    expect(exported.has('nodejs_active_handles_total')).toBe(false);
  });

  it('would catch a dashboard naming a metric nobody exports', () => {
    expect(metricNamesIn('rate(orders_shipped_total[5m])').filter((n) => !exported.has(n))).toEqual(['orders_shipped_total']);
  });
});

describe('Grafana dashboard provisioning', () => {
  it('loads the JSON files of infra/grafana/provisioning/dashboards, where docker-compose mounts them', () => {
    const providers = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>(...DASHBOARD_DIR, 'dashboards.yml').providers;
    const compose = readYaml<{ services: Record<string, { volumes?: string[] }> }>('infra', 'docker-compose.yml');
    const mount = (compose.services.grafana.volumes ?? []).find((v) => v.startsWith('./grafana/provisioning:'));
    expect(mount?.split(':')[1]).toBe('/etc/grafana/provisioning');
    expect(providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: '/etc/grafana/provisioning/dashboards' }) })]);
    expect(dashboardFiles).toContain('nest-ms.json');
  });
});

describe.each(dashboardFiles)('Grafana dashboard %s', (file) => {
  const text = readRepoFile(...DASHBOARD_DIR, file);
  const dashboard = JSON.parse(text) as Dashboard;
  const datasources = readYaml<{ datasources: Array<{ uid: string; type: string }> }>('infra', 'grafana', 'provisioning', 'datasources', 'prometheus.yml');
  const prometheusUid = datasources.datasources.find((d) => d.type === 'prometheus')?.uid;

  it('is a dashboard with a stable uid and title', () => {
    expect(dashboard).toMatchObject({ uid: expect.stringMatching(/^[\w-]{1,40}$/), title: expect.any(String) });
    expect(Array.isArray(dashboard.panels) && dashboard.panels.length).toBeGreaterThan(0);
  });

  it('reads the provisioned Prometheus data source (by uid), so it works on first start', () => {
    expect(prometheusUid).toBeDefined();
    for (const panel of allPanels(dashboard).filter((p) => p.type !== 'row')) {
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, prometheusUid]);
      for (const target of panel.targets ?? []) expect([panel.title, target.datasource?.uid ?? prometheusUid]).toEqual([panel.title, prometheusUid]);
    }
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) expect(v.datasource?.uid).toBe(prometheusUid);
  });

  it('has a service selector over the label Prometheus puts on every scraped app', () => {
    const service = dashboard.templating.list.find((v) => v.name === 'service');
    expect(service?.definition).toBe('label_values(up, service)');
    const scrape = readYaml<{ scrape_configs: Array<{ static_configs: Array<{ labels?: Record<string, string> }> }> }>('infra', 'prometheus.yml');
    for (const job of scrape.scrape_configs) for (const s of job.static_configs) expect(s.labels?.service).toEqual(expect.any(String));
  });

  it('lays every panel out on the 24-column grid', () => {
    for (const p of allPanels(dashboard)) expect([p.title, p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.w > 0 && p.gridPos.h > 0]).toEqual([p.title, true]);
  });

  it('has a query in every panel', () => {
    for (const p of allPanels(dashboard).filter((x) => x.type !== 'row')) {
      expect([p.title, (p.targets ?? []).length > 0 && (p.targets ?? []).every((t) => (t.expr ?? '').trim() !== '')]).toEqual([p.title, true]);
    }
  });

  it('names, in every PromQL expression, only metrics the apps export', () => {
    const exported = exportedSeries();
    const unknown = expressions(dashboard).flatMap(({ panel, expr }) => {
      const names = metricNamesIn(expr);
      if (names.length === 0) return [{ panel, expr, metric: '(no metric)' }];
      return names.filter((n) => !exported.has(n)).map((metric) => ({ panel, expr, metric }));
    });
    expect(unknown).toEqual([]);
  });

  it('shows requests, errors and latency per route, events per topic, lag, outbox, chain latency, memory and event-loop lag', () => {
    const used = new Set(expressions(dashboard).flatMap(({ expr }) => metricNamesIn(expr)));
    const exprs = expressions(dashboard).map((e) => e.expr).join('\n');
    for (const metric of [
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'kafka_messages_produced_total',
      'kafka_messages_consumed_total',
      'kafka_messages_dead_lettered_total',
      'kafka_consumer_lag_messages',
      'outbox_backlog_messages',
      'outbox_oldest_message_age_seconds',
      'user_to_paid_chain_seconds_bucket',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect([metric, used.has(metric)]).toEqual([metric, true]);
    }
    expect(exprs).toMatch(/by \([^)]*route[^)]*\)/);
    expect(exprs).toMatch(/status_code=~"\[45\]\.\."|status_code=~"5\.\."/);
    expect(exprs).toMatch(/by \([^)]*topic[^)]*\)/);
  });
});
