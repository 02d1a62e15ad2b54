#!/usr/bin/env node
// `npm run dlq -- list|show|redrive ...`: the event console's dead-letter commands in a terminal.
// Installs and builds infra/console when needed (progress on stderr, so --json output stays clean),
// then runs its CLI against KAFKA_BROKER (default: the dev stack's localhost:9094).
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ensureInstalled } from '../infra/local/install.mjs';
import { REPO_ROOT } from '../infra/local/profiles.mjs';
import { CONSOLE, appPath } from './lib/apps.mjs';
import { buildReason } from './lib/prepare.mjs';

const dir = path.join(REPO_ROOT, CONSOLE.dir);
const log = (m) => process.stderr.write(`${m}\n`);
await ensureInstalled(dir, { log, label: CONSOLE.dir });
const stale = buildReason(CONSOLE);
if (stale) {
  log(`${CONSOLE.dir}: building (${stale})`);
  const startedAt = new Date();
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: ['ignore', 2, 2] });
  if (build.status !== 0 || !fs.existsSync(appPath(CONSOLE, 'dist', 'cli.js'))) {
    log(`${CONSOLE.dir}: build failed`);
    process.exit(1);
  }
  const stamp = path.join(REPO_ROOT, '.cache', 'builds', `${CONSOLE.dir}.stamp`);
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, `${startedAt.toISOString()}\n`);
  fs.utimesSync(stamp, startedAt, startedAt);
}
const child = spawn(process.execPath, [appPath(CONSOLE, 'dist', 'cli.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
