// A made-up run with every section, its numbers chosen so that each figure has one right value,
// worked out by hand in figures.test.mjs.
/** A CPU meter reading: group → CPU seconds over `seconds`. */
const cpu = (groups, seconds = 4) => ({
  seconds,
  groups: Object.fromEntries(Object.entries(groups).map(([k, s]) => [k, { cpuSec: s, cores: s / seconds, peakRssMb: 100 }])),
  otherCores: 0,
});

/** A run with every section, numbers chosen so each figure has one right value. */
export function madeUpRun() {
  const fixed = (ok, groups) => ({ ok, sent: ok, p50: 1, p99: 2, cpu: cpu(groups) });
  const low = (okMs) => ({ ok: okMs.length, sent: okMs.length, p50: NaN, p99: NaN, okMs, cpu: cpu({ gateway: 0.2 }) });
  const endpoint = (svc) => ({
    lowRate: 20,
    runs: {
      // gateway ÷ direct per round: 50/100, 60/100, 90/100 → medians 60 and 100 → 60 %
      max: { direct: [{ rps: 100 }, { rps: 90 }, { rps: 110 }], gateway: [{ rps: 50 }, { rps: 60 }, { rps: 90 }], nginx: [{ rps: 100 }, { rps: 100 }, { rps: 100 }] },
      fixed: {
        // user-service (or order-service) per direct request: 0.2 s / 400 = 500 µs
        direct: [fixed(400, { [svc]: 0.2, [`pg-${svc}`]: 0.04 }), fixed(400, { [svc]: 0.2, [`pg-${svc}`]: 0.04 })],
        // gateway 0.4 s / 400 = 1000 µs; nginx 0.08 s / 400 = 200 µs → 5 ×
        gateway: [fixed(400, { gateway: 0.4, [svc]: 0.2 }), fixed(400, { gateway: 0.4, [svc]: 0.2 })],
        nginx: [fixed(400, { nginx: 0.08, [svc]: 0.2 }), fixed(400, { nginx: 0.08, [svc]: 0.2 })],
      },
      low: {
        // p50 (nearest rank) of [1,2,3,4] is 2 and of [2,3,4,5] is 3: added 1 ms per round
        direct: [low([4, 1, 3, 2]), low([1, 2, 3, 4])],
        gateway: [low([5, 2, 4, 3]), low([2, 3, 4, 5])],
      },
    },
  });
  const pipeRun = (completed, seconds, statements) => ({
    injected: 100, completed, seconds, counts: {}, cpu: cpu({ users: 0.1, orders: 0.3, payments: 0.1, 'pg-orders': 0.2, kafka: 0.05, loadgen: 9 }),
    pg: { statements, byDb: { users: statements / 4, orders: statements / 2, payments: statements / 4 } },
  });
  const optRun = (ok, gw, users) => ({ ok, sent: ok, p50: 1, p99: 2, cpu: cpu({ gateway: gw, users }) });
  return {
    startedAt: '2026-11-30T17:00:00.000Z', commit: 'abc', mode: 'full', profile: 'bench', totalSeconds: 60,
    config: { rounds: 2, lowRate: 10, lowFixedRateShare: 0.1 },
    sections: {
      gateway: { getUser: endpoint('users'), postOrder: endpoint('orders') },
      chain: {
        // 100/10 s = 10 /s and 100/5 s = 20 /s → 15 /s; 1200 and 1000 statements → 12 and 10 → 11 per chain
        pipeline: { runs: [pipeRun(100, 10, 1200), pipeRun(100, 5, 1000)] },
        low: { runs: [{ latMs: [10, 30, 20], completed: 3, cpu: cpu({ users: 0.3 }) }, { latMs: [40, 50, 60], completed: 3, cpu: cpu({ users: 0.3 }) }] },
        throughput: { best: 0, steps: [], confirm: [] },
      },
      tracing: {
        // gateway + users per request: on 4 ms, ratio10 2.5 ms, off 2 ms → 50 % and 20 %
        runs: { on: [optRun(100, 0.2, 0.2)], ratio10: [optRun(100, 0.15, 0.1)], off: [optRun(100, 0.1, 0.1)] },
      },
      // gateway 3 ms with auth, 1 ms without → 2 ms added
      auth: { runs: { on: [optRun(100, 0.3, 0.1)], off: [optRun(100, 0.1, 0.1)] } },
      idle: { seconds: 30, cpuPct: {}, rssAfterMb: { gateway: 90, users: 101, orders: 102, payments: 103 } },
      footprint: {
        idle: { runs: [cpu({ gateway: 0.05, users: 0.1, orders: 0.1, payments: 0.1 }, 5), cpu({ gateway: 0.15, users: 0.1, orders: 0.1, payments: 0.1 }, 5)] },
        idleRss: { gateway: 90, users: 120, orders: 130, payments: 140 },
        cold: { gateway: { runs: [1000, 3000, 2000] }, users: { runs: [1] }, orders: { runs: [1] }, payments: { runs: [1] } },
      },
    },
  };
}

