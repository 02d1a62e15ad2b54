// The figures of the report, computed from per-run records: each one from a small made-up run
// whose right answer is worked out by hand here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TARGETS, cpuPerChain, figures, formatValue, verdict } from '../lib/figures.mjs';
import { madeUpRun } from './made-up-run.mjs';

const byId = (r) => Object.fromEntries(figures(r).map((f) => [f.id, f]));

describe('figures', () => {
  const f = byId(madeUpRun());

  it('gateway ÷ direct: median of the gateway runs over median of the direct runs', () => {
    assert.equal(f['getUser.share'].value, 0.6);
    assert.equal(f['postOrder.share'].value, 0.6);
  });

  it('added latency at 10 %: median over rounds of the percentile differences, from the samples', () => {
    assert.equal(f['getUser.addedP50Low'].value, 1);
    assert.equal(f['getUser.addedP99Low'].value, 1);
  });

  it("gateway CPU per proxied request ÷ nginx's, and the service's CPU per direct request", () => {
    assert.ok(Math.abs(f['getUser.proxyCpu'].value - 5) < 1e-9);
    assert.match(f['getUser.proxyCpu'].cpu, /gateway 1\.00 · nginx 0\.20 ms per request/);
    assert.ok(Math.abs(f['getUser.serviceCpu'].value - 0.5) < 1e-9);
    assert.ok(Math.abs(f['postOrder.serviceCpu'].value - 0.5) < 1e-9);
  });

  it('pipeline chains/s and PostgreSQL statements per chain, medians over runs', () => {
    assert.equal(f['chain.pipeline'].value, 15);
    assert.equal(f['chain.pgRoundTrips'].value, 11);
    assert.match(f['chain.pgRoundTrips'].cpu, /users 2\.8 · orders 5\.5 · payments 2\.8 per chain/);
  });

  it('a pipeline run that lost chains counts as 0; none whole is not measured, with the counts', () => {
    const r = madeUpRun();
    r.sections.chain.pipeline.runs[0].completed = 99;
    assert.equal(byId(r)['chain.pipeline'].value, 10); // median of 0 and 20
    r.sections.chain.pipeline.runs[1].completed = 98;
    const g = byId(r)['chain.pipeline'];
    assert.equal(g.value, undefined);
    assert.match(g.why, /99\/100, 98\/100/);
  });

  it('chain latency at the low rate from each run\'s samples', () => {
    assert.equal(f['chain.lowP50'].value, 35); // run p50s 20 and 50
    assert.equal(f['chain.lowP99'].value, 45); // run p99s 30 and 60
  });

  it('CPU per chain: apps, PostgreSQL and Kafka apart, the load generator left out', () => {
    const c = cpuPerChain(madeUpRun().sections.chain.pipeline.runs.slice(0, 1));
    assert.ok(Math.abs(c.apps - 5) < 1e-9); // 0.5 s over 100 chains
    assert.ok(Math.abs(c.pg - 2) < 1e-9);
    assert.ok(Math.abs(c.kafka - 0.5) < 1e-9);
  });

  it('tracing share of request CPU at 100 % and 10 %, and the CPU auth adds', () => {
    assert.ok(Math.abs(f['tracing.on'].value - 0.5) < 1e-9);
    assert.ok(Math.abs(f['tracing.ratio10'].value - 0.2) < 1e-9);
    assert.ok(Math.abs(f['auth.addedCpu'].value - 2) < 1e-9);
  });

  it('idle CPU in % of a core, idle RSS and ready after spawn (medians)', () => {
    assert.ok(Math.abs(f['idleCpu.gateway'].value - 2) < 1e-9); // 1 % and 3 %
    assert.ok(Math.abs(f['idleCpu.users'].value - 2) < 1e-9);
    assert.equal(f['rss.gateway'].value, 90); // at the end of the idle window
    assert.equal(f['rss.payments'].value, 103);
    assert.equal(f['rssAfterLoad.payments'].value, 140); // 2 s after the warm-up
    assert.equal(f['cold.gateway'].value, 2000);
  });

  it('what a run could not produce is not measured, never 0', () => {
    assert.equal(f['chain.throughput'].value, undefined); // the search found no steady rate
    const old = byId({ startedAt: 'x', config: {}, sections: { gateway: { getUser: { runs: { max: { direct: [{ rps: 1 }], gateway: [{ rps: 1 }] }, fixed: {} } } } } });
    assert.equal(old['getUser.addedP50Low'].value, undefined);
    assert.match(old['getUser.addedP50Low'].why, /no low-rate runs/);
    assert.equal(old['getUser.proxyCpu'].value, undefined);
    assert.equal(old['tracing.on'].value, undefined);
    assert.equal(old['chain.pgRoundTrips'].value, undefined);
  });
});

describe('formatValue and verdict', () => {
  it('prints each unit as the report does', () => {
    assert.equal(formatValue(0.537, 'ratio'), '54 %');
    assert.equal(formatValue(13.84, '×'), '13.8 ×');
    assert.equal(formatValue(3.364, 'ms'), '3.36 ms');
    assert.equal(formatValue(31.2, 'ms'), '31 ms');
    assert.equal(formatValue(2170, 'ms'), '2.17 s');
    assert.equal(formatValue(107.2, '/s'), '107 /s');
    assert.equal(formatValue(5.25, '%'), '5.3 %');
    assert.equal(formatValue(undefined, '/s'), '—, not measured');
  });

  it('met or missed against issue 14\'s targets, nothing without a target or a value', () => {
    assert.equal(TARGETS.share.min, 0.9);
    assert.equal(verdict(0.9, 'share'), '✅ met');
    assert.equal(verdict(0.89, 'share'), '❌ missed');
    assert.equal(verdict(0.5, 'addedP50'), '✅ met');
    assert.equal(verdict(0.51, 'addedP50'), '❌ missed');
    assert.equal(verdict(undefined, 'share'), '—');
    assert.equal(verdict(5, undefined), '—');
  });
});
