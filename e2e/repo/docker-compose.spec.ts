import { ComposeFile, environment, publishedPorts, readYaml } from '../support/repo';

/** The defaults of the design contract: every entry point of the system on its documented port. */
const DEV_PORTS: Record<string, number[]> = {
  kafka: [9094],
  userdb: [5432],
  orderdb: [5433],
  paymentdb: [5436],
  kafdrop: [9000],
  jaeger: [16686, 4318],
  prometheus: [9090],
  grafana: [3010],
};

const TEST_PORTS: Record<string, number[]> = {
  'kafka-test': [9096],
  'userdb-test': [5434],
  'orderdb-test': [5435],
  'paymentdb-test': [5437],
};

const DATABASES: Record<string, string> = {
  userdb: 'userdb',
  orderdb: 'orderdb',
  paymentdb: 'paymentdb',
  'userdb-test': 'userdb_test',
  'orderdb-test': 'orderdb_test',
  'paymentdb-test': 'paymentdb_test',
};

function expectPinnedImages(compose: ComposeFile): void {
  for (const [name, service] of Object.entries(compose.services)) {
    const image = service.image ?? '';
    const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
    expect({ service: name, tag }).toEqual({ service: name, tag: expect.stringMatching(/^[\w][\w.-]*$/) });
    expect({ service: name, tag }).not.toEqual({ service: name, tag: 'latest' });
  }
}

function expectKraftKafka(compose: ComposeFile, service: string, port: number): void {
  const kafka = compose.services[service];
  expect(kafka.image).toBe('apache/kafka:4.1.1');
  const env = environment(kafka);
  expect(env.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
  expect(env.KAFKA_ADVERTISED_LISTENERS).toContain(`localhost:${port}`);
  expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  // KRaft only: no ZooKeeper service, image or setting anywhere.
  for (const [name, s] of Object.entries(compose.services)) {
    expect(`${name} ${s.image}`).not.toMatch(/zookeeper/i);
    expect(Object.keys(environment(s)).filter((k) => /ZOOKEEPER/i.test(k))).toEqual([]);
  }
}

function expectDatabases(compose: ComposeFile): void {
  for (const [name, service] of Object.entries(compose.services)) {
    if (!DATABASES[name]) continue;
    expect(service.image).toMatch(/^postgres:\d+/);
    expect(environment(service)).toMatchObject({
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: 'postgres',
      POSTGRES_DB: DATABASES[name],
    });
  }
}

describe('infra/docker-compose.yml', () => {
  const compose = readYaml<ComposeFile>('infra', 'docker-compose.yml');

  it('has Kafka, its topic initialiser, the three databases and the observability tools', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...Object.keys(DEV_PORTS), 'kafka-init'].sort(),
    );
  });

  it.each(Object.entries(DEV_PORTS))('%s publishes %j on the host', (service, ports) => {
    expect(publishedPorts(compose.services[service])).toEqual(expect.arrayContaining(ports));
  });

  it('pins every image to a version (never latest)', () => expectPinnedImages(compose));

  it('runs Kafka 4.1.1 in KRaft mode, advertising localhost:9094 to the host', () =>
    expectKraftKafka(compose, 'kafka', 9094));

  it('creates the topics from shared/events/topics.json once Kafka is healthy', () => {
    const init = compose.services['kafka-init'];
    expect(init.image).toBe('apache/kafka:4.1.1');
    expect(init.volumes).toEqual(
      expect.arrayContaining(['./kafka/create-topics.sh:/create-topics.sh:ro', '../shared/events/topics.json:/topics.json:ro']),
    );
    expect(init.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
  });

  it('gives each service its own database, user postgres/postgres', () => expectDatabases(compose));

  it('lets Prometheus reach the apps on the host and read infra/prometheus.yml', () => {
    const prometheus = compose.services.prometheus;
    expect(prometheus.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.extra_hosts).toContain('host.docker.internal:host-gateway');
  });

  it('provisions Grafana from infra/grafana/provisioning', () => {
    expect(compose.services.grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});

describe('infra/docker-compose.test.yml', () => {
  const compose = readYaml<ComposeFile>('infra', 'docker-compose.test.yml');

  it.each(Object.entries(TEST_PORTS))('%s publishes %j on the host', (service, ports) => {
    expect(publishedPorts(compose.services[service])).toEqual(ports);
  });

  it('never uses a dev port, so tests cannot touch dev data', () => {
    const used = Object.values(compose.services).flatMap(publishedPorts);
    const devPorts = Object.values(DEV_PORTS).flat();
    expect(used.filter((p) => devPorts.includes(p))).toEqual([]);
  });

  it('pins every image to a version (never latest)', () => expectPinnedImages(compose));

  it('runs Kafka in KRaft mode, advertising localhost:9096', () => expectKraftKafka(compose, 'kafka-test', 9096));

  it('names every test database *_test', () => expectDatabases(compose));
});
