// The report and `npm run bench -- --check`: the committed report recomputes from its committed
// data, and a figure changed in the report, or a sample changed in the data, is named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkReport } from '../lib/check.mjs';
import { FINDINGS_END, FINDINGS_START, figureTable, render, toRaw } from '../lib/report.mjs';
import { madeUpRun } from './made-up-run.mjs';

const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(BENCH, 'results');

const machine = { cpu: 'test', cores: 2, memoryGb: 1, kernel: 'k', node: 'v20', java: 'j', loadAverage: [0, 0, 0] };
const run = () => toRaw({ ...madeUpRun(), machine, tools: {}, errors: {} });

/** `npm run bench -- --check --dir dir`, as a user runs it. */
function check(dir) {
  const r = spawnSync(process.execPath, [path.join(BENCH, 'run.mjs'), '--check', '--dir', dir], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A copy of the committed results to tamper with. */
function committedCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-check-'));
  for (const f of ['latest.json', 'latest.md', 'before.json']) {
    if (fs.existsSync(path.join(RESULTS, f))) fs.copyFileSync(path.join(RESULTS, f), path.join(dir, f));
  }
  return dir;
}

describe('the report', () => {
  it('has every figure in its table with its target and verdict, and the before column says what an older run did not measure', () => {
    const md = figureTable(run(), { ...run(), sections: {} }).join('\n');
    const row = (label) => md.split('\n').find((l) => l.startsWith(`| ${label}`));
    assert.match(row('GET /api/users/:id: gateway ÷ direct, max throughput'), /\| \*\*60 %\*\* \| .* \| —, not measured \| ≥ 90 % of direct \| ❌ missed \|/);
    assert.match(row('PostgreSQL round trips per chain'), /\| \*\*11\.0\*\* \|/);
    assert.match(row('idle RSS gateway (after 30 s idle)'), /\*\*90 MB\*\* .*✅ met/);
    assert.match(row('idle RSS payments (after 30 s idle)'), /\*\*103 MB\*\* .*❌ missed/);
    assert.doesNotMatch(md, /\| 0 \/s \|/);
    assert.match(row('sign-ups through the gateway'), /—, not measured: no step of the search was steady/);
  });

  it('says how section 6 measured: a fixed rate in older runs, full speed after a warm-up since, or the rate asked for', () => {
    // Only the sections of section 6: the made-up run is not a whole one.
    const optionsOnly = () => {
      const r = run();
      for (const x of [r.sections.tracing, r.sections.auth]) x.settings = Object.fromEntries(Object.keys(x.runs).map((name) => [name, { SETTING: name }]));
      return { ...r, sections: { tracing: r.sections.tracing, auth: r.sections.auth } };
    };
    const older = render(optionsOnly(), undefined, '', 'latest.json');
    const raw = optionsOnly();
    for (const x of [raw.sections.tracing, raw.sections.auth]) {
      Object.assign(x, { fullSpeed: true, connections: 16, warmSeconds: 10, seconds: 4 });
      for (const runs of Object.values(x.runs)) for (const r of runs) r.rps = 1234;
    }
    const md = render(raw, undefined, '', 'latest.json');

    assert.match(older, /through the gateway at a fixed rate/);
    assert.match(md, /through the gateway at full speed \(closed loop, 16 connections, 4 s per run\).* after 10 s of the same load that is not counted/);
    assert.match(md, /\| tracing setting \| req\/s of each run \|/);
    assert.match(md, /\| on: SETTING=on \| 1234 \|/);

    const atRate = optionsOnly();
    for (const x of [atRate.sections.tracing, atRate.sections.auth]) Object.assign(x, { rate: 900, warmSeconds: 10, seconds: 4 });
    const rated = render(atRate, undefined, '', 'latest.json');
    assert.match(rated, /through the gateway at a fixed rate of 900 req\/s for every setting \(`--option-rate`: open loop, 4 s per run, after 10 s at full speed/);
    assert.match(rated, /\| tracing setting \| runs at 900 req\/s \(answered\/sent\) \|/);
  });

  it('keeps the latency samples, rounded, and drops the load generator\'s sample objects', () => {
    const raw = toRaw({ a: 1.23456789, samples: [{ status: 200 }], okMs: [0.1234567] });
    assert.deepEqual(raw, { a: 1.235, okMs: [0.123] });
  });
});

describe('npm run bench -- --check', () => {
  it('recomputes the committed report from its committed data', () => {
    const r = check(RESULTS);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /all alike/);
  });

  it('fails on a figure changed in the report, naming it', () => {
    const dir = committedCopy();
    const md = fs.readFileSync(path.join(dir, 'latest.md'), 'utf8');
    const row = md.split('\n').find((l) => l.startsWith('| GET /api/users/:id: gateway ÷ direct, max throughput |'));
    assert.ok(row, 'the committed report has the GET share figure');
    const tampered = row.replace(/\*\*(\d+) %\*\*/, (_, n) => `**${Number(n) + 1} %**`);
    assert.notEqual(tampered, row);
    fs.writeFileSync(path.join(dir, 'latest.md'), md.replace(row, tampered));
    const r = check(dir);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /MISMATCH figure "GET \/api\/users\/:id: gateway ÷ direct, max throughput"/);
  });

  it('fails on a raw sample changed in the data, naming the figure it moves', () => {
    const dir = committedCopy();
    const data = JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8'));
    // Every chain 5 ms slower: in its samples where the run kept them, else in its own p50.
    for (const x of data.sections.chain.low.runs) {
      if (x.latMs) x.latMs = x.latMs.map((v) => v + 5);
      else x.p50 += 5;
    }
    fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(data));
    const r = check(dir);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /MISMATCH figure "sign-up → paid p50/);
  });

  it('fails on a number changed in a detail table, naming its line', () => {
    const dir = committedCopy();
    const md = fs.readFileSync(path.join(dir, 'latest.md'), 'utf8');
    const line = md.split('\n').find((l) => /^\| direct \| \d+ \|/.test(l));
    fs.writeFileSync(path.join(dir, 'latest.md'), md.replace(line, line.replace(/^\| direct \| (\d+) \|/, (_, n) => `| direct | ${Number(n) + 1} |`)));
    const r = check(dir);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /MISMATCH line \d+ \(section "GET \/api\/users\/:id"\)/);
  });

  it('leaves the findings alone (prose edited after a run)', () => {
    const r = JSON.parse(fs.readFileSync(path.join(RESULTS, 'latest.json'), 'utf8'));
    const md = render(r, undefined, 'Some finding.', 'latest.json');
    assert.ok(md.includes(FINDINGS_START) && md.includes(FINDINGS_END));
    assert.deepEqual(checkReport({ run: r, markdown: md.replace('Some finding.', 'Another finding.') }), []);
  });
});

describe("the README's account of the committed run", () => {
  it('names the run latest.json holds: its commit and when it started (UTC)', () => {
    const readme = fs.readFileSync(path.join(BENCH, '..', 'README.md'), 'utf8');
    const quoted = readme.match(/The committed run \(2 cores, (\d{4}-\d\d-\d\d \d\d:\d\d), commit `([0-9a-f]{7,12})`/);
    assert.ok(quoted, 'README.md has no "The committed run (2 cores, <date>, commit `<sha>`" sentence');
    const run = JSON.parse(fs.readFileSync(path.join(RESULTS, 'latest.json'), 'utf8'));
    assert.equal(run.commit.slice(0, quoted[2].length), quoted[2]);
    assert.equal(run.startedAt.slice(0, 16).replace('T', ' '), quoted[1]);
  });
});
