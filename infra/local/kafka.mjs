// A real Kafka broker (KRaft, broker+controller in one JVM) run from Maven jars: one node, or one
// of the cluster profile's three (a 3-voter quorum); plus the kafkajs admin work the stack needs:
// readiness and topic creation.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import kafkajs from 'kafkajs';
import { REPO_ROOT } from './profiles.mjs';
import { spawnServer, tailFile, waitUntil } from './procs.mjs';

const { Kafka, logLevel } = kafkajs;

const POM_DIR = path.join(REPO_ROOT, 'infra', 'kafka');
const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'kafka');
export const LIBS_DIR = path.join(CACHE_DIR, 'libs');
const MARKER = path.join(CACHE_DIR, 'libs.pom.sha256');
// Class-data sharing archive of the broker's classes: roughly halves the JVM start-up.
const CDS_ARCHIVE = path.join(CACHE_DIR, 'kafka-classes.jsa');
const RESOLVE_TIMEOUT_MS = 10 * 60 * 1000;

const pomHash = () =>
  crypto.createHash('sha256').update(fs.readFileSync(path.join(POM_DIR, 'pom.xml'))).digest('hex');

/**
 * Makes sure the broker's jars are in .cache/kafka/libs. Resolved once with Maven; the marker holds
 * the pom's hash, so editing the pom (e.g. a new Kafka version) resolves again.
 * @param {(m: string) => void} log
 */
export function ensureKafkaJars(log) {
  // The cluster's three nodes ask at once: one resolution serves them all.
  resolving ??= resolveKafkaJars(log).finally(() => (resolving = undefined));
  return resolving;
}
/** @type {Promise<boolean> | undefined} */
let resolving;

/** @param {(m: string) => void} log */
async function resolveKafkaJars(log) {
  const hash = pomHash();
  if (fs.existsSync(MARKER) && fs.readFileSync(MARKER, 'utf8').trim() === hash) return false;
  const version = /<kafka\.version>([^<]+)</.exec(fs.readFileSync(path.join(POM_DIR, 'pom.xml'), 'utf8'))?.[1];
  log(`resolving Kafka ${version ?? ''} jars from Maven Central (first run only, ~30 s)`);
  // Resolve into a temporary folder and swap it in, so an interrupted run leaves no half cache.
  const tmp = `${LIBS_DIR}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const mavenLog = path.join(CACHE_DIR, 'maven.log');
  const args = ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`];
  const code = await runToFile('mvn', args, POM_DIR, mavenLog, RESOLVE_TIMEOUT_MS);
  if (code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`mvn could not resolve the Kafka jars (exit ${code}); see ${mavenLog}:\n${tailFile(mavenLog, 20)}`);
  }
  fs.rmSync(LIBS_DIR, { recursive: true, force: true });
  fs.rmSync(CDS_ARCHIVE, { force: true }); // recorded the old jars
  fs.renameSync(tmp, LIBS_DIR);
  fs.writeFileSync(MARKER, hash + '\n');
  return true;
}

/** Runs a command with its output in a file; resolves with its exit code (or 'timeout'). */
function runToFile(cmd, args, cwd, file, timeoutMs) {
  return new Promise((resolve) => {
    const fd = fs.openSync(file, 'w');
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fs.appendFileSync(file, `\n${cmd}: ${err.message}${err.code === 'ENOENT' ? ' (is it installed and on PATH?)' : ''}\n`);
      resolve(-1);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? `signal ${signal}`);
    });
  });
}

/**
 * One node's place in its cluster. Without `voters` it is a cluster of its own (node 1).
 * @typedef {{
 *   port: number, controllerPort: number, id?: number,
 *   voters?: { id: number, controllerPort: number }[],
 *   topics?: import('./profiles.mjs').TopicSettings,
 * }} NodeSpec
 */

/**
 * Writes server.properties and log4j2.properties for one node; returns their paths.
 * @param {string} dir the node's kafka folder
 * @param {NodeSpec} node
 */
