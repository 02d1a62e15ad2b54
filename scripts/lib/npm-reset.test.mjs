// `npm run reset`, run as the README says, in a copy of the repo's scripts (so no test ever wipes
// the data of the checkout it runs in): it wipes every profile's data, and refuses while a server
// of ours still runs on it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A folder holding what `npm run reset` runs: the root package.json, the script, infra/local's modules. */
function scratchRepo() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-reset-'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(REPO, 'scripts', 'reset.mjs'), path.join(root, 'scripts', 'reset.mjs'));
  fs.mkdirSync(path.join(root, 'infra', 'local'), { recursive: true });
  for (const f of fs.readdirSync(path.join(REPO, 'infra', 'local')).filter((f) => f.endsWith('.mjs'))) {
    fs.copyFileSync(path.join(REPO, 'infra', 'local', f), path.join(root, 'infra', 'local', f));
  }
  return root;
}

function npmRunReset(cwd, ...args) {
  const { PATH, HOME } = process.env;
  return spawnSync('npm', ['run', 'reset', ...args], { cwd, env: { PATH, HOME }, encoding: 'utf8', timeout: 60000 });
}

describe('npm run reset', () => {
  const roots = [];
  const children = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  it("wipes every profile's databases and Kafka storage, and says so", () => {
    const root = scratchRepo();
    roots.push(root);
    for (const dir of ['.data/dev/postgres-users', '.data/dev/kafka', '.data/test/postgres-orders']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      fs.writeFileSync(path.join(root, dir, 'PG_VERSION'), '17\n');
    }

    const run = npmRunReset(root);

    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /removed \.data\/.*the next `npm start` starts empty/);
    assert.equal(fs.existsSync(path.join(root, '.data')), false);
    assert.match(npmRunReset(root).stdout, /nothing to reset: \.data\/ does not exist/);
  });

  it('refuses any argument (it takes none), naming it, and removes nothing', () => {
    const root = scratchRepo();
    roots.push(root);
    fs.mkdirSync(path.join(root, '.data', 'dev', 'kafka'), { recursive: true });

    const run = npmRunReset(root, '--', '--profile', 'test');

    assert.equal(run.status, 2);
    assert.match(run.stderr, /npm run reset takes no arguments \(got --profile test\): .*nothing was removed/);
    assert.equal(fs.existsSync(path.join(root, '.data', 'dev', 'kafka')), true);
  });

  it('refuses while a server of ours runs on the data, naming it, and removes nothing', async () => {
    const root = scratchRepo();
    roots.push(root);
    const marker = `kafka-server-start-${path.basename(root)}`;
    const server = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', marker], { stdio: 'ignore' });
    children.push(server);
    await new Promise((resolve) => server.once('spawn', resolve));
    const runDir = path.join(root, '.data', 'dev', 'run');
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'kafka.pid'), `${JSON.stringify({ pid: server.pid, marker, owner: 1, startedAt: new Date().toISOString() })}\n`);

    const run = npmRunReset(root);

    assert.equal(run.status, 1);
    assert.match(run.stdout, /stop them first/);
    assert.match(run.stdout, new RegExp(`dev/kafka\\s+pid ${server.pid}`));
    assert.equal(fs.existsSync(path.join(runDir, 'kafka.pid')), true);
  });
});
