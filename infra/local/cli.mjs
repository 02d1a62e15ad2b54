#!/usr/bin/env node
// The local stack on its own:
//   node infra/local/cli.mjs up [dev|test|cluster]    start (or reuse) it, in the foreground until Ctrl+C
//   node infra/local/cli.mjs status [profile]         what of ours runs (from the pid files): every
//                                                     profile (dev, test, bench, faults, cluster) unless one is named
//   node infra/local/cli.mjs stop [profile] [--force] stop what killed runs left behind; what a live
//                                                     run still owns is named and left alone, unless --force
// Handy while running one service with `npm run start:dev` in its folder.
import path from 'node:path';
import { ensureInstalled } from './install.mjs';
import { liveServers, stopLeftovers } from './leftovers.mjs';
import { stopWhenOrphaned } from './procs.mjs';
import { PROFILES, REPO_ROOT, getProfile } from './profiles.mjs';

const USAGE = [
  'usage: npm run infra | npm run infra:test               the dev or the test stack, until Ctrl+C',
  '       npm run infra:status [-- <profile>]               what of ours runs',
  '       npm run infra:stop [-- <profile>] [--force]       stop what killed runs left',
  `       profiles: ${Object.keys(PROFILES).join(', ')}; or node infra/local/cli.mjs up|status|stop [profile] [--force]`,
].join('\n');
const { command, profileName, force } = parseArgs(process.argv.slice(2));
const profiles = profileName ? [getProfile(profileName)] : Object.values(PROFILES);
const sayFor = (profile) => (m) => console.log(`[stack:${profile.name}] ${m}`);

if (command === 'status') {
  let any = false;
  for (const profile of profiles) {
    for (const s of liveServers(profile)) {
      any = true;
      const whose = s.ownerAlive ? `its run (pid ${s.owner}) is still active` : 'left running';
      sayFor(profile)(`${s.name} pid ${s.pid} (${whose})`);
    }
  }
  if (!any) console.log(`[stack] nothing of ours runs (${profiles.map((p) => p.name).join(', ')})`);
} else if (command === 'stop') {
  let stopped = 0;
  let spared = 0;
  for (const profile of profiles) {
    const result = await stopLeftovers(profile, sayFor(profile), { force });
    stopped += result.stopped;
    spared += result.spared.length;
  }
  const tail = spared ? `; left ${spared} that live runs own` : '';
  console.log(`[stack] ${stopped ? `stopped ${stopped} process(es)` : 'nothing to stop'}${tail}`);
} else {
  await up(getProfile(profileName ?? 'dev'));
}

/**
 * The command, its profile and --force (stop only); anything else is one line naming it, the
 * usage and exit code 2, before anything is looked at or stopped.
 * @param {string[]} args
 */
function parseArgs(args) {
  const refuse = (problem) => {
    console.error(`${problem}\n${USAGE}`);
    process.exit(2);
  };
  const [command = 'up', profileName, extra] = args.filter((a) => !a.startsWith('-'));
  if (!['up', 'status', 'stop'].includes(command)) refuse(`unknown command "${command}"`);
  for (const flag of args.filter((a) => a.startsWith('-'))) {
    if (flag !== '--force' || command !== 'stop') refuse(`unknown option "${flag}" for ${command}`);
  }
  if (extra !== undefined) refuse(`unexpected argument "${extra}"`);
  if (profileName !== undefined && !(profileName in PROFILES)) {
    refuse(`unknown stack profile "${profileName}" (expected ${Object.keys(PROFILES).join(', ')})`);
  }
  return { command, profileName, force: args.includes('--force') };
}

/** @param {import('./profiles.mjs').Profile} profile */
async function up(profile) {
  const say = sayFor(profile);
  await ensureInstalled(path.join(REPO_ROOT, 'infra', 'local'), { log: say });
  const { startStack, describeStack } = await import('./stack.mjs');
  const t0 = Date.now();
  const starting = startStack(profile.name);
  // Handlers first: a Ctrl+C during start-up waits for the start to settle, then stops it all.
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    const stack = await starting.catch(() => undefined);
    const t1 = Date.now();
    await stack?.stop();
    say(`stopped in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    process.exit(0);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => void stop(s));
  stopWhenOrphaned();

  const stack = await starting.catch((err) => {
    say(`failed: ${err.message}`);
    process.exit(1);
  });
  if (stopping) return;
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const [label, text] of describeStack(stack)) console.log(`  ${label.padEnd(11)} ${text}`);
  console.log('Ctrl+C stops what was started here.');
  setInterval(() => {}, 1 << 30); // stay alive until a signal
}
