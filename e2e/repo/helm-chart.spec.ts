import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { APPS, App, appConfig, callersOf } from '../support/app-config';
import { K8sTools, k8sTools, VERSIONS } from '../support/k8s-tools';
import { expectedTopics, readRepoFile, readYaml, repoPath } from '../support/repo';

const CHART = repoPath('infra', 'helm', 'nest-ms');
const KUBE_VERSION = VERSIONS.kubernetes.replace(/^v/, '');
const RELEASE = 'shop';
/** Secrets for the default (production) values; the HA values name an existing Secret instead. */
const INLINE_SECRETS = ['--set', `secrets.apiKey=${'a1'.repeat(20)}`, '--set', `secrets.jwtSecret=${'j2'.repeat(20)}`];

const VALUE_SETS: Record<string, string[]> = {
  'values.yaml': INLINE_SECRETS,
  'values-dev.yaml': ['-f', `${CHART}/values-dev.yaml`],
  'values-ha.yaml': ['-f', `${CHART}/values-ha.yaml`],
};

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: any };

let tools: K8sTools;

beforeAll(() => {
  // First run builds helm (about 2 minutes on 2 cores), kubeconform, and the schemas; later runs reuse .cache/.
  tools = k8sTools();
}, 30 * 60_000);

function run(command: string, args: string[], input?: string) {
  const result = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function helmTemplate(args: string[]) {
  return run(tools.helm, ['template', RELEASE, CHART, '--kube-version', KUBE_VERSION, ...args]);
}

function render(valueSet: string): { yaml: string; objects: K8sObject[] } {
  const result = helmTemplate(VALUE_SETS[valueSet]);
  if (result.status !== 0) throw new Error(`helm template with ${valueSet} failed:\n${result.stderr}`);
  const objects = parseAllDocuments(result.stdout, { uniqueKeys: true })
    .map((d) => {
      if (d.errors.length) throw new Error(`${valueSet}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as K8sObject;
    })
    .filter(Boolean);
  return { yaml: result.stdout, objects };
}

const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const appOf = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/name'] as App;

describe.each(Object.keys(VALUE_SETS))('the Helm chart with %s', (valueSet) => {
  it('passes helm lint --strict', () => {
    const result = run(tools.helm, ['lint', '--strict', '--kube-version', KUBE_VERSION, CHART, ...VALUE_SETS[valueSet]]);
    expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: expect.any(String) });
  });

  it(`renders only objects valid against Kubernetes ${KUBE_VERSION} and the Strimzi, CloudNativePG and Prometheus Operator CRDs (strict: no unknown field)`, () => {
    const { yaml, objects } = render(valueSet);
    // No -ignore-missing-schemas: an object of a kind without a schema fails too.
    const result = run(tools.kubeconform, ['-strict', '-summary', '-output', 'json', '-schema-location', tools.schemaLocation, '-'], yaml);
    const report = JSON.parse(result.stdout);
    expect(report.resources ?? []).toEqual([]);
    expect(report.summary).toEqual({ valid: objects.length, invalid: 0, errors: 0, skipped: 0 });
    expect(result.status).toBe(0);
  });

  describe('every app', () => {
    const rendered = () => render(valueSet).objects;

    it.each(APPS)('%s: every variable the chart sets is one the app reads', (app) => {
      const objects = rendered();
      const deployment = of(objects, 'Deployment').find((d) => appOf(d) === app)!;
      const configMap = of(objects, 'ConfigMap').find((c) => appOf(c) === app)!;
      const pod = deployment.spec.template.spec;
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
        const set = [...Object.keys(configMap.data), ...(container.env ?? []).map((e: { name: string }) => e.name)];
        const read = appConfig(app).variables;
        expect({ container: container.name, unread: set.filter((v) => !read.has(v)) }).toEqual({ container: container.name, unread: [] });
      }
    });

    it.each(APPS)('%s: probes ask /health/live and /health/ready on the port the app listens on', (app) => {
      const objects = rendered();
      const container = of(objects, 'Deployment').find((d) => appOf(d) === app)!.spec.template.spec.containers[0];
      const configMap = of(objects, 'ConfigMap').find((c) => appOf(c) === app)!;
      const port = appConfig(app).port;
      expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      expect(configMap.data.PORT).toBe(String(port));
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      const service = of(objects, 'Service').find((s) => appOf(s) === app)!;
      expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }]);
    });

    it.each(APPS)('%s: runs as non-root on a read-only root filesystem, without privileges, and drains before stopping', (app) => {
      const pod = of(rendered(), 'Deployment').find((d) => appOf(d) === app)!.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(container.resources.limits.memory).toEqual(expect.any(String));
      }
      const main = pod.containers[0];
      expect(main.command).toEqual(['node', 'dist/main.js']);
      const pause = Number(main.lifecycle.preStop.exec.command[1]);
      expect(pause).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + 30);
      // Connections the gateway's pools keep (idle up to 2 s) are served, not cut, after SIGTERM.
      const configMap = of(rendered(), 'ConfigMap').find((c) => appOf(c) === app)!;
      expect(Number(configMap.data.HTTP_DRAIN_MS)).toBeGreaterThan(2000);
      if (appConfig(app).variables.has('DB_HOST')) {
        expect(pod.initContainers.map((c: { command: string[] }) => c.command)).toEqual([['node', 'dist/database/migrate.js']]);
      }
    });
  });

  it('gives every topic of shared/events/topics.json and its dead-letter topic a KafkaTopic', () => {
    const topics = of(render(valueSet).objects, 'KafkaTopic');
    const { names, partitions } = expectedTopics();
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual([...names].sort());
    for (const topic of topics) expect(topic.spec.partitions).toBe(partitions);
  });

  it('lets each app be reached only by the apps whose code calls it (the gateway from anywhere), each database only by its app, Kafka only by the apps that use it', () => {
    const objects = render(valueSet).objects;
    const policies = of(objects, 'NetworkPolicy');
    for (const app of APPS) {
      const policy = policies.find((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/name'] === app)!;
      const rules: Array<{ from?: any[] }> = policy.spec.ingress;
      const appPeers = rules.flatMap((r) => r.from ?? []).filter((peer) => peer.podSelector);
      expect({ app, callers: appPeers.map((peer) => peer.podSelector.matchLabels['app.kubernetes.io/name']).sort() }).toEqual({
        app,
        callers: callersOf(app).sort(),
      });
      for (const peer of appPeers) expect(peer.podSelector.matchLabels['app.kubernetes.io/instance']).toBe(RELEASE);
      // Only the gateway has a rule open to every source.
      expect({ app, open: rules.some((r) => r.from === undefined) }).toEqual({ app, open: app === 'api-gateway' });
    }

    const dbApps = APPS.filter((app) => appConfig(app).variables.has('DB_HOST'));
    for (const cluster of of(objects, 'Cluster')) {
      const policy = policies.find((p) => p.spec.podSelector.matchLabels['cnpg.io/cluster'] === cluster.metadata.name)!;
      const clients = policy.spec.ingress
        .filter((r: { ports?: Array<{ port: number }> }) => r.ports?.some((p) => p.port === 5432))
        .flatMap((r: { from: any[] }) => r.from)
        .map((peer: any) => peer.podSelector?.matchLabels['app.kubernetes.io/name'])
        .filter(Boolean);
      const owner = dbApps.find((app) => cluster.metadata.name.endsWith(`-${readYaml(`infra/helm/nest-ms/values.yaml`).apps[app].database}`));
      expect({ cluster: cluster.metadata.name, clients }).toEqual({ cluster: cluster.metadata.name, clients: [owner] });
    }
    expect(of(objects, 'Cluster')).toHaveLength(dbApps.length);

    const kafkaApps = APPS.filter((app) => appConfig(app).variables.has('KAFKA_BROKER'));
    const [kafka] = of(objects, 'Kafka');
    const peers = kafka.spec.kafka.listeners.flatMap((l: { networkPolicyPeers?: any[] }) => l.networkPolicyPeers ?? []);
    expect(kafka.spec.kafka.listeners.every((l: { networkPolicyPeers?: any[] }) => l.networkPolicyPeers?.length)).toBe(true);
    expect(peers.map((p: any) => p.podSelector.matchLabels['app.kubernetes.io/name']).sort()).toEqual(kafkaApps.sort());
  });

  it('exposes only the gateway, only under /api', () => {
    const objects = render(valueSet).objects;
    const ingresses = of(objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const backends = ingresses[0].spec.rules.flatMap((r: any) => r.http.paths);
    expect(backends).toEqual([
      { path: '/api', pathType: 'Prefix', backend: { service: { name: `${RELEASE}-nest-ms-api-gateway`, port: { name: 'http' } } } },
    ]);
    expect(of(objects, 'Service').every((s) => s.spec.type === 'ClusterIP')).toBe(true);
  });

  it('ships the Grafana dashboard of infra/grafana, unchanged, for the sidecar', () => {
    const [dashboard] = of(render(valueSet).objects, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    expect(JSON.parse(dashboard.data['nest-ms.json'])).toEqual(JSON.parse(readRepoFile('infra', 'grafana', 'provisioning', 'dashboards', 'nest-ms.json')));
  });
});

describe('the Helm chart in production', () => {
  it('sets NODE_ENV=production and every variable production requires, in every app', () => {
    const objects = render('values-ha.yaml').objects;
    for (const app of APPS) {
      const deployment = of(objects, 'Deployment').find((d) => appOf(d) === app)!;
      const configMap = of(objects, 'ConfigMap').find((c) => appOf(c) === app)!;
      expect(configMap.data.NODE_ENV).toBe('production');
      const env: Array<{ name: string; valueFrom?: any }> = deployment.spec.template.spec.containers[0].env;
      const fromSecrets = env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
      expect({ app, missing: [...appConfig(app).requiredInProduction].filter((v) => !fromSecrets.includes(v)) }).toEqual({ app, missing: [] });
      for (const secret of env.filter((e) => e.valueFrom?.secretKeyRef && ['API_KEY', 'JWT_SECRET'].includes(e.name))) {
        expect(secret.valueFrom.secretKeyRef.name).toBe('nest-ms-secrets');
      }
    }
  });

  it('runs three of everything: apps, Kafka nodes (RF 3, min.insync.replicas 2) and PostgreSQL instances', () => {
    const objects = render('values-ha.yaml').objects;
    for (const hpa of of(objects, 'HorizontalPodAutoscaler')) expect(hpa.spec.minReplicas).toBe(3);
    expect(of(objects, 'PodDisruptionBudget').map((p) => p.spec.minAvailable)).toEqual([1, 1, 1, 1]);
    expect(of(objects, 'KafkaNodePool')[0].spec.replicas).toBe(3);
    expect(of(objects, 'Kafka')[0].spec.kafka.config).toMatchObject({ 'default.replication.factor': 3, 'min.insync.replicas': 2 });
    for (const topic of of(objects, 'KafkaTopic')) expect(topic.spec).toMatchObject({ replicas: 3, config: { 'min.insync.replicas': 2 } });
    for (const cluster of of(objects, 'Cluster')) expect(cluster.spec.instances).toBe(3);
  });

  it('refuses to render without API_KEY and JWT_SECRET, naming what to set', () => {
    const result = helmTemplate([]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('production=true needs API_KEY and JWT_SECRET');
    expect(result.stderr).toContain('secrets.existingSecret');
  });

  it('refuses an inline secret shorter than the apps accept', () => {
    const result = helmTemplate(['--set', 'secrets.apiKey=short', '--set', `secrets.jwtSecret=${'j'.repeat(40)}`]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('secrets.apiKey must be at least 32 characters');
  });

  it('keeps secret values out of values.yaml and renders them only into a Secret', () => {
    const values = readYaml('infra/helm/nest-ms/values.yaml');
    expect(values.secrets).toEqual({ existingSecret: '', apiKey: '', jwtSecret: '' });
    const { yaml, objects } = render('values.yaml');
    const secret = of(objects, 'Secret')[0] as K8sObject & { data: Record<string, string> };
    expect(Object.keys(secret.data).sort()).toEqual(['API_KEY', 'JWT_SECRET']);
    expect(yaml).not.toContain('a1'.repeat(20));
  });
});

describe('the chart and the README', () => {
  it('every variable a ConfigMap sets is named in the README Configuration table', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Security'));
    const { objects } = render('values-dev.yaml');
    for (const configMap of of(objects, 'ConfigMap').filter((c) => appOf(c))) {
      for (const name of Object.keys(configMap.data)) expect({ name, documented: section.includes(`\`${name}\``) }).toEqual({ name, documented: true });
    }
  });
});
