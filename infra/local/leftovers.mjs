// Processes recorded in a profile's pid files that still run (Kafka, PostgreSQL, the apps, the
// bench's nginx): left by a run that was killed with SIGKILL, kept on purpose, or still owned by a
// live run. No dependencies, so `npm run reset` can use it before any install.
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES, runDir } from './profiles.mjs';
import { ownLiveProcess, removePidFile, stopPid } from './procs.mjs';

/**
 * @typedef {{ name: string, pid: number, owner: number, ownerAlive: boolean, pidFile: string }} LiveServer
 * @param {import('./profiles.mjs').Profile} profile
 * @returns {LiveServer[]}
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
 * Stops a profile's leftovers (verified ours through their command line) in the order a run stops
 * them: apps and nginx, then Kafka, then PostgreSQL. What a live run still owns is named and left
 * alone, unless `force`.
 * @param {import('./profiles.mjs').Profile} profile
 * @param {(m: string) => void} log
 * @param {{ force?: boolean }} [opts]
 * @returns {Promise<{ stopped: number, spared: LiveServer[] }>}
 */
export async function stopLeftovers(profile, log, opts = {}) {
  const servers = liveServers(profile);
  const spared = opts.force ? [] : servers.filter((s) => s.ownerAlive);
  const doomed = servers.filter((s) => !spared.includes(s));
  for (const s of spared) log(`left alone: ${s.name} (pid ${s.pid}), its run (pid ${s.owner}) is still active; --force stops it`);
  const stop = async (s, signal) => {
    log(`stopping ${s.name} (pid ${s.pid})`);
    await stopPid(s.pid, { signal, timeoutMs: 20000, name: s.name, log });
    removePidFile(s.pidFile);
  };
  // kafka, or kafka-1..3 in the cluster profile.
  const isKafka = (s) => /^kafka(-\d+)?$/.test(s.name);
  const isInfra = (s) => isKafka(s) || s.name.startsWith('postgres-');
  await Promise.all(doomed.filter((s) => !isInfra(s)).map((s) => stop(s, 'SIGTERM')));
  await Promise.all(doomed.filter(isKafka).map((s) => stop(s, 'SIGTERM')));
  // SIGINT is PostgreSQL's fast shutdown.
  await Promise.all(doomed.filter((s) => s.name.startsWith('postgres-')).map((s) => stop(s, 'SIGINT')));
  return { stopped: doomed.length, spared };
}
