// Where things live and which ports each profile uses. No dependencies, so scripts can read the
// profiles (e.g. `npm run reset`) before infra/local's node_modules are installed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (infra/local/../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'postgres';

/**
 * @typedef {'users' | 'orders' | 'payments'} DbName
 * @typedef {'dev' | 'test' | 'bench' | 'faults' | 'cluster'} ProfileName
 * @typedef {{ name: DbName, port: number, database: string }} PgSpec
 * @typedef {{ id: number, port: number, controllerPort: number }} KafkaNode
 * @typedef {{ partitions?: number, replicationFactor: number, minInsyncReplicas: number }} TopicSettings partitions: default shared/events/topics.json's
 * @typedef {{
 *   name: ProfileName,
 *   kafka: { port: number, controllerPort: number, nodes?: KafkaNode[] },
 *   topics: TopicSettings,
 *   postgres: PgSpec[],
 *   wipeOnStart: boolean,
 *   dataDir: string,
 *   logDir: string,
 * }} Profile
 */

/** One broker: each topic once, on that broker. */
const SINGLE_NODE_TOPICS = { replicationFactor: 1, minInsyncReplicas: 1 };

/** @type {Record<ProfileName, Profile>} */
export const PROFILES = {
  dev: {
    name: 'dev',
    kafka: { port: 9094, controllerPort: 9093 },
    topics: SINGLE_NODE_TOPICS,
    postgres: [
      { name: 'users', port: 5432, database: 'userdb' },
      { name: 'orders', port: 5433, database: 'orderdb' },
      { name: 'payments', port: 5436, database: 'paymentdb' },
    ],
    // Dev data survives restarts; `npm run reset` wipes it.
    wipeOnStart: false,
    dataDir: path.join(REPO_ROOT, '.data', 'dev'),
    logDir: path.join(REPO_ROOT, '.logs', 'dev'),
  },
  test: {
    name: 'test',
    // Not 9095/9096: those are the cluster profile's brokers, and npm test runs both stacks.
    kafka: { port: 9086, controllerPort: 9087 },
    topics: SINGLE_NODE_TOPICS,
    postgres: [
      { name: 'users', port: 5434, database: 'userdb_test' },
      { name: 'orders', port: 5435, database: 'orderdb_test' },
      { name: 'payments', port: 5437, database: 'paymentdb_test' },
    ],
    // Every fresh start of the test stack begins from empty storage.
    wipeOnStart: true,
    dataDir: path.join(REPO_ROOT, '.data', 'test'),
    logDir: path.join(REPO_ROOT, '.logs', 'test'),
  },
  // `npm run bench`: its own ports, so it never disturbs `npm start` or `npm test`. Not wiped, so
  // it runs like dev (durable PostgreSQL, fully JIT-compiled broker): the numbers are realistic.
  bench: {
    name: 'bench',
    kafka: { port: 9100, controllerPort: 9101 },
    topics: SINGLE_NODE_TOPICS,
    postgres: [
      { name: 'users', port: 5454, database: 'userdb_bench' },
      { name: 'orders', port: 5455, database: 'orderdb_bench' },
      { name: 'payments', port: 5457, database: 'paymentdb_bench' },
    ],
    wipeOnStart: false,
    dataDir: path.join(REPO_ROOT, '.data', 'bench'),
    logDir: path.join(REPO_ROOT, '.logs', 'bench'),
  },
  // `npm run test:faults`: it stops and restarts the broker and a database mid-test, so it has its
  // own ports and data and never disturbs the test stack other suites share. Wiped at each start.
  faults: {
    name: 'faults',
    kafka: { port: 9098, controllerPort: 9099 },
    topics: SINGLE_NODE_TOPICS,
    postgres: [
      { name: 'users', port: 5444, database: 'userdb_faults' },
      { name: 'orders', port: 5445, database: 'orderdb_faults' },
      { name: 'payments', port: 5447, database: 'paymentdb_faults' },
    ],
    wipeOnStart: true,
    dataDir: path.join(REPO_ROOT, '.data', 'faults'),
    logDir: path.join(REPO_ROOT, '.logs', 'faults'),
  },
  // `npm run start:cluster`: three KRaft brokers (each broker and controller, a 3-voter quorum) on
  // 9094-9096, so it shares the dev profile's first Kafka port and 3005: run one or the other.
  // Every topic is replicated three times and a write needs two in sync (acks=all), so any one
  // broker may die without losing an acknowledged event or stopping writes.
  cluster: {
    name: 'cluster',
    kafka: {
      port: 9094,
      controllerPort: 9193,
      nodes: [
        { id: 1, port: 9094, controllerPort: 9193 },
        { id: 2, port: 9095, controllerPort: 9194 },
        { id: 3, port: 9096, controllerPort: 9195 },
      ],
    },
    // 6 partitions: work for up to six instances of a service in one consumer group.
    topics: { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 },
    postgres: [
      { name: 'users', port: 5464, database: 'userdb' },
      { name: 'orders', port: 5465, database: 'orderdb' },
      { name: 'payments', port: 5467, database: 'paymentdb' },
    ],
    // Like dev: data survives restarts; `npm run reset` wipes it.
    wipeOnStart: false,
    dataDir: path.join(REPO_ROOT, '.data', 'cluster'),
    logDir: path.join(REPO_ROOT, '.logs', 'cluster'),
  },
};

