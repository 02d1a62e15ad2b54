// Installing every package folder and building the apps, each only when needed.
import fs from 'node:fs';
import path from 'node:path';
import { ensureInstalled, installReason } from '../../infra/local/install.mjs';
import { REPO_ROOT } from '../../infra/local/profiles.mjs';
import { PACKAGE_DIRS, appPath } from './apps.mjs';
import { runCommand } from './run.mjs';
import { c, say, seconds, tag } from './ui.mjs';

const STAMPS = path.join(REPO_ROOT, '.cache', 'builds');
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.git']);

/**
 * `npm ci` in each folder whose node_modules are missing or stale, two at a time (2-core machines;
 * installs are mostly network and disk). Folders without package.json are skipped.
 * @returns {Promise<Set<string>>} folders that were installed now
 */
export async function installAll() {
  const dirs = PACKAGE_DIRS.filter((d) => fs.existsSync(path.join(REPO_ROOT, d, 'package.json')));
  const pending = dirs.filter((d) => installReason(path.join(REPO_ROOT, d)));
  for (const d of dirs.filter((x) => !pending.includes(x))) say(`  ${d}: up to date`);
  const installed = new Set();
  const queue = [...pending];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const t0 = Date.now();
      await ensureInstalled(path.join(REPO_ROOT, d), { log: (m) => say(`  ${m}`), label: d });
      say(`  ${d}: installed ${c.dim(`(${seconds(Date.now() - t0)})`)}`);
      installed.add(d);
    }
  };
  await Promise.all([worker(), worker()]);
  return installed;
}

/** Newest modification time under a folder (0 when it does not exist). */
function newestMtime(target) {
  if (!fs.existsSync(target)) return 0;
  const st = fs.statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder's mtime
  for (const entry of fs.readdirSync(target)) {
    if (!SKIP.has(entry)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/**
 * Why an app needs `npm run build`, or ''.
 * @param {import('./apps.mjs').App} app
 */
export function buildReason(app) {
  if (!fs.existsSync(appPath(app, 'dist', 'main.js'))) return 'dist/main.js missing';
  const stamp = path.join(STAMPS, `${app.dir}.stamp`);
  if (!fs.existsSync(stamp)) return 'no record of a build by these scripts';
  const inputs = ['src', 'package.json', 'package-lock.json', ...tsconfigs(app)].map((f) => appPath(app, f));
  inputs.push(path.join(REPO_ROOT, 'shared'));
  const newest = Math.max(...inputs.map(newestMtime));
  return newest > fs.statSync(stamp).mtimeMs ? 'sources changed since the last build' : '';
}

const tsconfigs = (app) => fs.readdirSync(appPath(app)).filter((f) => /^tsconfig.*\.json$/.test(f));

/**
 * Builds each app whose build is stale; one at a time (tsc is CPU-bound).
 * @param {import('./apps.mjs').App[]} apps
 * @param {{ force?: Set<string> }} [opts] force: app folders to build regardless (just installed)
 * @returns {Promise<{ app: import('./apps.mjs').App, ok: boolean }[]>}
 */
export async function buildAll(apps, opts = {}) {
  const results = [];
  for (const app of apps) {
    const reason = opts.force?.has(app.dir) ? 'dependencies installed' : buildReason(app);
    if (!reason) {
      say(`  ${app.dir}: build up to date`);
      results.push({ app, ok: true });
      continue;
    }
    const t0 = Date.now();
    say(`  ${app.dir}: npm run build (${reason})`);
    const startedAt = new Date();
    const { code } = await runCommand('npm', ['run', 'build', '--silent'], {
      cwd: appPath(app),
      prefix: tag(`build:${app.name}`),
      timeoutMs: 5 * 60 * 1000,
    });
    const ok = code === 0 && fs.existsSync(appPath(app, 'dist', 'main.js'));
    if (ok) {
      // Stamp with the time the build started: an edit made during the build still counts as newer.
      const stamp = path.join(STAMPS, `${app.dir}.stamp`);
      fs.mkdirSync(path.dirname(stamp), { recursive: true });
      fs.writeFileSync(stamp, `${startedAt.toISOString()}\n`);
      fs.utimesSync(stamp, startedAt, startedAt);
      say(`  ${app.dir}: built ${c.dim(`(${seconds(Date.now() - t0)})`)}`);
    } else {
      say(c.red(`  ${app.dir}: build failed (exit ${code}${code === 0 ? ', but no dist/main.js' : ''})`));
    }
    results.push({ app, ok });
  }
  return results;
}
