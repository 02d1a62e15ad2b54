#!/usr/bin/env node
// Run by a service's `npm run start:dev` / `start:debug` before the watcher: makes sure the dev
// Kafka and PostgreSQL are up, starting them in the background when they are not, then exits so the
// watcher can start. They keep running after the watcher stops (restarting them on every save would
// be slow): `npm run infra:stop` at the repo root stops them.
// When the environment names the infrastructure (KAFKA_BROKER, DB_HOST, DB_PORT), it is the user's:
// nothing is started and the app connects where they said.
import path from 'node:path';
import { ensureInstalled } from '../infra/local/install.mjs';
import { REPO_ROOT } from '../infra/local/profiles.mjs';

const app = process.argv[2] ?? 'app';
const say = (m) => console.log(`[dev-deps:${app}] ${m}`);
const INFRA_VARIABLES = ['KAFKA_BROKER', 'DB_HOST', 'DB_PORT'];

const given = INFRA_VARIABLES.filter((name) => process.env[name]);
if (given.length > 0) {
  say(`using ${given.map((name) => `${name}=${process.env[name]}`).join(', ')} from the environment; not starting the dev stack`);
  process.exit(0);
}
try {
  await ensureInstalled(path.join(REPO_ROOT, 'infra', 'local'), { log: say });
  const { startStack } = await import('../infra/local/stack.mjs');
  const stack = await startStack('dev', { log: say, keepRunning: true });
  if (stack.startedAny) say('started in the background; stop with `npm run infra:stop` at the repo root');
  else say('Kafka and PostgreSQL already running');
  process.exit(0);
} catch (err) {
  say(`failed: ${err.message}`);
  process.exit(1);
}
