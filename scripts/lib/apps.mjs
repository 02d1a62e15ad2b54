// The four apps: where they live, their ports per profile, and the environment they get.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, brokerList, getProfile, kafkaNodes } from '../../infra/local/profiles.mjs';

/**
 * portVariable: moves the app in `npm start` (PORT itself would name one port for four apps).
 * @typedef {{
 *   name: 'gateway' | 'users' | 'orders' | 'payments', dir: string, port: number, testPort: number, benchPort: number,
 *   portVariable: string, db?: 'users' | 'orders' | 'payments',
 * }} App
 * @type {App[]}
 */
export const APPS = [
  { name: 'gateway', dir: 'api-gateway', port: 3005, testPort: 4005, benchPort: 5005, portVariable: 'API_GATEWAY_PORT' },
  { name: 'users', dir: 'user-service', port: 3001, testPort: 4001, benchPort: 5001, portVariable: 'USER_SERVICE_PORT', db: 'users' },
  { name: 'orders', dir: 'order-service', port: 3002, testPort: 4002, benchPort: 5002, portVariable: 'ORDER_SERVICE_PORT', db: 'orders' },
  { name: 'payments', dir: 'payment-service', port: 3003, testPort: 4003, benchPort: 5003, portVariable: 'PAYMENT_SERVICE_PORT', db: 'payments' },
];

/**
 * The event console (infra/console): built and run like an app, but not one of the four (it owns
 * no data and nothing calls it). 9000 is Kafdrop's port in docker-compose: see consolePort.
 * @type {{ name: 'console', dir: string, port: number, testPort: number, benchPort: number, portVariable: string }}
 */
export const CONSOLE = { name: 'console', dir: 'infra/console', port: 9000, testPort: 4009, benchPort: 5009, portVariable: 'EVENT_CONSOLE_PORT' };

/** Folders with their own package.json that the scripts install, in this order. */
export const PACKAGE_DIRS = ['infra/local', 'shared', 'e2e', ...APPS.map((a) => a.dir), CONSOLE.dir];

export const appPath = (/** @type {App} */ app, ...rest) => path.join(REPO_ROOT, app.dir, ...rest);

/** @param {string} dir relative to the repo */
export function readPackageJson(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Apps that can be built and run now; warns about the others (folders still being written).
 * @param {(m: string) => void} warn
 */
export function presentApps(warn) {
  return APPS.filter((app) => {
    const pkg = readPackageJson(app.dir);
    if (!pkg) warn(`${app.dir}: no package.json yet, skipping it`);
    else if (!pkg.scripts?.build) warn(`${app.dir}: package.json has no "build" script, skipping it`);
    return Boolean(pkg?.scripts?.build);
  });
}

/** The cluster profile runs at most this many instances of each app (one port digit). */
export const MAX_REPLICAS = 9;

/**
 * Port of instance `instance` (1-based) of an app in the cluster profile: 31<instance><the app's
 * dev port's last digit>, so 3111 is user-service 1, 3125 gateway 2 (3005 is nginx in front).
 * @param {{ port: number }} app
 * @param {number} instance
 */
export const clusterPort = (app, instance) => 3100 + 10 * instance + (app.port % 10);

/**
 * Port of an app in a profile (test: 400x, bench: 500x, so neither collides with a running
 * `npm start`; cluster: see clusterPort). In the dev profile the user moves an app with its port
 * variable (USER_SERVICE_PORT=3101 npm start); `checkUserEnv` has refused a value that is not a port.
 * @param {App} app
 * @param {import('../../infra/local/profiles.mjs').ProfileName} profile
 * @param {number} [instance] cluster profile only
 */
export function appPort(app, profile, instance = 1) {
  if (profile === 'test') return app.testPort;
  if (profile === 'bench') return app.benchPort;
  if (profile === 'cluster') return clusterPort(app, instance);
  const moved = process.env[app.portVariable];
  return moved ? Number(moved) : app.port;
}

export const appUrl = (app, profile, instance = 1) => `http://localhost:${appPort(app, profile, instance)}`;

/**
 * Problems with the user's environment that `npm start` must refuse before starting anything, each
 * naming the variable; [] when it is fine. In the dev profile a moved app must also stay off every
 * port the others take, moved or not: the gateway on 3001 would leave user-service no port, and
 * both would only fail to get ready a minute and a half later.
 * @param {NodeJS.ProcessEnv} env
 * @param {{ profile?: 'dev' | 'cluster' }} [opts] cluster: the port variables move nothing
 * @returns {string[]}
 */
export function checkUserEnv(env, { profile = 'dev' } = {}) {
  const problems = [];
  if (env.PORT !== undefined) {
    problems.push(
      `PORT=${env.PORT}: PORT moves one app, and npm start runs four; move each with ${APPS.map((a) => a.portVariable).join(', ')}`,
    );
  }
  const taken = new Map();
  for (const app of [...APPS, CONSOLE]) {
    const value = env[app.portVariable];
    if (value === undefined) continue;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
      problems.push(`${app.portVariable}=${value}: not a port (an integer 1-65535)`);
    } else if (taken.has(value)) {
      problems.push(`${app.portVariable}=${value}: the same port as ${taken.get(value)}`);
    } else {
      taken.set(value, app.portVariable);
    }
  }
  if (profile === 'dev') problems.push(...devPortClashes(env, taken));
  return problems;
}

