#!/usr/bin/env node
// `npm test`: every test of the repo, on one machine, no Docker needed.
//   install → build → repo checks → unit (each app) → test stack (Kafka + PostgreSQL) →
//   integration (each app) → end-to-end (the four built apps on 400x ports) → ways to run (start:dev
//   in each app folder, npm start with the user's settings, killed runs and infra:stop) → test stack
//   stopped, payment-service's integration tests run again the way a developer runs them with no
//   stack up (they start and stop their own) → fault suite (its own
//   stack and apps: broker and database outages, crashes, poison, fuzz, a soak) → cluster fault suite (the
//   cluster profile: brokers and app instances killed, paused, restarted under load) → stop everything.
// The line before the last is `N passed, N failed, N skipped`; the very last line is exactly
// `N passed, N failed` (CI parses it), summed over every Jest report and the bench's and scripts'
// own tests (node --test); the exit code is 1 when anything failed. For speed while developing:
// `npm test -- --only unit,integration` (phases: repo, unit, integration, e2e, run, faults, cluster);
// `npm run test:faults` is `--only faults`, `npm run test:cluster` is `--only cluster`;
// `--spec <pattern>` runs only the e2e/run/faults/cluster test files whose path matches it.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, getProfile, kafkaNodes } from '../infra/local/profiles.mjs';
import { isPortServed, stopWhenOrphaned } from '../infra/local/procs.mjs';
import { CONSOLE, appUrl, presentApps, readPackageJson, TEST_API_KEY } from './lib/apps.mjs';
import { appLogTail, startApp, stopApp, waitReady } from './lib/app-process.mjs';
import { failedStep, readJestReport, readNodeTestReport, summaryLines } from './lib/jest-report.mjs';
import { buildAll, installAll } from './lib/prepare.mjs';
import { runCommand, stopRunningCommands } from './lib/run.mjs';
import { c, say, seconds, step, tag, warn } from './lib/ui.mjs';

