#!/usr/bin/env node
// The local stack on its own:
//   node infra/local/cli.mjs up [dev|test]      start (or reuse) it, in the foreground until Ctrl+C
//   node infra/local/cli.mjs status [dev|test]  which of our servers run (from the pid files)
//   node infra/local/cli.mjs stop [dev|test]    stop servers a killed run left behind
// Handy while running one service with `npm run start:dev` in its folder.
import path from 'node:path';
import { ensureInstalled } from './install.mjs';
import { liveServers, stopLeftovers } from './leftovers.mjs';
import { stopWhenOrphaned } from './procs.mjs';
import { REPO_ROOT, getProfile } from './profiles.mjs';

const [command = 'up', profileName = 'dev'] = process.argv.slice(2);
const profile = getProfile(profileName);
const say = (m) => console.log(`[stack:${profile.name}] ${m}`);

if (command === 'status') {
  const servers = liveServers(profile);
  if (servers.length === 0) say('none of our servers runs');
  for (const s of servers) say(`${s.name} pid ${s.pid}${s.ownerAlive ? ' (its run is still active)' : ' (left running)'}`);
} else if (command === 'stop') {
  const n = await stopLeftovers(profile, say);
  say(n ? `stopped ${n} server(s)` : 'nothing to stop');
} else if (command === 'up') {
  await up();
} else {
  console.error(`usage: node infra/local/cli.mjs up|status|stop [dev|test]`);
  process.exit(2);
}

async function up() {
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
