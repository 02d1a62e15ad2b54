import { spawnSync } from 'node:child_process';
import { APPS, appConfig } from '../support/app-config';
import { composeCli } from '../support/k8s-tools';
import { ComposeFile, ComposeService, environment, publishedPorts, readYaml, repoPath } from '../support/repo';

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
  'kafka-test': [9086],
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

type Service = ComposeService & { profiles?: string[]; healthcheck?: { test: string[] }; build?: string };

describe('infra/docker-compose.yml', () => {
  const compose = readYaml<ComposeFile>('infra', 'docker-compose.yml');
  const services = compose.services as Record<string, Service>;
  const infraOnly = Object.keys(services).filter((name) => !services[name].profiles);

  it('has Kafka, its topic initialiser, the three databases and the observability tools outside any profile', () => {
    expect(infraOnly.sort()).toEqual([...Object.keys(DEV_PORTS), 'kafka-init', 'jaeger-health'].sort());
  });

  it('adds the four apps, built from their Dockerfiles, behind the "apps" profile', () => {
    const apps = Object.keys(services).filter((name) => services[name].profiles);
    expect(apps.sort()).toEqual([...APPS].sort());
    for (const app of APPS) {
      expect(services[app]).toMatchObject({ profiles: ['apps'], build: `../${app}`, image: `nest-ms/${app}:dev` });
      expect(publishedPorts(services[app])).toEqual([appConfig(app).port]);
      const unread = Object.keys(environment(services[app])).filter((v) => !appConfig(app).variables.has(v));
      expect({ app, unread }).toEqual({ app, unread: [] });
    }
  });

  it('gives every long-running service a healthcheck, so `up --wait` waits until it is ready', () => {
    // Jaeger's image has no shell or HTTP client; jaeger-health asks its health endpoint instead.
    const running = Object.keys(services).filter((name) => name !== 'kafka-init' && name !== 'jaeger');
    for (const name of running) expect({ name, test: services[name].healthcheck?.test }).toEqual({ name, test: expect.any(Array) });
    expect(services['jaeger-health'].healthcheck!.test.join(' ')).toContain('http://jaeger:13133/');
  });

  it("checks Kafka without starting a JVM, and keeps its data in the volume", () => {
    const kafka = services.kafka;
    expect(kafka.healthcheck!.test.join(' ')).not.toMatch(/kafka-.*\.sh|java/);
    expect(environment(kafka).KAFKA_LOG_DIRS).toBe('/var/lib/kafka/data');
    expect(kafka.volumes).toContain('kafka-data:/var/lib/kafka/data');
  });

  it('runs Jaeger v2', () => {
    expect(services.jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
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

  it('runs Kafka in KRaft mode, advertising localhost:9086', () => expectKraftKafka(compose, 'kafka-test', 9086));

  it('names every test database *_test', () => expectDatabases(compose));
});

describe('docker compose config (Compose v2 CLI built from its Go module)', () => {
  let cli: string;
  beforeAll(() => {
    // First run builds the CLI (about 1.5 minutes on 2 cores after helm's build); later runs reuse .cache/.
    cli = composeCli();
  }, 30 * 60_000);

  it.each([
    ['infra/docker-compose.yml', []],
    ['infra/docker-compose.yml', ['--profile', 'apps']],
    ['infra/docker-compose.test.yml', []],
  ])('accepts %s %j', (file, profile) => {
    const result = spawnSync(cli, ['-f', repoPath(file), ...profile, 'config', '--quiet'], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
