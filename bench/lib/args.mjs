// The arguments of `npm run bench` (bench/run.mjs passes them on). Node built-ins only: the tests
// read this before the bench's dependencies are installed.

export const SECTIONS = ['producer', 'gateway', 'idle', 'chain', 'tracing', 'auth', 'footprint'];
/** Run only when asked for (`--only pipeline`): the event pipeline alone, also part of `chain`. */
export const EXTRA_SECTIONS = ['pipeline'];

export function parseArgs(argv) {
  const args = { smoke: false, noBuild: false, nice: -5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--smoke') args.smoke = true;
    else if (a === '--no-build') args.noBuild = true;
    else if (a === '--profile') args.profile = argv[++i];
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--only') args.only = argv[++i].split(',');
    else if (a === '--nice') args.nice = Number(argv[++i]);
    else if (a === '--cpu-prof') args.cpuProf = argv[++i].split(',');
    else if (a === '--option-rate') args.optionRate = positiveRate(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench [-- --profile bench|dev|test] [--only producer,gateway,idle,chain,tracing,auth,footprint,pipeline] [--out DIR] [--no-build] [--nice N (default -5)] [--cpu-prof gateway,users,...] [--option-rate N] [--smoke]\n' +
        '       --option-rate N: section 6 (tracing, auth) at N req/s for every setting, not at full speed\n' +
        '       npm run bench -- --check [--dir DIR]   recompute the report (DIR/latest.md, default bench/results) from its JSON; exit 1 naming each figure that differs');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (args.only) for (const s of args.only) if (!SECTIONS.includes(s) && !EXTRA_SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}`);
  if (args.smoke) {
    args.noBuild = true;
    if (!argv.includes('--nice')) args.nice = 0;
  }
  return args;
}

function positiveRate(text) {
  const rate = Number(text);
  if (!Number.isInteger(rate) || rate < 1) throw new Error(`--option-rate takes a whole number of requests per second (got ${text})`);
  return rate;
}
