// Installs a folder's npm dependencies when they are missing or its lockfile changed since the last
// install. No dependencies (it is what installs them). Used by the scripts and by jest-infra.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

const MARKER = '.nest-ms-lock.sha256';
const INSTALL_TIMEOUT_MS = 10 * 60 * 1000;

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * Why `dir` needs an install, or '' when its node_modules match its lockfile.
 * @param {string} dir
 */
export function installReason(dir) {
  const lock = path.join(dir, 'package-lock.json');
  const modules = path.join(dir, 'node_modules');
  if (!fs.existsSync(modules)) return 'node_modules missing';
  if (!fs.existsSync(lock)) return ''; // nothing to compare with; `npm install` by hand owns it
  const marker = path.join(modules, MARKER);
  const hash = sha256(lock);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === hash) return '';
  // Installed by hand (`npm install`): npm's hidden lockfile is at least as new as the lockfile.
  const hidden = path.join(modules, '.package-lock.json');
  if (fs.existsSync(hidden) && fs.statSync(hidden).mtimeMs >= fs.statSync(lock).mtimeMs) {
    fs.writeFileSync(marker, hash + '\n');
    return '';
  }
  return 'package-lock.json changed';
}

/**
 * Runs `npm ci` (or `npm install` where no lockfile exists yet) if needed.
 * @param {string} dir
 * @param {{ log?: (m: string) => void, label?: string }} [opts] label: how the folder is named in messages
 * @returns {Promise<boolean>} true when it installed
 */
export async function ensureInstalled(dir, opts = {}) {
  const reason = installReason(dir);
  if (!reason) return false;
  const hasLock = fs.existsSync(path.join(dir, 'package-lock.json'));
  const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  opts.log?.(`${opts.label ?? path.basename(dir)}: npm ${args[0]} (${reason})`);
  const { code, output } = await runNpm(args, dir);
  if (code !== 0) {
    throw new Error(`npm ${args[0]} failed in ${dir} (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}`);
  }
  if (hasLock) {
    // A package without dependencies gets no node_modules from npm: create it to hold the marker.
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', MARKER), sha256(path.join(dir, 'package-lock.json')) + '\n');
  }
  return true;
}

/** npm's output is kept for the error message; a hung install is killed. */
function runNpm(args, cwd) {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.on('error', (err) => keep(`\n${err.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `signal ${signal}`, output });
    });
  });
}
