#!/usr/bin/env node
// `npm run bench` (repo root): how fast and how costly the system is, measured side by side with
// the limits of the same machine → bench/results/latest.md (+ raw JSON in bench/results/raw/).
//   npm run bench                         full run on the bench profile (~10 min on 2 cores)
//   npm run bench -- --only gateway,chain some sections (producer, gateway, chain, footprint)
//   npm run bench -- --profile dev        measure a running `npm start` instead (apps are reused)
//   node bench/run.mjs --smoke --out DIR  seconds-long run against what runs (`npm test` uses it)
//   npm run bench -- --check [--dir DIR]  recompute the committed report from its JSON; exit 1 on a
//                                         mismatch, naming the figure (needs nothing running)
// Exit code 1 only when something could not be measured; a missed target is a result, not a failure.
// Only node: built-ins before the install: this file is what installs the bench's dependencies.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from '../infra/local/install.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const say = (m) => console.log(`[bench] ${m}`);
const argv = process.argv.slice(2);
try {
  if (argv.includes('--check')) {
    // Node built-ins only: no install, no stack.
    const { runCheck } = await import('./lib/check.mjs');
    const i = argv.indexOf('--dir');
    const unknown = argv.filter((a, j) => a !== '--check' && !(i !== -1 && (j === i || j === i + 1)));
    if (unknown.length) throw new Error(`--check takes only --dir DIR (got ${unknown.join(' ')})`);
    process.exitCode = runCheck(i === -1 ? path.join(here, 'results') : path.resolve(argv[i + 1]), say);
  } else {
    await runBench();
  }
} catch (err) {
  say(`could not measure: ${err.message}`);
  process.exitCode = 1;
}

async function runBench() {
  await ensureInstalled(here, { log: say, label: 'bench' });
  await ensureInstalled(path.join(here, '..', 'infra', 'local'), { log: say, label: 'infra/local' });
  const { main } = await import('./lib/main.mjs');
  process.exitCode = await main(argv);
}
// Pools, timers or a half-closed Kafka client must not keep a finished run alive.
setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