function writeConfig(dir, node) {
  const { port, controllerPort } = node;
  const voters = node.voters ?? [{ id: 1, controllerPort }];
  const rf = node.topics?.replicationFactor ?? 1;
  const minIsr = node.topics?.minInsyncReplicas ?? 1;
  fs.mkdirSync(dir, { recursive: true });
  const props = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j2.properties');
  const lines = {
    'process.roles': 'broker,controller',
    'node.id': node.id ?? 1,
    // Static quorum (every voter listed, the storage formatted without --standalone).
    'controller.quorum.voters': voters.map((v) => `${v.id}@localhost:${v.controllerPort}`).join(','),
    listeners: `PLAINTEXT://localhost:${port},CONTROLLER://localhost:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://localhost:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': path.join(dir, 'storage'),
    // Internal topics as replicated as ours (one node: 1; the cluster: 3, two in sync).
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': rf,
    'share.coordinator.state.topic.min.isr': minIsr,
    // Defaults for any topic created without settings (ours always name them).
    'default.replication.factor': rf,
    'min.insync.replicas': minIsr,
    // A replica that fell out of sync never becomes leader: that would drop acknowledged events.
    'unclean.leader.election.enable': false,
    // The 3 s default delays every consumer group join; useless with one dev consumer per group.
    'group.initial.rebalance.delay.ms': 0,
    // Topics are created explicitly (with their dead-letter twins) before services start.
    'auto.create.topics.enable': false,
    'num.partitions': node.topics?.partitions ?? 3,
    // The default 50 partitions of __consumer_offsets take seconds to load on a small machine.
    'offsets.topic.num.partitions': Math.max(5, node.topics?.partitions ?? 0),
  };
  fs.writeFileSync(props, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  fs.writeFileSync(
    log4j,
    [
      'appender.console.type=Console',
      'appender.console.name=STDOUT',
      'appender.console.layout.type=PatternLayout',
      'appender.console.layout.pattern=[%d] %p %m (%c)%n',
      'rootLogger.level=warn',
      'rootLogger.appenderRef.stdout.ref=STDOUT',
      'logger.kafka.name=kafka',
      'logger.kafka.level=info',
      '',
    ].join('\n'),
  );
  return { props, log4j };
}

const javaBase = (log4j) => [`-Dlog4j2.configurationFile=${log4j}`, '-cp', `${LIBS_DIR}/*`];

/**
 * A random cluster id as Kafka writes them (16 bytes, base64url), never starting with '-': the
 * storage tool would read such an id as an option and refuse to format (Kafka's own generator
 * skips those ids for the same reason).
 */
export function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The cluster id a node's storage was formatted with, or undefined (not formatted). */
export function storedClusterId(dir) {
  try {
    return /^cluster\.id=(.+)$/m.exec(fs.readFileSync(path.join(dir, 'storage', 'meta.properties'), 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/**
 * Prepares config and (when empty) formats the storage of a profile's broker.
 * @param {string} dir
 * @param {NodeSpec} node
 * @param {string} logFile
 * @param {string} [clusterId] the id every node of one cluster is formatted with (default: a new one)
 */
export async function prepareKafka(dir, node, logFile, clusterId = newClusterId()) {
  const { props, log4j } = writeConfig(dir, node);
  if (fs.existsSync(path.join(dir, 'storage', 'meta.properties'))) return props;
  // StorageTool prints INFO lines to stdout: they go to the log file, not the console.
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const code = await runToFile(
    'java',
    [...javaBase(log4j), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props],
    dir,
    `${logFile}.format`,
    120000,
  );
  fs.appendFileSync(logFile, fs.readFileSync(`${logFile}.format`, 'utf8'));
  fs.rmSync(`${logFile}.format`, { force: true });
  if (code !== 0) throw new Error(`formatting Kafka storage failed (exit ${code}); see ${logFile}:\n${tailFile(logFile, 15)}`);
  return props;
}

/**
 * Starts the broker JVM (detached, output in logFile). The caller waits for readiness.
 * @param {string} dir
 * @param {string} props
 * @param {string} logFile
 * @param {{ shortLived?: boolean }} [opts] shortLived: a test broker, started and stopped once per
 *   run: C1-only JIT starts it faster; a long-lived dev broker keeps full JIT for realistic numbers.
 * @returns {{ child: import('node:child_process').ChildProcess, afterStop: (clean: boolean) => void }}
 */
export function spawnKafka(dir, props, logFile, opts = {}) {
  const log4j = path.join(dir, 'log4j2.properties');
  // 384 MB heap and G1 are plenty for a dev broker (the scripts' default is 1 GB).
  const jvm = ['-Xmx384m', '-Xms128m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];
  if (opts.shortLived) jvm.push('-XX:TieredStopAtLevel=1');
  const cds = classDataSharing(opts.shortLived);
  const args = [...jvm, ...cds.args, ...javaBase(log4j), 'kafka.Kafka', props];
  return { child: spawnServer('java', args, { logFile, cwd: dir }), afterStop: cds.afterStop };
}

/**
 * Uses the class-data sharing archive when there is one. Otherwise a long-lived broker records one
 * when it stops (a few seconds more, once); it is written under a temporary name and moved into
 * place only after a clean stop, so a killed broker never leaves a truncated archive.
 * @param {boolean | undefined} shortLived
 * @returns {{ args: string[], afterStop: (clean: boolean) => void }}
 */
function classDataSharing(shortLived) {
  if (fs.existsSync(CDS_ARCHIVE)) return { args: [`-XX:SharedArchiveFile=${CDS_ARCHIVE}`], afterStop: () => {} };
  if (shortLived) return { args: [], afterStop: () => {} };
  removeStaleArchives();
  const tmp = `${CDS_ARCHIVE}.tmp-${process.pid}-${Date.now()}`;
  return {
    // -Xlog:cds=off: the dump lists every class it cannot archive (harmless) in kafka.log.
    args: [`-XX:ArchiveClassesAtExit=${tmp}`, '-Xlog:cds=off'],
    afterStop: (clean) => {
      try {
        if (clean && fs.statSync(tmp).size > 0 && !fs.existsSync(CDS_ARCHIVE)) fs.renameSync(tmp, CDS_ARCHIVE);
      } catch {
        // no archive written: try again next time
      }
      fs.rmSync(tmp, { force: true });
    },
  };
}

/** Temporary archives of brokers that were killed while writing them (older than 10 minutes). */
function removeStaleArchives() {
  if (!fs.existsSync(CACHE_DIR)) return;
  for (const f of fs.readdirSync(CACHE_DIR)) {
    const file = path.join(CACHE_DIR, f);
    if (f.startsWith('kafka-classes.jsa.tmp-') && Date.now() - fs.statSync(file).mtimeMs > 600000) fs.rmSync(file, { force: true });
  }
}

/**
 * A kafkajs client that stays quiet while we poll a broker that is still starting.
 * @param {string} broker host:port, or several comma-separated
 */
export function kafkaClient(broker) {
  return new Kafka({
    clientId: 'nest-ms-stack',
    brokers: broker.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
}

/**
 * Ready = the admin client can describe the cluster.
 * @param {string} broker host:port
 * @param {{ timeoutMs: number, failed?: () => string | undefined }} opts
 */
export async function waitForKafka(broker, opts) {
  await waitUntil(
    async () => {
      const admin = kafkaClient(broker).admin();
      try {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        return brokers.length > 0;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },
    { what: `Kafka at ${broker}`, intervalMs: 500, ...opts },
  );
}

/**
 * The first consumer group request makes the broker create and load __consumer_offsets; until that
 * is done the apps' consumers crash-restart ("coordinator is loading"). Do it here, before they start.
 * @param {import('kafkajs').Admin} admin
 * @param {string} topic any existing topic
 */
async function warmGroupCoordinator(admin, topic) {
  await waitUntil(
    async () => {
      await admin.fetchOffsets({ groupId: 'nest-ms-stack-warmup', topics: [topic] });
      return true;
    },
    { what: 'Kafka group coordinator', timeoutMs: 30000, intervalMs: 300 },
  );
}

/** Topic names from shared/events/topics.json, each with its dead-letter twin. */
export function topicList() {
  const file = path.join(REPO_ROOT, 'shared', 'events', 'topics.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  const names = Object.values(spec.topics).flatMap((t) => [t, `${t}${spec.deadLetterSuffix}`]);
  return { names, partitions: spec.partitions ?? 3 };
}

/**
 * Creates the missing topics (existing ones are left alone) and waits for their leaders.
 * @param {string} broker host:port, or several comma-separated
 * @param {import('./profiles.mjs').TopicSettings} [settings] replication (default: one copy)
 * @returns {Promise<{ created: string[], existing: string[] }>}
 */
export async function ensureTopics(broker, settings = { replicationFactor: 1, minInsyncReplicas: 1 }) {
  const { names } = topicList();
  const partitions = settings.partitions ?? topicList().partitions;
  const configEntries = [
    { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
    { name: 'unclean.leader.election.enable', value: 'false' },
  ];
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  try {
    const have = new Set(await admin.listTopics());
    const missing = names.filter((n) => !have.has(n));
    if (missing.length > 0) {
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: settings.replicationFactor,
            configEntries,
          })),
        })
        .catch(async (err) => {
          // Another process (a second test run) may have created some of them in the meantime.
          const now = new Set(await admin.listTopics());
          if (!names.every((n) => now.has(n))) throw err;
        });
    }
    await warmGroupCoordinator(admin, names[0]);
    return { created: missing, existing: names.filter((n) => have.has(n)) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