/**
 * A moved app's port that an unmoved app or the dev stack's Kafka or PostgreSQL takes.
 * @param {NodeJS.ProcessEnv} env
 * @param {Map<string, string>} moved port → the variable that moved an app there (valid ports only)
 */
function devPortClashes(env, moved) {
  const dev = getProfile('dev');
  /** @type {Map<number, string>} */
  const others = new Map();
  for (const app of APPS) if (env[app.portVariable] === undefined) others.set(app.port, `${app.dir}'s port (move that one too, with ${app.portVariable})`);
  for (const node of kafkaNodes(dev)) {
    others.set(node.port, "the dev Kafka broker's port");
    others.set(node.controllerPort, "the dev Kafka controller's port");
  }
  for (const pg of dev.postgres) others.set(pg.port, `the dev PostgreSQL ${pg.database}'s port`);
  return [...moved]
    .filter(([port]) => others.has(Number(port)))
    .map(([port, variable]) => `${variable}=${port}: that is ${others.get(Number(port))}`);
}

/** The gateway's key to the services in the test profile; production refuses it (placeholder). */
export const TEST_API_KEY = 'nest-ms-test-api-key-not-for-production-0001';

/**
 * Environment of one app run by our scripts. In the dev and bench profiles a variable the user set
 * wins over the profile's default (NODE_ENV=production npm start is production, with its checks);
 * the test profile's own values win, so `npm test` never reaches the user's data or ports.
 * @param {App} app
 * @param {import('../../infra/local/profiles.mjs').ProfileName} profileName
 * @param {NodeJS.ProcessEnv} [userEnv]
 * @param {{ instance?: number, replicas?: number }} [cluster] which instance of how many (cluster profile)
 * @returns {NodeJS.ProcessEnv}
 */
export function appEnv(app, profileName, userEnv = process.env, cluster = {}) {
  const { PORT: _onePortForFour, ...user } = userEnv;
  const defaults = profileDefaults(app, profileName, cluster);
  return profileName === 'test' ? { ...user, ...defaults } : { ...defaults, ...user };
}

/**
 * What a profile gives an app when the user says nothing.
 * @param {App} app
 * @param {import('../../infra/local/profiles.mjs').ProfileName} profileName
 * @param {{ instance?: number, replicas?: number }} cluster
 * @returns {Record<string, string>}
 */
function profileDefaults(app, profileName, { instance = 1, replicas = 1 } = {}) {
  const profile = getProfile(profileName);
  // Every app gets all instances of a service, comma-separated: the gateway spreads its calls over
  // them, and order-service asks the next user-service instance when one cannot answer.
  const instances = profileName === 'cluster' ? replicas : 0;
  const url = (name) => {
    const target = APPS.find((a) => a.name === name);
    if (!instances) return appUrl(target, profileName, instance);
    return Array.from({ length: instances }, (_, i) => appUrl(target, profileName, i + 1)).join(',');
  };
  /** @type {Record<string, string>} */
  const env = {
    PORT: String(appPort(app, profileName, instance)),
    NODE_ENV: profileName === 'test' ? 'test' : 'development',
    KAFKA_BROKER: brokerList(profile),
    USER_SERVICE_URL: url('users'),
    ORDER_SERVICE_URL: url('orders'),
    PAYMENT_SERVICE_URL: url('payments'),
  };
  if (profileName === 'cluster') {
    // The instances of a service share one consumer group (the service's default) and tell
    // themselves apart in Kafka's client ids and the logs.
    if (app.name !== 'gateway') env.KAFKA_CLIENT_ID = `${app.dir}-${instance}`;
    // nginx (on 3005) is the one proxy in front: the client address is the last X-Forwarded-For hop.
    if (app.name === 'gateway') env.TRUST_PROXY = '1';
    // A stopping instance serves what its clients' pooled connections still bring for 3 s, longer
    // than their idle timeout (nginx and the gateway: 2 s): a rolling restart loses no request.
    env.HTTP_DRAIN_MS = '3000';
  }
  // Test runs: the services demand the key (the e2e tests check they refuse calls without it).
  if (profileName === 'test') env.API_KEY = TEST_API_KEY;
  // Outside development one client (tests, benchmarks) sends bursts: raise the gateway's rate limits.
  if (!['dev', 'cluster'].includes(profileName) && app.name === 'gateway') {
    Object.assign(env, { THROTTLE_LIMIT: '1000000', THROTTLE_AUTH_LIMIT: '1000000' });
  }
  // The e2e burst (200 concurrent sign-ups, each an argon2 hash) must not hit the 5 s production
  // deadline on a busy 2-core CI machine; what it checks is that no sign-up is lost.
  if (profileName === 'test' && app.name === 'gateway') env.UPSTREAM_TIMEOUT_MS = '20000';
  const db = profile.postgres.find((d) => d.name === app.db);
  if (db) {
    Object.assign(env, {
      DB_HOST: 'localhost',
      DB_PORT: String(db.port),
      DB_USERNAME: 'postgres',
      DB_PASSWORD: 'postgres',
      DB_DATABASE: db.database,
    });
  }
  return env;
}
