// Test infrastructure for the apps' Jest globalSetup/globalTeardown:
//
//   // <app>/test/global-setup.mjs
//   export default async () => (await import('../../infra/local/jest-infra.mjs')).globalSetup();
//   // <app>/test/global-teardown.mjs
//   export default async () => (await import('../../infra/local/jest-infra.mjs')).globalTeardown();
//
// globalSetup starts the **test** profile (or reuses it when already reachable, e.g. under
// `npm test`, which starts it once for every app), then exports the connection settings through
// process.env, which Jest's workers inherit. globalTeardown stops only what globalSetup started.
import path from 'node:path';
import { ensureInstalled } from './install.mjs';
import { REPO_ROOT, getProfile, infraEnv } from './profiles.mjs';

const STATE = Symbol.for('nest-ms.jest-infra.stack');

/** The variables the tests read; set before any test file runs. */
export function testEnv() {
  return infraEnv(getProfile('test'));
}

/**
 * Starts or reuses the test stack and sets process.env:
 * DB_HOST, DB_USERNAME, DB_PASSWORD, KAFKA_BROKER, TEST_DB_PORT_{USERS,ORDERS,PAYMENTS},
 * TEST_DB_NAME_{USERS,ORDERS,PAYMENTS}.
 */
export async function globalSetup() {
  const log = (m) => process.stderr.write(`[test-infra] ${m}\n`);
  await ensureInstalled(path.join(REPO_ROOT, 'infra', 'local'), { log });
  const { startStack } = await import('./stack.mjs');
  const t0 = Date.now();
  const stack = await startStack('test', { log });
  if (stack.startedAny) log(`test stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  Object.assign(process.env, stack.env);
  globalThis[STATE] = stack;
  if (stack.startedAny) stopOnSignals(stack, log);
}

/** Stops what globalSetup started (nothing when it reused a running stack). */
export async function globalTeardown() {
  const stack = globalThis[STATE];
  globalThis[STATE] = undefined;
  if (stack) await stack.stop();
}

// Jest itself dies on Ctrl+C without running globalTeardown; our servers run detached, so stop
// them here first.
function stopOnSignals(stack, log) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      log(`${signal}: stopping the test stack`);
      await stack.stop().catch(() => {});
      process.exit(130);
    });
  }
}
