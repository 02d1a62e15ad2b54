// Servers recorded in a profile's pid files that still run: left by a run that was killed with
// SIGKILL, or kept on purpose. No dependencies, so `npm run reset` can use it before any install.
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES, runDir } from './profiles.mjs';
import { ownLiveProcess, removePidFile, stopPid } from './procs.mjs';

/**
 * @param {import('./profiles.mjs').Profile} profile
 * @returns {{ name: string, pid: number, ownerAlive: boolean, pidFile: string }[]}
 */
export function liveServers(profile) {
  const dir = runDir(profile);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .flatMap((f) => {
      const pidFile = path.join(dir, f);
      const live = ownLiveProcess(pidFile);
      return live ? [{ name: f.replace(/\.pid$/, ''), pidFile, ...live }] : [];
    });
}

/** Every profile's live servers, with the profile name. */
export function allLiveServers() {
  return Object.values(PROFILES).flatMap((p) => liveServers(p).map((s) => ({ profile: p.name, ...s })));
}

/**
 * Stops a profile's leftover servers (verified ours through their command line), Kafka first.
 * @param {import('./profiles.mjs').Profile} profile
 * @param {(m: string) => void} log
 */
export async function stopLeftovers(profile, log) {
  const servers = liveServers(profile);
  const kafka = servers.filter((s) => s.name === 'kafka');
  const postgres = servers.filter((s) => s.name !== 'kafka');
  const stop = async (s, signal) => {
    log(`stopping ${s.name} (pid ${s.pid})`);
    await stopPid(s.pid, { signal, timeoutMs: 20000, name: s.name, log });
    removePidFile(s.pidFile);
  };
  await Promise.all(kafka.map((s) => stop(s, 'SIGTERM')));
  await Promise.all(postgres.map((s) => stop(s, 'SIGINT')));
  return servers.length;
}
