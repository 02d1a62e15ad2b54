// Kafka's own measuring tools, run on the same broker as the system (from the kafka-tools jar the
// local stack resolves into .cache/kafka/libs), and a kafkajs admin for the bench's topics.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { REPO_ROOT } from '../../infra/local/profiles.mjs';

const { Kafka, logLevel } = kafkajs;
const LIBS = path.join(REPO_ROOT, '.cache', 'kafka', 'libs');

/** Topics the bench creates on the broker; none is consumed by the apps. */
export const BENCH_TOPICS = {
  e2e: { topic: 'bench.e2e-latency', partitions: 1 }, // EndToEndLatency reads one partition
  producer: { topic: 'bench.producer-perf', partitions: 3 },
  relay: { topic: 'bench.relay', partitions: 3 },
};

export function kafkaClient(broker) {
  return new Kafka({ clientId: 'nest-ms-bench', brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 3 } });
}

/** Creates the bench topics (same partition count as the system's topics where it matters). */
export async function ensureBenchTopics(broker) {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(BENCH_TOPICS).filter((t) => !existing.has(t.topic));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Partitions of a topic as the broker has them (system topics: 3). */
export async function partitionCount(broker, topic) {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

/** Sum of the high watermarks of topics (messages ever written). */
export async function topicEnds(admin, topics) {
  let sum = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) sum += Number(p.high);
  }
  return sum;
}

function quietLog4j(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'tools-log4j2.properties');
  fs.writeFileSync(
    file,
    ['appender.console.type=Console', 'appender.console.name=STDERR', 'appender.console.target=SYSTEM_ERR',
      'appender.console.layout.type=PatternLayout', 'appender.console.layout.pattern=%p %m%n',
      'rootLogger.level=error', 'rootLogger.appenderRef.stderr.ref=STDERR', ''].join('\n'),
  );
  return file;
}

/**
 * Runs one Kafka tool class; resolves with its output. `onStart` gets the JVM's pid (for its CPU).
 * @param {string} mainClass
 * @param {string[]} args
 * @param {{ workDir: string, timeoutMs?: number, onStart?: (pid: number | undefined) => void }} opts
 */
function runTool(mainClass, args, opts) {
  if (!fs.existsSync(path.join(LIBS, `kafka-tools-${kafkaVersion()}.jar`))) {
    throw new Error(`kafka-tools jar not found in ${LIBS} (the local stack resolves it with Maven on its first start)`);
  }
  const log4j = quietLog4j(opts.workDir);
  const jvm = ['-Xmx256m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${log4j}`, '-cp', `${LIBS}/*`];
  return new Promise((resolve, reject) => {
    const child = spawn('java', [...jvm, mainClass, ...args], { cwd: opts.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    opts.onStart?.(child.pid);
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run java: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${mainClass} exited ${code}: ${(err || out).trim().split('\n').slice(-5).join(' | ')}`));
      else resolve(out);
    });
  });
}

let versionCache;
function kafkaVersion() {
  if (versionCache) return versionCache;
  const jar = fs.existsSync(LIBS) ? fs.readdirSync(LIBS).find((f) => /^kafka-clients-[\d.]+\.jar$/.test(f)) : undefined;
  // Not cached while unknown: from a fresh clone the stack resolves the jars after the bench starts.
  if (!jar) return 'unknown';
  versionCache = /kafka-clients-([\d.]+)\.jar/.exec(jar)[1];
  return versionCache;
}
export { kafkaVersion };

/**
 * org.apache.kafka.tools.EndToEndLatency: produce one message, wait until a consumer sees it, repeat.
 * @returns {Promise<{ messages: number, avg: number, p50: number, p99: number, p999: number }>} ms
 */
export async function endToEndLatency(broker, { messages, acks, size, workDir, onStart }) {
  const out = await runTool(
    'org.apache.kafka.tools.EndToEndLatency',
    [broker, BENCH_TOPICS.e2e.topic, String(messages), String(acks), String(size)],
    { workDir, onStart },
  );
  const avg = /Avg latency:\s*([\d.]+)\s*ms/.exec(out);
  const pct = /Percentiles:\s*50th\s*=\s*([\d.]+),\s*99th\s*=\s*([\d.]+),\s*99\.9th\s*=\s*([\d.]+)/.exec(out);
  if (!avg || !pct) throw new Error(`EndToEndLatency printed no latency: ${out.trim().slice(-300)}`);
  return { messages, avg: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]), p999: Number(pct[3]) };
}

/**
 * org.apache.kafka.tools.ProducerPerformance (kafka-producer-perf-test) as fast as it can.
 * @returns {Promise<{ records: number, perSec: number, mbPerSec: number, avgMs: number, p50: number, p99: number }>}
 */
export async function producerPerformance(broker, { records, size, acks, props = {}, workDir, onStart }) {
  const producerProps = Object.entries({ 'bootstrap.servers': broker, acks: String(acks), ...props }).map(([k, v]) => `${k}=${v}`);
  const out = await runTool(
    'org.apache.kafka.tools.ProducerPerformance',
    ['--topic', BENCH_TOPICS.producer.topic, '--num-records', String(records), '--record-size', String(size), '--throughput', '-1', '--producer-props', ...producerProps],
    { workDir, onStart, timeoutMs: 180000 },
  );
  // "300000 records sent, 123456.8 records/sec (40.12 MB/sec), 12.34 ms avg latency, 300.00 ms max latency, 5 ms 50th, 30 ms 95th, 40 ms 99th, 50 ms 99.9th."
  // Progress lines every 5 s look alike, without percentiles: take the line that has them.
  const summary = out.split('\n').find((l) => l.includes(' 50th')) ?? '';
  const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency.*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(summary);
  if (!m) throw new Error(`ProducerPerformance printed no summary: ${out.trim().slice(-300)}`);
  return { records: Number(m[1]), perSec: Number(m[2]), mbPerSec: Number(m[3]), avgMs: Number(m[4]), p50: Number(m[5]), p99: Number(m[7]) };
}
