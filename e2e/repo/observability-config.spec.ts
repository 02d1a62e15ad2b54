import { readYaml } from '../support/repo';

describe('infra/prometheus.yml', () => {
  const config = readYaml<{ scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }> }>(
    'infra',
    'prometheus.yml',
  );
  const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));

  it.each([
    ['api-gateway', 3005],
    ['user-service', 3001],
    ['order-service', 3002],
    ['payment-service', 3003],
    // Beside compose's Kafdrop on 9000, npm start's event console takes 9001.
    ['event-console', 9001],
  ])('scrapes %s on host.docker.internal:%i/metrics', (job, port) => {
    const scrape = config.scrape_configs.find((j) => j.job_name === job);
    expect(scrape?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(scrape?.static_configs.flatMap((s) => s.targets)).toEqual([`host.docker.internal:${port}`]);
  });

  it('scrapes nothing else', () => {
    expect(targets).toHaveLength(5);
  });
});

describe('infra/grafana/provisioning', () => {
  it('has Prometheus as the default data source, inside the compose network', () => {
    const file = readYaml<{ datasources: Array<{ type: string; url: string; isDefault?: boolean }> }>(
      'infra',
      'grafana',
      'provisioning',
      'datasources',
      'prometheus.yml',
    );
    expect(file.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true })]);
  });
});
