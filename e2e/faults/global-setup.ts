// Brings up what every fault scenario runs against: a fresh `faults` stack (Kafka 9098, PostgreSQL
// 5444/5445/5447) and the four built apps on 4401/4402/4403/4405, all detached and recorded in pid
// files. global-teardown.ts stops them; so does a Ctrl+C (Jest skips its teardown then).
// FAULTS_KEEP=1 (teardown) and FAULTS_REUSE=1 (here) keep one system across runs while working on a scenario.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { APPS, AppName, LOG_DIR, REPO, appPid, ensureAllRunning, stackUp, startApp, stopAllApps, writeState } from './support/harness';

export default async function globalSetup(): Promise<void> {
  const say = (m: string) => process.stderr.write(`[faults] ${m}\n`);
  for (const name of Object.keys(APPS) as AppName[]) {
    const dist = path.join(REPO, APPS[name].dir, 'dist', 'main.js');
    if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: build the apps first (npm test / npm run test:faults do)`);
  }
  if (process.env.FAULTS_REUSE === '1' && (Object.keys(APPS) as AppName[]).every((n) => appPid(n))) {
    // While working on a scenario: reuse what FAULTS_KEEP=1 left running (data not wiped).
    say('FAULTS_REUSE=1: using the apps and servers left running');
    await ensureAllRunning();
    return;
  }
  await stopAllApps(); // an earlier run killed before its teardown
  fs.rmSync(path.join(LOG_DIR, 'measurements.json'), { force: true });
  for (const name of Object.keys(APPS)) fs.rmSync(path.join(LOG_DIR, `${name}.log`), { force: true });

  const t0 = Date.now();
  say('starting the faults stack (Kafka 9098, PostgreSQL 5444/5445/5447)');
  await stackUp();
  const stackStartMs = Date.now() - t0;
  stopOnSignals(say);

  const t1 = Date.now();
  await Promise.all((['users', 'orders', 'payments', 'gateway'] as AppName[]).map((n) => startApp(n)));
  const appsStartMs = Date.now() - t1;
  say(`stack ready in ${(stackStartMs / 1000).toFixed(1)} s, apps ready in ${(appsStartMs / 1000).toFixed(1)} s (logs in .logs/faults/)`);
  writeState({ startedAt: new Date().toISOString(), stackStartMs, appsStartMs });
}

/** Jest dies on Ctrl+C without its teardown: stop our detached apps and servers first. */
function stopOnSignals(say: (m: string) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the fault suite's apps and servers`);
      for (const name of Object.keys(APPS) as AppName[]) {
        const pid = appPid(name);
        if (pid) process.kill(pid, 'SIGKILL');
      }
      try {
        execFileSync(process.execPath, [path.join(__dirname, 'support', 'stack-ctl.mjs'), 'down'], { stdio: 'inherit', timeout: 60000 });
      } finally {
        process.exit(130);
      }
    });
  }
}