/**
 * The Kafka nodes of a profile: three in the cluster profile, one elsewhere.
 * @param {Profile} p
 * @returns {KafkaNode[]}
 */
export const kafkaNodes = (p) => p.kafka.nodes ?? [{ id: 1, port: p.kafka.port, controllerPort: p.kafka.controllerPort }];

/**
 * KAFKA_BROKER of a profile: every broker, comma-separated, so a client bootstraps from any live one.
 * @param {Profile} p
 */
export const brokerList = (p) => kafkaNodes(p).map((n) => `localhost:${n.port}`).join(',');

/**
 * @param {string} name
 * @returns {Profile}
 */
export function getProfile(name) {
  const profile = PROFILES[/** @type {ProfileName} */ (name)];
  if (!profile) throw new Error(`unknown stack profile "${name}" (expected ${Object.keys(PROFILES).join(', ')})`);
  return profile;
}

const isRoot = process.getuid?.() === 0;

/**
 * True when a user other than the owner can walk down to `target` (every existing ancestor has
 * the others-execute bit). PostgreSQL refuses to run as root, so on root machines it runs as the
 * `postgres` user, which needs exactly that.
 * @param {string} target
 */
export function reachableByOthers(target) {
  for (let d = path.dirname(target); ; d = path.dirname(d)) {
    if (fs.existsSync(d) && (fs.statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/**
 * Folder of a profile's PostgreSQL clusters: inside the repo (.data/<profile>), except as root in
 * a repo the postgres user cannot enter (a clone under /root or in a `mktemp -d` folder, mode 700):
 * then under the system temp folder, one per repo.
 * @param {Profile} p
 */
export function postgresDataRoot(p) {
  if (!isRoot || reachableByOthers(p.dataDir)) return p.dataDir;
  const id = crypto.createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), `nest-ms-${id}`, p.name);
}

/** Folder of the pid files of one profile: kafka.pid, postgres-users.pid, ... */
export const runDir = (/** @type {Profile} */ p) => path.join(p.dataDir, 'run');

/**
 * Environment for code that talks to a profile's infrastructure (tests, apps).
 * @param {Profile} p
 */
export function infraEnv(p) {
  const env = {
    DB_HOST: 'localhost',
    DB_USERNAME: PG_USER,
    DB_PASSWORD: PG_PASSWORD,
    KAFKA_BROKER: brokerList(p),
  };
  const prefix = p.name === 'test' ? 'TEST_DB' : 'DEV_DB';
  for (const db of p.postgres) {
    env[`${prefix}_PORT_${db.name.toUpperCase()}`] = String(db.port);
    env[`${prefix}_NAME_${db.name.toUpperCase()}`] = db.database;
  }
  return env;
}