const PHASES = ['repo', 'unit', 'integration', 'e2e', 'run', 'faults', 'cluster'];
const MINUTE = 60 * 1000;
// Observability e2e (issue 5): the apps export their spans to an OTLP receiver the flow tests run
// on this port, in half-second batches; the tests read the apps' log files from reportDir.
const E2E_OTLP_PORT = 14318;
const E2E_APP_ENV = { JAEGER_ENDPOINT: `http://localhost:${E2E_OTLP_PORT}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: '500' };
const profile = getProfile('test');
const reportDir = profile.logDir;
const phases = parsePhases(process.argv.slice(2));
const specIndex = process.argv.indexOf('--spec');
/** Jest arguments narrowing the e2e package's suites to some files (`--spec <pattern>`). */
const specArgs = specIndex === -1 ? [] : [`--testPathPatterns=${process.argv[specIndex + 1] ?? ''}`];

/** @type {import('./lib/jest-report.mjs').SuiteResult[]} */
const results = [];
/** @type {Promise<import('../infra/local/stack.mjs').Stack> | undefined} */
let stackStarting;
/** @type {import('./lib/app-process.mjs').RunningApp[]} */
let runningApps = [];
let interrupted = false;
/** @type {Promise<void> | undefined} */
let finishing;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(c.yellow(`\n${signal}: stopping the tests`));
    stopRunningCommands();
    results.push(failedStep('interrupted', `stopped by ${signal}`));
    void finish();
  });
}
stopWhenOrphaned();

try {
  await main();
} catch (err) {
  results.push(failedStep('npm test', err.message));
}
await finish();

function parsePhases(argv) {
  const i = argv.indexOf('--only');
  if (i === -1) return new Set(PHASES);
  const wanted = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((p) => !PHASES.includes(p));
  if (wanted.length === 0 || unknown.length) {
    console.error(`--only takes a comma-separated list of: ${PHASES.join(', ')}`);
    process.exit(2);
  }
  return new Set(wanted);
}

async function main() {
  fs.mkdirSync(reportDir, { recursive: true });
  const apps = presentApps(warn);
  const installed = await step('install dependencies', installAll);
  // The event console too: the e2e tests run its build.
  const withConsole = readPackageJson(CONSOLE.dir)?.scripts?.build ? [...apps, CONSOLE] : apps;
  const builds = await step('build apps', () => buildAll(withConsole, { force: installed }));
  for (const b of builds.filter((x) => !x.ok)) results.push(failedStep(`build:${b.app.name}`, 'npm run build failed'));
  const built = builds.filter((b) => b.ok && b.app !== CONSOLE).map((b) => b.app);

  if (phases.has('repo')) await repoChecks();
  if (phases.has('unit')) {
    for (const app of apps) await jestSuite(`unit:${app.name}`, app.dir, ['test'], `${app.name}-unit`);
  }
  if (!interrupted && ['integration', 'e2e', 'run'].some((p) => phases.has(p))) await testStackPhases(apps, built);
  if (phases.has('integration') && !interrupted) await integrationWithoutStack(apps);
  if (phases.has('faults') && !interrupted) await faultSuite();
  if (phases.has('cluster') && !interrupted) await clusterSuite();
}

/**
 * Integration, end-to-end and ways-to-run tests, on the test stack started once for all three.
 * @param {import('./lib/apps.mjs').App[]} apps
 * @param {import('./lib/apps.mjs').App[]} built
 */
async function testStackPhases(apps, built) {
  const { startStack } = await import('../infra/local/stack.mjs');
  stackStarting = startStack('test', { log: (m) => say(`  ${m}`) });
  const stack = await step('start the test stack (Kafka + PostgreSQL)', () => stackStarting);
  const testEnv = { ...stack.env, NODE_ENV: 'test' };

  if (phases.has('integration')) {
    for (const app of apps.filter((a) => readPackageJson(a.dir)?.scripts?.['test:integration'])) {
      if (interrupted) return;
      await jestSuite(`integration:${app.name}`, app.dir, ['run', 'test:integration'], `${app.name}-integration`, {
        env: testEnv,
        extraArgs: ['--runInBand'],
        timeoutMs: 20 * MINUTE,
      });
    }
  }
  if (phases.has('e2e') && !interrupted) await endToEnd(built, testEnv);
  // After the e2e apps stopped: these tests start the apps themselves, the way the README says.
  if (phases.has('run') && !interrupted) {
    await jestSuite('run', 'e2e', ['run', 'test:run'], 'run', {
      env: { ...testEnv, API_KEY: TEST_API_KEY },
      timeoutMs: 30 * MINUTE, // start:cluster's run takes about 4 of them
    });
  }
}

/**
 * `npm run test:integration` in an app folder with no test stack running, as "Working on one
 * service" in the README gives it: Jest's global setup starts the test stack, its teardown stops
 * it. payment-service's, the shortest. The shared test stack is stopped first; when it was running
 * before npm test started, it is not ours to stop and this is skipped.
 * @param {import('./lib/apps.mjs').App[]} apps
 */
async function integrationWithoutStack(apps) {
  const app = apps.find((a) => a.name === 'payments');
  if (!app || !readPackageJson(app.dir)?.scripts?.['test:integration']) return;
  const suite = `integration:${app.name}, no stack running`;
  const stack = await stackStarting?.catch(() => undefined);
  if (stack && !stack.startedAny) {
    results.push({ suite, passed: 0, failed: 0, skipped: 1, note: 'the test stack ran before npm test: not stopped, so not run', ms: 0 });
    return;
  }
  stackStarting = undefined;
  if (stack) await step(`stop the test stack (${suite} starts its own)`, () => stack.stop());
  await jestSuite(suite, app.dir, ['run', 'test:integration'], `${app.name}-integration-alone`, { timeoutMs: 10 * MINUTE });
  const ports = [...kafkaNodes(profile).map((n) => n.port), ...profile.postgres.map((p) => p.port)];
  const left = [];
  for (const port of ports) if (await isPortServed(port)) left.push(port);
  const ok = left.length === 0;
  results.push({ suite: `${suite}: stack stopped after`, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, note: ok ? '' : `still served: ${left.join(', ')}`, ms: 0 });
  say(`${ok ? c.green('✓') : c.red('✗')} ${suite}: ${ok ? 'nothing left running' : `ports still served: ${left.join(', ')}`}`);
}

/**
 * e2e/faults: a stack of its own (faults profile: Kafka 9098, PostgreSQL 5444/5445/5447) and its own
 * runs of the four built apps (4401-4405), which it stops, kills and restarts. The test stack is
 * stopped first: the suite measures recovery times and memory, and the machine has two cores.
 */
async function faultSuite() {
  if (!readPackageJson('e2e')) return results.push(failedStep('faults', 'e2e/package.json missing'));
  const stack = await stackStarting?.catch(() => undefined);
  stackStarting = undefined;
  if (stack?.startedAny) await step('stop the test stack (the fault suite brings its own)', () => stack.stop());
  await jestSuite('faults', 'e2e', ['run', 'test:faults'], 'faults', { timeoutMs: 20 * MINUTE });
}

/**
 * e2e/cluster: the cluster profile (3 Kafka brokers, 2 instances of every built app, nginx on
 * 3005), started once by the suite and broken under steady load. Alone on the machine like the
 * fault suite: the test stack, if this run started it, is stopped first.
 */
async function clusterSuite() {
  if (!readPackageJson('e2e')) return results.push(failedStep('cluster', 'e2e/package.json missing'));
  const stack = await stackStarting?.catch(() => undefined);
  stackStarting = undefined;
  if (stack?.startedAny) await step('stop the test stack (the cluster suite brings its own)', () => stack.stop());
  await jestSuite('cluster', 'e2e', ['run', 'test:cluster'], 'cluster', { timeoutMs: 20 * MINUTE });
}

async function repoChecks() {
  if (!readPackageJson('e2e')) return results.push(failedStep('repo', 'e2e/package.json missing'));
  await jestSuite('repo', 'e2e', ['run', 'test:repo'], 'repo');
  await benchTests();
}

/**
 * The tests of the repo's scripts and of the bench (node --test, node built-ins only: no install,
 * no stack): npm test's own counting, the bench's figures and report, and `npm run bench -- --check`
 * on the committed results.
 */
async function benchTests() {
  const files = ['scripts/lib', 'bench/test']
    .filter((d) => fs.existsSync(path.join(REPO_ROOT, d)))
    .flatMap((d) => fs.readdirSync(path.join(REPO_ROOT, d)).filter((f) => f.endsWith('.test.mjs')).map((f) => path.join(d, f)));
  if (interrupted || !files.length) return;
  const tapFile = path.join(reportDir, 'bench-tests.tap');
  fs.rmSync(tapFile, { force: true });
  const t0 = Date.now();
  say(c.bold('→ scripts+bench'));
  const { code } = await runCommand(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
    { cwd: REPO_ROOT, prefix: tag('scripts+bench'), timeoutMs: 5 * MINUTE },
  );
  const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'utf8') : '';
  const result = readNodeTestReport('scripts+bench', tap, code, Date.now() - t0);
  results.push(result);
  say(`${result.failed ? c.red('✗') : c.green('✓')} scripts+bench: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped ${c.dim(`(${seconds(result.ms)})`)}`);
}

/**
 * The built apps on their test ports against the test stack, then the e2e package's flow tests.
 * @param {import('./lib/apps.mjs').App[]} apps
 * @param {Record<string, string>} testEnv
 */
async function endToEnd(apps, testEnv) {
  const busy = [];
  for (const app of apps) if (await isPortServed(app.testPort)) busy.push(app);
  for (const app of busy) results.push(failedStep(`e2e:${app.name}`, `port ${app.testPort} is already in use`));
  const toStart = apps.filter((a) => !busy.includes(a));
  const ready = [];
  await step(`start apps for end-to-end tests (${toStart.map((a) => a.name).join(', ') || 'none'})`, async () => {
    runningApps = toStart.map((app) => startApp(app, 'test', { logDir: reportDir, extraEnv: E2E_APP_ENV }));
    await Promise.all(
      runningApps.map(async (r) => {
        try {
          await waitReady(r, 'test', 90000);
          ready.push(r.app);
        } catch (err) {
          results.push(failedStep(`e2e:${r.app.name}`, err.message));
          say(c.red(`${err.message}. Last lines of ${path.relative(REPO_ROOT, r.logFile)}:`));
          say(appLogTail(r));
        }
      }),
    );
  });
  if (!interrupted) {
    const url = (name) => (ready.some((a) => a.name === name) ? appUrl(apps.find((a) => a.name === name), 'test') : '');
    await jestSuite('e2e', 'e2e', ['run', 'test:flow'], 'e2e-flow', {
      env: {
        ...testEnv,
        E2E_APPS: ready.map((a) => a.name).join(','),
        E2E_OTLP_PORT: String(E2E_OTLP_PORT),
        E2E_LOG_DIR: reportDir,
        // The key the services were started with: the security tests start a gateway of their own.
        API_KEY: TEST_API_KEY,
        GATEWAY_URL: url('gateway'),
        USER_SERVICE_URL: url('users'),
        ORDER_SERVICE_URL: url('orders'),
        PAYMENT_SERVICE_URL: url('payments'),
      },
      extraArgs: ['--runInBand'],
      timeoutMs: 15 * MINUTE,
    });
    if (ready.length === apps.length) await benchSmoke();
  }
  await step('stop apps', () => Promise.all(runningApps.map(stopApp)));
  runningApps = [];
}

/**
 * A seconds-long run of `npm run bench` against the apps and stack of the end-to-end tests, so the
 * benchmark harness cannot rot (the full bench is `npm run bench`, not part of `npm test`).
 */
async function benchSmoke() {
  if (interrupted || !fs.existsSync(path.join(REPO_ROOT, 'bench', 'run.mjs'))) return;
  const t0 = Date.now();
  const out = path.join(reportDir, 'bench-smoke');
  say(c.bold('→ bench:smoke'));
  const { code } = await runCommand(process.execPath, ['bench/run.mjs', '--smoke', '--profile', 'test', '--out', out], {
    cwd: REPO_ROOT,
    env: { ...process.env, API_KEY: TEST_API_KEY },
    prefix: tag('bench:smoke'),
    timeoutMs: 5 * MINUTE,
  });
  const ok = code === 0;
  const note = ok ? '' : `exit ${code}: the bench could not measure (${path.relative(REPO_ROOT, out)}/latest.md)`;
  results.push({ suite: 'bench:smoke', passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, note, ms: Date.now() - t0 });
  say(`${ok ? c.green('✓') : c.red('✗')} bench:smoke ${c.dim(`(${seconds(Date.now() - t0)})`)}`);
}

/**
 * Runs one Jest suite through an npm script with a JSON report, streaming its output.
 * @param {string} suite
 * @param {string} dir folder relative to the repo
 * @param {string[]} npmArgs
 * @param {string} reportName
 * @param {{ env?: Record<string, string>, extraArgs?: string[], timeoutMs?: number }} [opts]
 */
async function jestSuite(suite, dir, npmArgs, reportName, opts = {}) {
  if (interrupted) return;
  const reportFile = path.join(reportDir, `${reportName}.json`);
  fs.rmSync(reportFile, { force: true });
  const t0 = Date.now();
  say(c.bold(`→ ${suite}`));
  const narrowed = dir === 'e2e' && suite !== 'repo' ? specArgs : [];
  const args = ['--silent', ...npmArgs, '--', '--json', `--outputFile=${reportFile}`, ...(opts.extraArgs ?? []), ...narrowed];
  const { code } = await runCommand('npm', args, {
    cwd: path.join(REPO_ROOT, dir),
    env: { ...process.env, ...opts.env },
    prefix: tag(suite),
    timeoutMs: opts.timeoutMs ?? 10 * MINUTE,
  });
  const result = readJestReport(suite, reportFile, code, Date.now() - t0, REPO_ROOT);
  results.push(result);
  const mark = result.failed ? c.red('✗') : c.green('✓');
  say(`${mark} ${suite}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped ${c.dim(`(${seconds(result.ms)})`)}`);
}

function finish() {
  finishing ??= (async () => {
    await Promise.all(runningApps.map(stopApp));
    const stack = await stackStarting?.catch(() => undefined);
    if (stack?.startedAny) await step('stop the test stack', () => stack.stop()).catch(() => {});
    printSummary();
  })();
  return finishing;
}

function printSummary() {
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const [withSkipped, last] = summaryLines(results);
  // Again at the end, where a long log's tail shows it: what failed and the head of why.
  const failures = results.flatMap((r) => (r.failures ?? []).map((f) => `  ${c.red('✗')} [${r.suite}] ${f}`));
  if (failures.length) say(`${c.bold('\nfailures')}\n${failures.join('\n')}`);
  say(c.bold('\nresults'));
  const width = Math.max(0, ...results.map((r) => r.suite.length));
  for (const r of results) {
    const mark = r.failed ? c.red('✗') : c.green('✓');
    const time = r.ms ? c.dim(` (${seconds(r.ms)})`) : '';
    say(`  ${mark} ${r.suite.padEnd(width)}  ${r.passed} passed, ${r.failed} failed, ${r.skipped ?? 0} skipped${time}${r.note ? `  ${c.yellow(r.note)}` : ''}`);
  }
  if (results.length === 0) say('  (nothing ran)');
  console.log(withSkipped);
  // The last line, read by CI: keep it exactly this shape and last.
  console.log(last);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}
