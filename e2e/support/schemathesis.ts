import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './repo';

/** Schemathesis 4 from PyPI, in a git-ignored venv of its own: nothing installed system-wide. */
const VENV = repoPath('.cache', 'schemathesis');
const ST = join(VENV, 'bin', 'st');
const SPEC = 'schemathesis>=4.32,<5';
const HOW = `python3 -m venv ${VENV} && ${join(VENV, 'bin', 'pip')} install '${SPEC}'`;

/** The `st` command, installed first when missing; a failure says how to install it by hand. */
export function schemathesis(): string {
  if (existsSync(ST)) return ST;
  mkdirSync(repoPath('.cache'), { recursive: true });
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', VENV]],
    [join(VENV, 'bin', 'pip'), ['install', '--quiet', SPEC]],
  ] as const) {
    const run = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (run.status !== 0) {
      const why = run.error?.message ?? run.stderr.trim().split('\n').slice(-3).join(' ');
      throw new Error(`cannot install Schemathesis (${cmd} ${args.join(' ')}: ${why}); needs Python 3.10+ with venv and PyPI access. By hand: ${HOW}`);
    }
  }
  return ST;
}

export interface StRun {
  code: number;
  output: string;
}

/**
 * `st run <document> --checks all` with a fixed seed: the same cases every run, so a failure is
 * reproducible with the printed command. Stateful links are followed in the stateful phase.
 */
export function runSchemathesis(document: string, headers: Record<string, string>, opts: { maxExamples?: number; reportDir: string }): StRun {
  const args = [
    'run', document,
    '--checks', 'all',
    '--seed', '20261130',
    '--max-examples', String(opts.maxExamples ?? 30),
    '--generation-deterministic',
    '--no-color',
    '--report', 'junit',
    '--report-dir', opts.reportDir,
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
  ];
  const run = spawnSync(schemathesis(), args, {
    encoding: 'utf8',
    timeout: 15 * 60_000,
    cwd: repoPath('e2e', 'contracts'),
    // e2e/contracts/hooks.py: a fresh key for each request that carries a valid Idempotency-Key.
    env: { ...process.env, SCHEMATHESIS_HOOKS: 'hooks' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: run.status ?? 1, output: `${run.stdout}\n${run.stderr}` };
}
