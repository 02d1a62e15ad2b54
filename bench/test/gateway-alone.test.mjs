// `node bench/gateway-alone.mjs` as the README runs it: each proxy in turn, in front of its
// in-memory upstream, prints one JSON line with the proxy's CPU per request and no errors.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = path.join(ROOT, 'bench', 'gateway-alone.mjs');

// Enough requests for CPU time to show at /proc's 10 ms resolution (nginx spends ~20 µs on one).
function measure(...args) {
  const out = execFileSync(process.execPath, [SCRIPT, '--requests', '3000', '--rounds', '1', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  return JSON.parse(out.trim().split('\n').at(-1));
}

describe('bench/gateway-alone.mjs', () => {
  for (const route of ['get-user', 'post-order']) {
    it(`measures the least a Node proxy spends (--proxy floor, ${route})`, () => {
      const r = measure('--proxy', 'floor', '--route', route);
      assert.equal(r.proxy, 'floor');
      assert.equal(r.errors, 0);
      assert.ok(r.cpuUsPerRequest > 0, JSON.stringify(r));
    });
  }

  it('measures nginx in the same place (--proxy nginx)', () => {
    if (spawnSync('nginx', ['-v']).error) throw new Error('nginx is not installed: apt-get install nginx-light');
    const r = measure('--proxy', 'nginx');
    assert.equal(r.errors, 0);
    assert.ok(r.cpuUsPerRequest > 0, JSON.stringify(r));
  });

  it('measures the built gateway (npm test builds it first)', () => {
    if (!fs.existsSync(path.join(ROOT, 'api-gateway', 'dist', 'main.js'))) throw new Error('api-gateway is not built: npm run build in api-gateway');
    const r = measure('--route', 'post-order', 'AUTH_ENABLED=true');
    assert.equal(r.proxy, 'gateway');
    assert.equal(r.settings, 'AUTH_ENABLED=true');
    assert.equal(r.errors, 0);
    assert.ok(r.cpuUsPerRequest > 0 && r.readyAfterSpawnMs > 0, JSON.stringify(r));
  });
});
